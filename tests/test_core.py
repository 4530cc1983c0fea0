"""Tests for the core interfaces and EnvironmentSpec."""

import dm_env
from dm_env import specs as dm_specs
import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before anything imports it)
from spiral_acme import core
from spiral_acme import specs


class _CountingLearner(core.Learner):
  """Adds 1 to a weight per step and serves it."""

  def __init__(self):
    self._weight = np.zeros([2], np.float32)
    self.num_steps = 0

  def step(self):
    self._weight += 1
    self.num_steps += 1

  def get_variables(self, names):
    return [{"w": self._weight.copy()} for _ in names]


class _SaveableLearner(_CountingLearner):

  def save(self):
    return {"weight": self._weight.copy(), "num_steps": self.num_steps}

  def restore(self, state):
    self._weight = state["weight"].copy()
    self.num_steps = state["num_steps"]


class _ConstantActor(core.Actor):

  def __init__(self, source: core.VariableSource):
    self._source = source
    self._weight = None

  def select_action(self, observation):
    return np.int32(observation + self._weight[0])

  def observe_first(self, timestep):
    pass

  def observe(self, action, next_timestep):
    pass

  def update(self, wait=False):
    [variables] = self._source.get_variables(["policy"])
    self._weight = variables["w"]


@pytest.mark.parametrize("interface", [
    core.Actor, core.Learner, core.VariableSource, core.Worker, core.Saveable])
def test_interfaces_are_abstract(interface):
  with pytest.raises(TypeError, match="abstract"):
    interface()


def test_learner_without_step_cannot_be_created():

  class NoStep(core.Learner):

    def get_variables(self, names):
      return []

  with pytest.raises(TypeError, match="step"):
    NoStep()


def test_learner_run_steps_exactly_num_steps():
  learner = _CountingLearner()
  learner.run(num_steps=3)
  assert learner.num_steps == 3
  learner.run(num_steps=0)
  assert learner.num_steps == 3


@pytest.mark.parametrize("bad", [-1, 2.5, "3", True])
def test_learner_run_rejects_bad_num_steps(bad):
  with pytest.raises(ValueError, match="num_steps"):
    _CountingLearner().run(num_steps=bad)


def test_learner_run_without_bound_runs_until_stopped():

  class Stop(Exception):
    pass

  class StopsAfterFive(_CountingLearner):

    def step(self):
      super().step()
      if self.num_steps == 5:
        raise Stop()

  learner = StopsAfterFive()
  with pytest.raises(Stop):
    learner.run()
  assert learner.num_steps == 5


def test_learner_save_restore_defaults_raise_and_overrides_work():
  with pytest.raises(NotImplementedError, match="_CountingLearner"):
    _CountingLearner().save()
  with pytest.raises(NotImplementedError, match="restore"):
    _CountingLearner().restore({})
  learner = _SaveableLearner()
  learner.run(num_steps=2)
  state = learner.save()
  learner.run(num_steps=3)
  learner.restore(state)
  assert learner.num_steps == 2
  np.testing.assert_array_equal(learner.get_variables(["p"])[0]["w"], [2, 2])


def test_actor_reads_weights_from_variable_source_on_update():
  learner = _CountingLearner()
  actor = _ConstantActor(learner)
  learner.run(num_steps=4)
  actor.update(wait=True)
  assert actor.select_action(10) == 14
  learner.run(num_steps=1)
  assert actor.select_action(10) == 14  # Stale until the next update.
  actor.update()
  assert actor.select_action(10) == 15
  assert isinstance(learner, core.VariableSource)
  assert isinstance(learner, core.Worker)
  assert isinstance(learner, core.Saveable)


class _SpecOnlyEnv(dm_env.Environment):

  def reset(self):
    raise NotImplementedError

  def step(self, action):
    raise NotImplementedError

  def observation_spec(self):
    return {"canvas": dm_specs.Array((4, 4, 3), np.float32, "canvas")}

  def action_spec(self):
    return {"flag": dm_specs.DiscreteArray(2, name="flag")}

  def reward_spec(self):
    return dm_specs.Array((2,), np.float32, "reward")


def test_make_environment_spec_reads_all_four_specs():
  env = _SpecOnlyEnv()
  spec = specs.make_environment_spec(env)
  assert spec.observations == env.observation_spec()
  assert spec.actions["flag"].num_values == 2
  assert spec.rewards.shape == (2,)
  assert spec.discounts == env.discount_spec()
  assert spec._fields == ("observations", "actions", "rewards", "discounts")


def test_make_environment_spec_names_missing_methods():
  with pytest.raises(TypeError, match="reward_spec"):
    specs.make_environment_spec(object())
