"""Tests for agents.spiral.evaluation and the uniformly random actor."""

from dm_env import specs as dm_specs
import numpy as np
import pytest

import fakes
from spiral_acme import core
from spiral_acme import painting
from spiral_acme.agents import random_actor
from spiral_acme.agents.spiral import evaluation
from spiral_acme.environments import batched

_W = 3
_LEVELS = fakes.LEVELS


def _environment(k):
  return batched.BatchedEnvironment(
      [fakes.FillEnvironment(width=_W) for _ in range(k)])


class _TargetActor(core.Actor):
  """Draws K targets per episode and paints each one's rounded mean level."""

  def __init__(self, target_sampler):
    self._sampler = target_sampler
    self._rng = np.random.default_rng(0)
    self._targets = None

  def observe_first(self, timestep):
    batch = timestep.observation["canvas"].shape[0]
    self._targets = self._sampler(batch, self._rng)

  def select_action(self, observation):
    means = self._targets.reshape(len(self._targets), -1).mean(-1)
    return {"end": np.rint(means * _LEVELS).astype(np.int32)}

  def observe(self, action, next_timestep):
    pass

  def update(self, wait=False):
    pass


class _ConstantActor(_TargetActor):
  """Always paints level `end`."""

  def __init__(self, end):
    super().__init__(None)
    self._end = end

  def observe_first(self, timestep):
    pass

  def select_action(self, observation):
    return {"end": np.full(observation["canvas"].shape[0], self._end,
                           np.int32)}


def _targets(num, seed=0):
  """Targets whose mean levels differ: level j plus small noise."""
  rng = np.random.default_rng(seed)
  levels = rng.permutation(_LEVELS)[:num] / _LEVELS
  noise = rng.uniform(-0.02, 0.02, size=(num, _W, _W, 1))
  return (levels[:, None, None, None] + noise).astype(np.float32)


def test_mean_l2_is_the_mean_squared_pixel_error():
  rng = np.random.default_rng(1)
  a = rng.uniform(size=(4, _W, _W, 2)).astype(np.float32)
  b = rng.uniform(size=(4, _W, _W, 2)).astype(np.float32)
  want = sum(float((x - y) ** 2) for x, y in zip(a.ravel(), b.ravel()))
  assert evaluation.mean_l2(a, b) == pytest.approx(want / a.size, rel=1e-6)
  assert isinstance(evaluation.mean_l2(a, b), float)


def test_mean_l2_rejects_different_shapes():
  with pytest.raises(ValueError, match="same shape"):
    evaluation.mean_l2(np.zeros((2, _W, _W, 1)), np.zeros((3, _W, _W, 1)))
  with pytest.raises(ValueError, match="same shape"):
    # Broadcastable shapes are still an error.
    evaluation.mean_l2(np.zeros((1, _W, _W, 1)), np.zeros((3, _W, _W, 1)))


@pytest.mark.parametrize("num,k", [(5, 2), (4, 4), (3, 5)])
def test_reconstruct_paints_each_target_once_in_order(num, k):
  targets = _targets(num)
  result = evaluation.reconstruct(_TargetActor, _environment(k), targets)
  levels = np.rint(targets.reshape(num, -1).mean(-1) * _LEVELS) / _LEVELS
  want = np.broadcast_to(levels[:, None, None, None].astype(np.float32),
                         targets.shape)
  assert result.canvases.shape == targets.shape
  np.testing.assert_allclose(result.canvases, want, rtol=1e-6)
  assert result.targets is targets
  assert result.l2 == pytest.approx(np.mean((want - targets) ** 2), rel=1e-5)


def test_baselines_blank_and_random_l2():
  targets = _targets(5, seed=3)
  got = evaluation.baselines(_environment(2), targets, _ConstantActor(3))
  # The blank canvas is white (1.0); the "random" actor paints 0.3.
  assert got["blank_l2"] == pytest.approx(np.mean((1.0 - targets) ** 2),
                                          rel=1e-5)
  assert got["random_l2"] == pytest.approx(np.mean((0.3 - targets) ** 2),
                                           rel=1e-5)


