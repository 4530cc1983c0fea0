"""Flags and the run loop shared by every training launcher.

A launcher is a few lines: it builds an `ExperimentConfig` for its dataset
(reading the flags below where it needs to) and calls `run(make_experiment)`.
Flags live here and in the launchers only; the library takes configs.
"""

import dataclasses
import datetime
import os
import sys
from typing import Callable, Tuple

# Allow `python launch/<name>.py` from the repository root without install.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import spiral_acme  # noqa: E402  pylint: disable=g-import-not-at-top,unused-import
from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from spiral_acme import hub  # noqa: E402
from spiral_acme import outputs  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
from spiral_acme.agents.spiral.agent import SpiralAgent  # noqa: E402
from spiral_acme.agents.spiral.config import RewardType  # noqa: E402
from spiral_acme.agents.spiral.config import SpiralConfig  # noqa: E402
from spiral_acme.agents.spiral.experiment import ExperimentConfig  # noqa: E402
from spiral_acme.networks.config import PolicyNetworkConfig  # noqa: E402
from spiral_acme.networks.discriminator import DiscriminatorConfig  # noqa: E402
from spiral_acme.networks.discriminator import DiscriminatorMode  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None,
                    "Checkpoints, TensorBoard logs and samples go here "
                    "(default: runs/<launcher>-<time>). An existing workdir "
                    "resumes from its newest checkpoint.")
flags.DEFINE_integer("num_steps", None, "Policy-learner steps to run.")
flags.DEFINE_float("max_minutes", None, "Wall-clock budget in minutes.")
flags.DEFINE_integer("seed", 0, "Seeds networks, sampling and data splits.")
flags.DEFINE_enum("task", "generate", ["generate", "reconstruct",
                                       "reconstruct_gan"],
                  "generate: unconditional, WGAN-GP discriminator reward; "
                  "reconstruct: paint a target, negative-L2 reward with "
                  "temporal credit; reconstruct_gan: paint a target, "
                  "conditional discriminator reward.")
flags.DEFINE_enum("network", None, ["deepmind", "small"],
                  "Network widths: DeepMind's (GPU) or a narrow CPU one "
                  "(default: the preset's for launchers with presets, else "
                  "DeepMind's).")
flags.DEFINE_integer("batch_size", None, "Episodes per learner step.")
flags.DEFINE_float("learning_rate", None, "Policy learning rate.")
flags.DEFINE_float("entropy_cost", None, "Entropy bonus weight.")
flags.DEFINE_integer("num_envs_per_actor", None,
                     "Environments stepped together by the actor.")
flags.DEFINE_string("data_dir", None,
                    "Local copy of the dataset (MNIST IDX files, Omniglot "
                    "zips, an image folder, or a tfds data_dir).")
flags.DEFINE_integer("num_samples", 16, "Paintings written at the end.")
flags.DEFINE_integer("sample_canvas_width", None,
                     "Re-render the final paintings at this width.")


def task_preset(dataset: str) -> ExperimentConfig:
  """The named preset for `dataset` and --task (see presets.for_task).

  --network=deepmind swaps in DeepMind's network widths; the other flags are
  applied by `run`.
  """
  experiment = presets.get(presets.for_task(dataset, FLAGS.task))(
      seed=FLAGS.seed)
  if FLAGS.network == "deepmind":
    experiment = dataclasses.replace(
        experiment, policy_network=PolicyNetworkConfig(),
        discriminator=DiscriminatorConfig(mode=experiment.discriminator.mode))
  return experiment


def networks() -> Tuple[PolicyNetworkConfig, DiscriminatorConfig]:
  """(policy, discriminator) configs for --network and --task."""
  mode = (DiscriminatorMode.UNCONDITIONAL if FLAGS.task == "generate" else
          DiscriminatorMode.CONDITIONAL)
  if FLAGS.network == "small":
    return PolicyNetworkConfig.small(), DiscriminatorConfig.small(mode=mode)
  return PolicyNetworkConfig(), DiscriminatorConfig(mode=mode)


def agent_config(**overrides) -> SpiralConfig:
  """Agent hyperparameters for --task (launchers may override more)."""
  if FLAGS.task == "generate":
    task = dict(conditional=False, reward_type=RewardType.DISCRIMINATOR)
  elif FLAGS.task == "reconstruct":
    task = dict(conditional=True, reward_type=RewardType.L2,
                temporal_credit=True, reward_scale=10.0)
  else:
    task = dict(conditional=True, reward_type=RewardType.DISCRIMINATOR)
  return SpiralConfig(**{**task, **overrides})


def _with_flag_overrides(experiment: ExperimentConfig) -> ExperimentConfig:
  overrides = {name: getattr(FLAGS, name)
               for name in ("batch_size", "learning_rate", "entropy_cost",
                            "num_envs_per_actor")
               if getattr(FLAGS, name) is not None}
  agent = dataclasses.replace(experiment.agent, **overrides)
  return dataclasses.replace(experiment, agent=agent, seed=FLAGS.seed)


def run(make_experiment: Callable[[], ExperimentConfig]) -> None:
  """Parses flags, trains, exports the policy and writes final samples."""

  def main(argv):
    if len(argv) > 1:
      raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if FLAGS.num_steps is None and FLAGS.max_minutes is None:
      raise app.UsageError("Give --num_steps, --max_minutes or both.")
    experiment = _with_flag_overrides(make_experiment())
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    workdir = FLAGS.workdir or os.path.join(
        "runs", f"{name}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    agent = SpiralAgent(experiment, workdir=workdir)
    try:
      agent.run(num_steps=FLAGS.num_steps,
                max_seconds=(None if FLAGS.max_minutes is None
                             else 60 * FLAGS.max_minutes))
      policy_dir = hub.export_policy(agent.policy,
                                     os.path.join(workdir, "policy"),
                                     experiment.environment)
      print(f"Policy: {policy_dir} (paint with launch/sample.py "
            f"--policy={policy_dir})")
      samples, targets = agent.sample(FLAGS.num_samples)
      written = outputs.write_samples(
          os.path.join(workdir, "samples"), samples, experiment.environment,
          targets=targets, canvas_width=FLAGS.sample_canvas_width)
      print(f"Samples: {written['grid']}; TensorBoard: "
            f"tensorboard --logdir {os.path.join(workdir, 'tensorboard')}")
    finally:
      agent.close()

  app.run(main)
