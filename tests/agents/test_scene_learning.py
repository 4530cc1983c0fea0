"""The agent learns 3D scenes: held-out L2 beats the blank floor and chance.

One-object scenes at 32x32 on an 8x8 grid (`presets.mujoco_scenes`): the
agent must find the object in the target and place a similar one there.
A misplaced object makes the canvas worse than the blank floor, so beating
the floor means placing objects where the targets have them.
"""

import os
import time

import pytest

from spiral_acme.agents.spiral import presets
from spiral_acme.agents.spiral.agent import SpiralAgent
from spiral_acme.agents.spiral.program_recovery import program_recovery
from spiral_acme.datasets.mujoco_scenes import programs_of

TRAIN_SECONDS = 120.0
MARGIN = 0.9  # Agent L2 must be below 90% of each baseline's.


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("SPIRAL_ACME_SCENE_LEARNING"), reason=(
    "Known to miss (issue 9 open); 2 minutes of CI for an expected failure. "
    "Run with SPIRAL_ACME_SCENE_LEARNING=1."))
@pytest.mark.xfail(strict=False, reason=(
    "Not learnt (issue 9): L2 1.08-1.13x the blank floor's after 120-360 s; "
    "the L2 rewards a placement only when cell and colour are both right "
    "(benchmarks/results/experiments/s02_*.json)."))
def test_one_object_scenes_l2_falls_below_blank_floor_and_random():
  agent = SpiralAgent(presets.mujoco_scenes(seed=0, num_scenes=1000),
                      log_every_seconds=1e9)
  try:
    _, held_out = agent.builder.datasets
    baselines = agent.baselines(held_out.images)
    start = time.time()
    agent.run(max_seconds=TRAIN_SECONDS)
    trained = time.time() - start
    result = agent.evaluate(held_out.images)
    samples, _ = agent.sample(len(held_out), targets=held_out.images)
    recovery = program_recovery([s.scene for s in samples],
                                programs_of(held_out))
  finally:
    agent.close()
  summary = (f"after {trained:.0f} s: L2 {result.l2:.5f}, blank floor "
             f"{baselines['blank_l2']:.5f}, random "
             f"{baselines['random_l2']:.5f}; recovery {recovery}")
  print(summary)
  assert result.l2 < MARGIN * baselines["blank_l2"], summary
  assert result.l2 < MARGIN * baselines["random_l2"], summary


def test_scene_quality_ratio_is_to_the_blank_floor():
  # Scenes have no class labels; their "of blank" ratio must use the
  # untouched floor, not white paper (which made 1.1x the floor read 0.03).
  agent = SpiralAgent(presets.mujoco_scenes(seed=0, num_scenes=80,
                                            canvas_width=16, grid_width=4),
                      log_every_seconds=1e9)
  try:
    _, held_out = agent.builder.datasets
    quality = agent.quality(num_targets=8)
    floor_l2 = agent.baselines(held_out.images[:8])["blank_l2"]
  finally:
    agent.close()
  assert quality["l2"] / quality["l2_ratio_vs_blank"] == pytest.approx(
      floor_l2, rel=1e-5)
