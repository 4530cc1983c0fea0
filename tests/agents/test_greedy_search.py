"""Greedy search, the reference for reconstruction agents."""

import numpy as np
import pytest

from spiral_acme.agents import greedy_search
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

_CONFIG = LibMyPaintConfig(canvas_width=16, grid_width=4, episode_length=4,
                           brush_type="classic/pen", brush_sizes=(1,),
                           use_color=False, use_pressure=False)


def _painted_target():
  """What the environment paints for a known 3-action program."""
  env = _CONFIG.make()
  env.reset()
  env.step({"control": 0, "end": 5, "flag": 0})
  env.step({"control": 6, "end": 15, "flag": 1})
  return env.step({"control": 12, "end": 3, "flag": 1}).observation["canvas"]


def test_greedy_search_gets_closer_than_blank_with_more_candidates():
  targets = np.stack([_painted_target()] * 2)
  blank_l2 = np.mean(np.square(1.0 - targets))
  few = greedy_search.greedy_search(_CONFIG, targets, num_candidates=2)
  many = greedy_search.greedy_search(_CONFIG, targets, num_candidates=100)
  assert many.canvases.shape == targets.shape
  assert many.num_renders == 2 * 100 * 3  # Targets x candidates x steps.
  many_l2 = np.mean(np.square(many.canvases - targets))
  few_l2 = np.mean(np.square(few.canvases - targets))
  assert many_l2 < 0.5 * blank_l2
  assert many_l2 <= few_l2


def test_greedy_search_is_seeded_and_checks_its_inputs():
  targets = np.stack([_painted_target()])
  a = greedy_search.greedy_search(_CONFIG, targets, num_candidates=5, seed=1)
  b = greedy_search.greedy_search(_CONFIG, targets, num_candidates=5, seed=1)
  np.testing.assert_array_equal(a.canvases, b.canvases)
  with pytest.raises(ValueError, match="num_candidates"):
    greedy_search.greedy_search(_CONFIG, targets, num_candidates=0)
  with pytest.raises(ValueError, match=r"targets must be \[N, 16, 16, 1\]"):
    greedy_search.greedy_search(_CONFIG, targets[0], num_candidates=5)
