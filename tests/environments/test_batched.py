"""Tests for spiral_acme.environments.batched.BatchedEnvironment."""

import dm_env
from dm_env import specs as dm_specs
import numpy as np
import pytest

from spiral_acme.environments import batched

_W = 3


class _FakeEnv(dm_env.Environment):
  """Episodes of `length` actions; the canvas shows the last action.

  The canvas is filled with `end / 10 + offset` after each step, so every
  environment's observation says which action it received.
  """

  def __init__(self, length, *, offset=0.0, width=_W, end_values=9,
               reward=1.0):
    self._length = length
    self._offset = offset
    self._width = width
    self._end_values = end_values
    self._reward = reward
    self._t = 0
    self.received = []
    self.closed = False

  def _observation(self, fill):
    return {
        "canvas": np.full((self._width, self._width, 1), fill, np.float32),
        "episode_step": np.int32(self._t),
        "action_mask": {"end": np.float32(1.0),
                        "flag": np.float32(self._t % 2)},
    }

  def reset(self):
    self._t = 0
    return dm_env.restart(self._observation(1.0 + self._offset))

  def step(self, action):
    self.received.append(dict(action))
    self._t += 1
    observation = self._observation(action["end"] / 10 + self._offset)
    reward = self._reward * action["flag"]
    if self._t >= self._length:
      return dm_env.termination(reward, observation)
    return dm_env.transition(reward, observation, discount=0.5)

  def observation_spec(self):
    return {
        "canvas": dm_specs.Array((self._width, self._width, 1), np.float32,
                                 name="canvas"),
        "episode_step": dm_specs.Array((), np.int32, name="episode_step"),
        "action_mask": {k: dm_specs.Array((), np.float32, name=k)
                        for k in ("end", "flag")},
    }

  def action_spec(self):
    return {"end": dm_specs.DiscreteArray(self._end_values, name="end"),
            "flag": dm_specs.DiscreteArray(2, name="flag")}

  def close(self):
    self.closed = True


def _offsets(k):
  return [0.01 * i for i in range(k)]


def _batched(k=3, length=2):
  envs = [_FakeEnv(length, offset=o) for o in _offsets(k)]
  return batched.BatchedEnvironment(envs), envs


def test_reset_stacks_every_leaf_along_a_new_leading_axis():
  env, _ = _batched(3)
  timestep = env.reset()
  assert timestep.first()
  observation = timestep.observation
  assert observation["canvas"].shape == (3, _W, _W, 1)
  for i, offset in enumerate(_offsets(3)):
    np.testing.assert_allclose(observation["canvas"][i], 1.0 + offset)
  assert observation["episode_step"].shape == (3,)
  np.testing.assert_array_equal(observation["action_mask"]["flag"], [0, 0, 0])
  np.testing.assert_array_equal(observation["action_mask"]["end"], [1, 1, 1])
  # restart() has no reward or discount: they read as 0 and 1.
  np.testing.assert_array_equal(timestep.reward, np.zeros(3, np.float32))
  np.testing.assert_array_equal(timestep.discount, np.ones(3, np.float32))
  assert env.batch_size == 3


def test_step_routes_each_environment_its_own_action():
  env, envs = _batched(3, length=3)
  env.reset()
  actions = {"end": np.array([4, 7, 2], np.int32),
             "flag": np.array([1, 0, 1], np.int32)}
  timestep = env.step(actions)
  assert timestep.mid()
  for i, (fake, offset) in enumerate(zip(envs, _offsets(3))):
    assert fake.received == [{"end": actions["end"][i],
                              "flag": actions["flag"][i]}]
    np.testing.assert_allclose(timestep.observation["canvas"][i],
                               actions["end"][i] / 10 + offset, rtol=1e-6)
  np.testing.assert_array_equal(timestep.reward, [1.0, 0.0, 1.0])
  assert timestep.reward.dtype == np.float32
  np.testing.assert_array_equal(timestep.discount, [0.5, 0.5, 0.5])
  np.testing.assert_array_equal(timestep.observation["action_mask"]["flag"],
                                [1, 1, 1])


def test_episode_ends_together_and_restarts():
  env, envs = _batched(2, length=2)
  env.reset()
  action = {"end": np.array([1, 2]), "flag": np.array([1, 1])}
  assert env.step(action).mid()
  last = env.step(action)
  assert last.last()
  np.testing.assert_array_equal(last.discount, [0.0, 0.0])
  assert env.reset().first()
  assert all(len(fake.received) == 2 for fake in envs)


def test_environments_of_different_lengths_fall_out_of_lock_step():
  env = batched.BatchedEnvironment([_FakeEnv(2), _FakeEnv(1)])
  env.reset()
  with pytest.raises(RuntimeError, match="lock-step"):
    env.step({"end": np.array([0, 0]), "flag": np.array([0, 0])})


def test_equal_specs_from_separate_objects_are_accepted():
  envs = [_FakeEnv(2), _FakeEnv(2, offset=0.5)]
  assert envs[0].action_spec() is not envs[1].action_spec()
  env = batched.BatchedEnvironment(envs)
  assert env.action_spec() == envs[0].action_spec()
  assert env.observation_spec()["canvas"].shape == (_W, _W, 1)


@pytest.mark.parametrize("other", [
    _FakeEnv(2, width=_W + 1),  # Observation spec differs.
    _FakeEnv(2, end_values=4),  # Action spec differs.
])
def test_different_specs_are_an_error(other):
  with pytest.raises(ValueError, match="Environment 2"):
    batched.BatchedEnvironment([_FakeEnv(2), _FakeEnv(2), other])


def test_no_environments_is_an_error():
  with pytest.raises(ValueError, match="at least one"):
    batched.BatchedEnvironment([])


@pytest.mark.parametrize("end", [
    np.array([1, 2, 3]),  # One too many.
    np.array([1]),  # One too few.
    np.int32(1),  # A scalar.
    np.array([[1, 2]]),  # An extra axis.
])
def test_action_of_the_wrong_shape_is_an_error(end):
  env, envs = _batched(2)
  env.reset()
  with pytest.raises(ValueError, match="'end'"):
    env.step({"end": end, "flag": np.array([0, 0])})
  assert all(not fake.received for fake in envs)


def test_close_closes_every_environment():
  env, envs = _batched(3)
  env.close()
  assert all(fake.closed for fake in envs)
