"""Tests for spiral_acme.painting (episodes of a batched environment)."""

import numpy as np
import pytest

import fakes
from spiral_acme import core
from spiral_acme import painting
from spiral_acme.environments import batched

_W = 2


class _CountingActor(core.Actor):
  """Environment i paints end = (calls + i) % 10; records the protocol."""

  def __init__(self):
    self.calls = 0
    self.log = []

  def select_action(self, observation):
    batch = observation["canvas"].shape[0]
    self.log.append("select")
    end = (self.calls + np.arange(batch)) % 10
    self.calls += 1
    return {"end": end.astype(np.int32),
            "flag": np.ones(batch, np.int32)}

  def observe_first(self, timestep):
    assert timestep.first()
    self.log.append("first")

  def observe(self, action, next_timestep):
    self.log.append("observe")

  def update(self, wait=False):
    pass


def _environment(k, length):
  return batched.BatchedEnvironment(
      [fakes.FillEnvironment(width=_W, length=length, keys=("end", "flag"),
                              name=f"env{i}") for i in range(k)])


def test_paint_records_frames_actions_strokes_and_svgs():
  k, length = 3, 4
  actor = _CountingActor()
  result = painting.paint(actor, _environment(k, length), record_frames=True)

  assert actor.log == ["first"] + ["select", "observe"] * length
  # The canvas after step t is filled with end / 10 = ((t + i) % 10) / 10.
  want_frames = np.ones((length + 1, k, _W, _W, 1), np.float32)
  for t in range(length):
    for i in range(k):
      want_frames[t + 1, i] = ((t + i) % 10) / 10
  assert result.frames.shape == (length + 1, k, _W, _W, 1)
  np.testing.assert_allclose(result.frames, want_frames, rtol=1e-6)
  np.testing.assert_array_equal(result.canvases, result.frames[-1])
  assert len(result.actions) == length
  for t, action in enumerate(result.actions):
    np.testing.assert_array_equal(action["end"], (t + np.arange(k)) % 10)
  assert result.strokes == [[((t + i) % 10, 1) for t in range(length)]
                            for i in range(k)]
  assert result.svgs == [f"<svg id='env{i}'>{result.strokes[i]}</svg>"
                         for i in range(k)]


def test_paint_without_frames():
  result = painting.paint(_CountingActor(), _environment(2, 3))
  assert result.frames is None
  assert result.canvases.shape == (2, _W, _W, 1)
  np.testing.assert_allclose(result.canvases[:, 0, 0, 0], [0.2, 0.3])


def test_sequential_targets_in_order_with_the_last_batch_padded():
  images = np.arange(5, dtype=np.float32).reshape(5, 1, 1, 1)
  targets = painting.SequentialTargets(images)
  rng = np.random.default_rng(0)
  batches = [targets(2, rng)[:, 0, 0, 0] for _ in range(3)]
  np.testing.assert_array_equal(batches[0], [0, 1])
  np.testing.assert_array_equal(batches[1], [2, 3])
  np.testing.assert_array_equal(batches[2], [4, 4])  # Padded with the last.
  assert targets(2, rng).dtype == np.float32


def test_sequential_targets_needs_images():
  with pytest.raises(ValueError, match="at least one"):
    painting.SequentialTargets(np.zeros((0, 2, 2, 1)))


@pytest.mark.parametrize("num,episodes", [(1, 1), (3, 1), (4, 2), (7, 3)])
def test_paint_many_plays_enough_episodes(num, episodes):
  k = 3
  actor = _CountingActor()
  results = painting.paint_many(actor, _environment(k, 2), num)
  assert len(results) == episodes
  assert actor.log.count("first") == episodes
  canvases = painting.final_canvases(results, num)
  assert canvases.shape == (num, _W, _W, 1)
  # Episode e, env i: the last action is select call 2e + 1, end = 2e + 1 + i.
  want = [((2 * e + 1 + i) % 10) / 10
          for e in range(episodes) for i in range(k)][:num]
  np.testing.assert_allclose(canvases[:, 0, 0, 0], want, rtol=1e-6)


def test_paint_many_needs_a_positive_count():
  with pytest.raises(ValueError, match="num"):
    painting.paint_many(_CountingActor(), _environment(2, 2), 0)