def _action_spec():
  return {"end": dm_specs.DiscreteArray(16, name="end"),
          "flag": dm_specs.DiscreteArray(2, name="flag"),
          "size": dm_specs.DiscreteArray(3, name="size")}


def test_uniform_random_actor_covers_each_range_with_int32():
  spec = _action_spec()
  actor = random_actor.UniformRandomActor(spec, np.random.default_rng(0))
  observation = {"canvas": np.zeros((5, _W, _W, 1), np.float32)}
  seen = {k: set() for k in spec}
  for _ in range(100):
    action = actor.select_action(observation)
    assert set(action) == set(spec)
    for k, value in action.items():
      assert value.shape == (5,) and value.dtype == np.int32
      seen[k].update(value.tolist())
  for k, s in spec.items():
    assert seen[k] == set(range(s.num_values)), k


def test_uniform_random_actor_is_seeded():
  observation = {"canvas": np.zeros((4, _W, _W, 1), np.float32)}

  def draws(seed):
    actor = random_actor.UniformRandomActor(_action_spec(),
                                            np.random.default_rng(seed))
    return [actor.select_action(observation) for _ in range(3)]

  first, again, other = draws(7), draws(7), draws(8)
  for a, b in zip(first, again):
    for k in a:
      np.testing.assert_array_equal(a[k], b[k])
  assert any(not np.array_equal(a[k], b[k])
             for a, b in zip(first, other) for k in a)


def test_uniform_random_actor_paints_a_batched_environment():
  environment = _environment(3)
  actor = random_actor.UniformRandomActor(environment.action_spec(),
                                          np.random.default_rng(0))
  results = painting.paint_many(actor, environment, 6)
  canvases = painting.final_canvases(results, 6)
  assert canvases.shape == (6, _W, _W, 1)
  levels = canvases[:, 0, 0, 0] * _LEVELS
  np.testing.assert_allclose(levels, np.rint(levels), atol=1e-5)
  assert np.all((levels >= 0) & (levels <= _LEVELS - 1 + 1e-5))


def _digit_splits():
  from spiral_acme.datasets import load_digits  # pylint: disable=g-import-not-at-top
  return load_digits(canvas_width=16).split(40, seed=0)


def test_quality_evaluator_scores_reconstructions_against_real_targets():
  train, held_out = _digit_splits()
  evaluator = evaluation.QualityEvaluator(train, held_out, num_targets=30)
  assert evaluator.targets.shape == (30, 16, 16, 1)
  perfect = evaluator.reconstructions(evaluator.targets)
  assert perfect["l2"] == 0.0 and perfect["blank_fraction"] == 0.0
  assert perfect["classifier_accuracy"] == perfect["real_classifier_accuracy"]
  assert perfect["real_classifier_accuracy"] > 0.8
  blank = evaluator.reconstructions(np.ones_like(evaluator.targets))
  assert blank["l2_ratio_vs_blank"] == pytest.approx(1.0)
  assert blank["blank_fraction"] == 1.0
  assert blank["classifier_accuracy"] < 0.3
  with pytest.raises(ValueError, match="must match the targets"):
    evaluator.reconstructions(np.ones((3, 16, 16, 1), np.float32))


def test_quality_evaluator_scores_samples_by_distance_and_diversity():
  train, held_out = _digit_splits()
  evaluator = evaluation.QualityEvaluator(train, held_out)
  real = evaluator.samples(train.images[:200])
  blank = evaluator.samples(np.ones((200, 16, 16, 1), np.float32))
  assert real["frechet_distance"] < 0.5 * blank["frechet_distance"]
  assert real["class_entropy"] > 2.0 and blank["class_entropy"] < 0.5
  assert blank["blank_fraction"] == 1.0 and real["blank_fraction"] == 0.0
