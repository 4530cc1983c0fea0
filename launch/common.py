"""Flags and the run loop shared by every training launcher.

A launcher is a few lines: it builds an `ExperimentConfig` for its dataset
(reading the flags below where it needs to) and calls `run(make_experiment)`.
Flags live here and in the launchers only; the library takes configs.

Every flag is checked before anything starts: a bad value stops the launcher
with one line naming the flag, the value and what was expected, and no
workdir is created. Errors of the run itself (a locked workdir, another
configuration in it, non-finite numbers, stalled replay) are one line too;
SPIRAL_ACME_DEBUG=1 shows their tracebacks.
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

import errors  # noqa: E402  pylint: disable=g-bad-import-order
from spiral_acme import checkpointing  # noqa: E402
from spiral_acme import datasets  # noqa: E402
from spiral_acme import replay  # noqa: E402
from spiral_acme import validation  # noqa: E402
from spiral_acme import workdir as workdir_lib  # noqa: E402
from spiral_acme.agents.spiral import distributed  # noqa: E402
from spiral_acme.agents.spiral import training  # noqa: E402
from spiral_acme.launchpad import flags as lp_flags  # noqa: E402
from spiral_acme.agents.spiral.agent import check_single_process  # noqa: E402
from spiral_acme.agents.spiral.publishing_learner import NonFiniteError  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
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
flags.DEFINE_integer("num_steps", None,
                     "Total policy-learner steps for the workdir (a resumed "
                     "run trains only what is left).")
flags.DEFINE_float("max_minutes", None,
                   "Total training minutes for the workdir (a resumed run "
                   "trains only what is left).")
flags.DEFINE_float("checkpoint_every_minutes", 5.0,
                   "Minutes between checkpoints (also written on Ctrl-C, "
                   "SIGTERM and at the end).")
flags.DEFINE_float("images_every_minutes", 5.0,
                   "Minutes between TensorBoard painting grids and held-out "
                   "evaluations.")
flags.DEFINE_float("progress_every_seconds", 30.0,
                   "Seconds between console progress lines.")
flags.DEFINE_float("replay_timeout_seconds",
                   replay.timeouts.DEFAULT_TIMEOUT_SECONDS,
                   "Longest wait on replay before the run stops with a "
                   "diagnosis instead of hanging.")
flags.DEFINE_integer("seed", 0, "Seeds networks, sampling and data splits.")
_LAUNCH_TYPE = lp_flags.define_launch_type_flag(default="single_process")
_RAY_ADDRESS = lp_flags.define_ray_address_flag()
# Defined in spiral_acme.launchpad.flags: key flags here, so --help lists them.
flags.declare_key_flag("lp_launch_type")
flags.declare_key_flag("ray_address")
flags.DEFINE_integer("num_actors", 1,
                     "Actor nodes per policy learner (program graph only).")
flags.DEFINE_integer("num_policy_learners", 1,
                     "Policy learners sharing one discriminator (program "
                     "graph only; single_process trains one).")
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
flags.DEFINE_integer("updates_per_batch", None,
                     "Optimiser steps on each learner batch (V-trace corrects "
                     "for the reuse; default: the preset's).")
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
      seed=validation.non_negative_int("seed", FLAGS.seed))
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
  """Applies the shared agent flags (checked first) to a launcher's config."""
  overrides = {}
  for name in ("batch_size", "num_envs_per_actor", "updates_per_batch"):
    if getattr(FLAGS, name) is not None:
      overrides[name] = validation.positive_int(name, getattr(FLAGS, name))
  if FLAGS.learning_rate is not None:
    overrides["learning_rate"] = validation.finite_positive(
        "learning_rate", FLAGS.learning_rate)
  if FLAGS.entropy_cost is not None:
    overrides["entropy_cost"] = validation.finite_non_negative(
        "entropy_cost", FLAGS.entropy_cost)
  agent = dataclasses.replace(experiment.agent, **overrides)
  # The episode queue must hold a learner batch plus one round of acting.
  agent = dataclasses.replace(agent, max_queue_size=max(
      agent.max_queue_size, agent.batch_size + agent.num_envs_per_actor))
  return dataclasses.replace(
      experiment, agent=agent,
      seed=validation.non_negative_int("seed", FLAGS.seed))


def _run_config(name: str) -> training.RunConfig:
  workdir = FLAGS.workdir or os.path.join(
      "runs", f"{name}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
  return training.RunConfig(
      workdir=workdir, num_steps=FLAGS.num_steps,
      max_minutes=FLAGS.max_minutes,
      checkpoint_every_minutes=FLAGS.checkpoint_every_minutes,
      images_every_minutes=FLAGS.images_every_minutes,
      progress_every_seconds=FLAGS.progress_every_seconds,
      replay_timeout_seconds=FLAGS.replay_timeout_seconds,
      num_samples=FLAGS.num_samples,
      sample_canvas_width=FLAGS.sample_canvas_width)


# Failures of a run that has started, reported in one line (exit status 1).
_RUN_ERRORS = (workdir_lib.WorkdirError, checkpointing.CheckpointError,
               NonFiniteError, replay.ReplayTimeoutError,
               distributed.RunFailedError)


def run(make_experiment: Callable[[], ExperimentConfig]) -> None:
  """Checks every input, then trains, exports the policy and writes samples."""

  def main(argv):
    if len(argv) > 1:
      raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    # Inputs are checked before anything is started or created.
    with errors.checking_inputs(data_flag=("data_dir", FLAGS.data_dir)):
      run_config = _run_config(name)
      experiment = _with_flag_overrides(make_experiment())
      num_actors = validation.positive_int("num_actors", FLAGS.num_actors)
      num_learners = validation.positive_int("num_policy_learners",
                                             FLAGS.num_policy_learners)
      single = _LAUNCH_TYPE.value == "single_process"
      if single:
        check_single_process(experiment)
        if num_learners != 1:
          raise errors.FlagError(
              "num_policy_learners", num_learners, "expected 1 with "
              "lp_launch_type=single_process (a program graph runs more)")
      if experiment.dataset is not None:
        datasets.check_dataset(experiment.dataset)
    print_fn = lambda line: print(line, flush=True)
    try:
      if single:
        training.train(experiment, run_config, print_fn=print_fn)
      else:
        distributed.run(experiment, run_config,
                        launch_type=_LAUNCH_TYPE.value, num_actors=num_actors,
                        num_policy_learners=num_learners,
                        ray_address=_RAY_ADDRESS.value, print_fn=print_fn)
    except _RUN_ERRORS as e:
      if errors.debugging():
        raise
      print(f"{name}.py: error: {e}", file=sys.stderr, flush=True)
      sys.exit(1)

  errors.run(main)
