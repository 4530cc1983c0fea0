"""Tests for spiral_acme.environment_loop.EnvironmentLoop."""

import dm_env
from dm_env import specs as dm_specs
import numpy as np
import pytest

from spiral_acme import core
from spiral_acme import counting
from spiral_acme import environment_loop
from spiral_acme import loggers


class _FakeEnv(dm_env.Environment):
  """Episodes of `length` actions; reward = action (+ a nested copy)."""

  def __init__(self, length: int, *, nested: bool = False):
    self._length = length
    self._nested = nested
    self._t = 0

  def reset(self):
    self._t = 0
    return dm_env.restart(np.int32(self._t))

  def step(self, action):
    self._t += 1
    reward = np.float32(action)
    if self._nested:
      reward = {"score": reward, "penalty": np.array([-1.0, -2.0], np.float32)}
    if self._t == self._length:
      return dm_env.termination(reward, np.int32(self._t))
    return dm_env.transition(reward, np.int32(self._t))

  def observation_spec(self):
    return dm_specs.Array((), np.int32, "t")

  def action_spec(self):
    return dm_specs.DiscreteArray(10)

  def reward_spec(self):
    scalar = dm_specs.Array((), np.float32, "reward")
    if self._nested:
      return {"score": scalar,
              "penalty": dm_specs.Array((2,), np.float32, "penalty")}
    return scalar


class _FakeActor(core.Actor):
  """Acts `observation + 1` and records every call in order."""

  def __init__(self):
    self.calls = []

  def select_action(self, observation):
    self.calls.append(("select_action", int(observation)))
    return int(observation) + 1

  def observe_first(self, timestep):
    assert timestep.first()
    self.calls.append(("observe_first", int(timestep.observation)))

  def observe(self, action, next_timestep):
    self.calls.append(("observe", action, int(next_timestep.observation)))

  def update(self, wait=False):
    self.calls.append(("update",))


class _Recorder(loggers.Logger):

  def __init__(self):
    self.data = []

  def write(self, data):
    self.data.append(data)


def test_run_episode_calls_actor_in_order_and_sums_rewards():
  actor = _FakeActor()
  loop = environment_loop.EnvironmentLoop(_FakeEnv(3), actor,
                                          logger=_Recorder())
  result = loop.run_episode()
  assert actor.calls == [
      ("observe_first", 0),
      ("select_action", 0), ("observe", 1, 1), ("update",),
      ("select_action", 1), ("observe", 2, 2), ("update",),
      ("select_action", 2), ("observe", 3, 3), ("update",)]
  assert result["episode_length"] == 3
  assert result["episode_return"] == pytest.approx(1 + 2 + 3)
  assert result["episodes"] == 1 and result["steps"] == 3
  assert result["steps_per_second"] > 0


def test_should_update_false_never_updates_actor():
  actor = _FakeActor()
  loop = environment_loop.EnvironmentLoop(
      _FakeEnv(2), actor, logger=_Recorder(), should_update=False)
  loop.run(num_episodes=2)
  assert ("update",) not in actor.calls


def test_nested_rewards_give_nested_returns():
  loop = environment_loop.EnvironmentLoop(
      _FakeEnv(2, nested=True), _FakeActor(), logger=_Recorder())
  result = loop.run_episode()
  assert result["episode_return"]["score"] == pytest.approx(3.0)
  np.testing.assert_allclose(result["episode_return"]["penalty"], [-2, -4])


def test_run_logs_each_episode_with_shared_counter_counts():
  root = counting.Counter()
  counting.Counter(root, "learner", time_delta=0).increment(steps=5)
  logger = _Recorder()
  loop = environment_loop.EnvironmentLoop(
      _FakeEnv(4), _FakeActor(),
      counter=counting.Counter(root, "actor", time_delta=0), logger=logger)
  assert loop.run(num_episodes=3) == 12
  assert [d["actor_episodes"] for d in logger.data] == [1, 2, 3]
  assert [d["actor_steps"] for d in logger.data] == [4, 8, 12]
  assert all(d["learner_steps"] == 5 for d in logger.data)
  assert root.get_counts()["actor_steps"] == 12


def test_run_num_steps_finishes_the_episode_that_crosses_the_bound():
  logger = _Recorder()
  loop = environment_loop.EnvironmentLoop(_FakeEnv(4), _FakeActor(),
                                          logger=logger)
  assert loop.run(num_steps=5) == 8
  assert len(logger.data) == 2
  assert loop.run(num_steps=0) == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"num_episodes": 1, "num_steps": 1}, "at most one"),
    ({"num_episodes": -1}, "num_episodes"),
    ({"num_steps": 1.5}, "num_steps"),
])
def test_run_rejects_bad_bounds(kwargs, match):
  loop = environment_loop.EnvironmentLoop(_FakeEnv(1), _FakeActor(),
                                          logger=_Recorder())
  with pytest.raises(ValueError, match=match):
    loop.run(**kwargs)


def test_run_without_bounds_plays_until_should_stop():
  logger = _Recorder()
  loop = environment_loop.EnvironmentLoop(_FakeEnv(4), _FakeActor(),
                                          logger=logger)
  checks = []

  def should_stop():
    checks.append(len(logger.data))
    return len(logger.data) >= 3

  assert loop.run(should_stop=should_stop) == 12
  assert checks == [0, 1, 2, 3]  # Checked before each episode.
  # A bound still ends the loop first.
  assert loop.run(num_episodes=1, should_stop=lambda: False) == 4


def test_reset_that_is_not_first_is_an_error():

  class BadReset(_FakeEnv):

    def reset(self):
      return dm_env.transition(0.0, np.int32(0))

  loop = environment_loop.EnvironmentLoop(BadReset(1), _FakeActor(),
                                          logger=_Recorder())
  with pytest.raises(ValueError, match="FIRST"):
    loop.run_episode()


def test_default_logger_prints_results(capsys):
  loop = environment_loop.EnvironmentLoop(_FakeEnv(2), _FakeActor(),
                                          label="evaluator")
  loop.run(num_episodes=1)
  out = capsys.readouterr().out
  assert out.startswith("[evaluator] Episode Length = 2 | Episode Return = ")
  assert "Steps = 2" in out
