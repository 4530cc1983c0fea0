"""SPIRAL on random MuJoCo scenes: 3D scene reconstruction (no download).

    python launch/mujoco_scenes.py --task=reconstruct --network=small \
        --max_objects=1 --max_minutes=30

The agent places objects (shape, floor cell, size, colour) to reconstruct
target scenes rendered from random scene programs; its samples are written
as scene-program JSON and standalone MJCF scenes that open in MuJoCo's
viewer. --task=reconstruct_gan trains against the conditional
discriminator instead of the L2 reward.

(Not `launch/mujoco.py`: a script's directory comes first on sys.path, so
that name would shadow the `mujoco` package it imports.)
"""

import dataclasses

import common
from absl import flags

from spiral_acme.agents.spiral import presets
from spiral_acme.agents.spiral.experiment import ExperimentConfig

flags.DEFINE_integer("canvas_width", 32, "Canvas (and target) width.")
flags.DEFINE_integer("grid_width", 8, "Floor location grid width.")
flags.DEFINE_integer("max_objects", 1, "Most objects per target scene; the "
                     "agent gets one action per object.")
flags.DEFINE_integer("num_scenes", 2000, "Target scenes rendered.")
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  if FLAGS.task == "generate":
    raise ValueError("MuJoCo scenes are reconstruction only (SPIRAL section "
                     "4.2): use --task=reconstruct or reconstruct_gan.")
  policy, discriminator = common.networks()
  overrides = {}
  if FLAGS.task != "reconstruct":
    # The discriminator scores canvases: none of the preset's L2 reward
    # (its blurs, objectness term and schedule) applies. Passed to the
    # preset, so what it derives from them (the head entropy costs hold
    # until the L2 starts) follows: here they fall from the first step.
    task = common.agent_config()
    overrides = dict(
        reward_type=task.reward_type, temporal_credit=task.temporal_credit,
        reward_scale=task.reward_scale, l2_blur_sigmas=(),
        objectness_weight=0.0, objectness_blur_sigmas=(), l2_weight=1.0,
        l2_start_step=0, l2_ramp_steps=0, empty_canvas_penalty=1.0)
  experiment = presets.mujoco_scenes(
      seed=FLAGS.seed, max_objects=FLAGS.max_objects,
      canvas_width=FLAGS.canvas_width, grid_width=FLAGS.grid_width,
      num_scenes=FLAGS.num_scenes, **overrides)
  # --network picks the widths; the preset's spatial heads stay (without
  # them the policy cannot find the target's object, experiment s02), with
  # the cells where the camera draws them and the glimpse (s05, s06).
  policy = dataclasses.replace(policy, **{
      field.name: getattr(experiment.policy_network, field.name)
      for field in dataclasses.fields(policy)
      if field.name.startswith("location_")})
  return dataclasses.replace(experiment, policy_network=policy,
                             discriminator=discriminator)


if __name__ == "__main__":
  common.run(make_experiment)
