"""The agent learns 3D scenes: the target object's cell, and an L2 below the
blank floor's and a random policy's.

One-object scenes at 32x32 (`presets.mujoco_scenes`, with learner batches
of 16 and the preset's schedule shortened to fit the time): the agent must
find the object in the target and place one like it there. Its reward
scores where objects are first and the pixel L2 from step 300
(`rewards.ObjectnessThenL2`), when the size and colour heads settle.

The floor grid is 4x4, not the preset's 8x8: one cell off costs more than
no object (experiment s06), and on 8x8 the exact cell comes later than the
test can run (L2 1.04 of the floor's at 1,400 steps, 1.01 with this
schedule; `benchmarks/learning_scenes.py` measures 8x8 over 30 minutes).
"""

import pytest

from spiral_acme.agents.spiral import presets
from spiral_acme.agents.spiral.agent import SpiralAgent
from spiral_acme.agents.spiral.program_recovery import program_recovery
from spiral_acme.datasets.mujoco_scenes import programs_of

NUM_STEPS = 1400  # ~160 s on two quiet cores.
RANDOM_MARGIN = 0.9  # Agent L2 must be below 90% of a random policy's,
BLANK_MARGIN = 0.95  # and below 95% of the blank floor's (measured 0.86).
CELL_OVER_CHANCE = 5.0  # Exact-cell recall over 1/16 (measured 0.70).


@pytest.mark.slow
def test_one_object_scenes_learn_the_cell_and_beat_blank_and_random():
  experiment = presets.mujoco_scenes(
      seed=0, num_scenes=1000, grid_width=4, batch_size=16, max_queue_size=48,
      l2_start_step=300, l2_ramp_steps=200, head_entropy_ramp_steps=200)
  agent = SpiralAgent(experiment, log_every_seconds=1e9)
  try:
    _, held_out = agent.builder.datasets
    baselines = agent.baselines(held_out.images)
    agent.run(num_steps=NUM_STEPS)
    result = agent.evaluate(held_out.images)
    samples, _ = agent.sample(len(held_out), targets=held_out.images)
    recovery = program_recovery([s.scene for s in samples],
                                programs_of(held_out))
  finally:
    agent.close()
  chance = 1.0 / experiment.environment.grid_width**2
  summary = (f"after {NUM_STEPS} steps: L2 {result.l2:.5f}, blank floor "
             f"{baselines['blank_l2']:.5f}, random "
             f"{baselines['random_l2']:.5f}; exact-cell recall "
             f"{recovery.cell_recall:.2f} (chance {chance:.2f}); {recovery}")
  print(summary)
  assert recovery.cell_recall >= CELL_OVER_CHANCE * chance, summary
  assert result.l2 < RANDOM_MARGIN * baselines["random_l2"], summary
  assert result.l2 < BLANK_MARGIN * baselines["blank_l2"], summary


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
