"""A single-process training run with a workdir, start to finish.

    train(experiment, RunConfig(workdir="runs/digits", num_steps=600))

The run takes the workdir's lock, records (or checks) the configuration,
resumes from the newest intact checkpoint, trains until its budget is spent
or SIGINT/SIGTERM asks it to stop, then saves, exports the policy and writes
sample paintings. Budgets are totals over every run of the workdir: a run
stopped at step 200 of `num_steps=600` and restarted trains 400 more steps,
and one restarted after its budget was met says so and exits.
"""

import dataclasses
import os
from typing import Callable, Optional

from spiral_acme import hub
from spiral_acme import interrupts
from spiral_acme import outputs
from spiral_acme import progress
from spiral_acme import validation
from spiral_acme import workdir as workdir_lib
from spiral_acme.agents.spiral import agent as agent_lib
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.replay import timeouts


@dataclasses.dataclass(frozen=True)
class RunConfig:
  """How long and how a run goes, apart from what it learns.

  Field names are the launchers' flag names, so errors name the flag.

  Attributes:
    workdir: checkpoints, logs, the exported policy and samples.
    num_steps: total policy-learner steps for the workdir (None: no limit).
    max_minutes: total training minutes for the workdir (None: no limit).
    checkpoint_every_minutes: interval between checkpoints.
    images_every_minutes: interval between painting grids (and held-out L2).
    progress_every_seconds: interval between console progress lines.
    replay_timeout_seconds: longest wait on replay before the run stops.
    num_samples: paintings written at the end.
    sample_canvas_width: re-render the final paintings at this width.
  """
  workdir: str
  num_steps: Optional[int] = None
  max_minutes: Optional[float] = None
  checkpoint_every_minutes: float = 5.0
  images_every_minutes: float = 5.0
  progress_every_seconds: float = 30.0
  replay_timeout_seconds: float = timeouts.DEFAULT_TIMEOUT_SECONDS
  num_samples: int = 16
  sample_canvas_width: Optional[int] = None

  def __post_init__(self):
    if not (isinstance(self.workdir, str) and self.workdir):
      raise ValueError(f"workdir={self.workdir!r}: expected a directory path")
    if self.num_steps is None and self.max_minutes is None:
      raise ValueError("num_steps=None, max_minutes=None: expected a budget, "
                       "one or both of them")
    if self.num_steps is not None:
      validation.positive_int("num_steps", self.num_steps)
    if self.max_minutes is not None:
      validation.finite_positive("max_minutes", self.max_minutes)
    for name in ("checkpoint_every_minutes", "images_every_minutes",
                 "progress_every_seconds", "replay_timeout_seconds"):
      validation.finite_positive(name, getattr(self, name))
    validation.positive_int("num_samples", self.num_samples)
    if self.sample_canvas_width is not None:
      validation.canvas_width("sample_canvas_width", self.sample_canvas_width)


def train(experiment: ExperimentConfig, run: RunConfig, *,
          print_fn: Callable[[str], None] = print) -> None:
  """Trains in one process; see the module docstring."""
  # Warnings (a stale lock, a damaged checkpoint) follow the first line,
  # which says where the run starts from.
  warnings = []
  lock = workdir_lib.WorkdirLock(run.workdir, warn=warnings.append)
  lock.acquire()
  try:
    workdir_lib.check_config(run.workdir, experiment.to_dict())
    resume = agent_lib.find_resume_point(run.workdir, warn=warnings.append)
    if resume is not None:
      print_fn(f"Resuming from {resume.prefix} at learner step "
               f"{resume.learner_steps}")
    for warning in warnings:
      print_fn(warning)
    print_fn(f"Building the networks, replay and environments "
             f"(workdir {run.workdir}) ...")
    agent = agent_lib.SpiralAgent(
        experiment, workdir=run.workdir,
        replay_timeout=run.replay_timeout_seconds, terminal_logs=False,
        print_fn=print_fn, resume=resume)
    try:
      _train(agent, experiment, run, print_fn)
    finally:
      agent.close()
  finally:
    lock.release()


def _train(agent: agent_lib.SpiralAgent, experiment: ExperimentConfig,
           run: RunConfig, print_fn: Callable[[str], None]) -> None:
  steps_done = int(agent.counts.get("learner_steps", 0))
  steps_left = None if run.num_steps is None else run.num_steps - steps_done
  seconds_left = (None if run.max_minutes is None else
                  60 * run.max_minutes - agent.elapsed_seconds)
  policy_dir = os.path.join(run.workdir, "policy")
  if ((steps_left is not None and steps_left <= 0) or
      (seconds_left is not None and seconds_left <= 0)):
    print_fn(
        f"Nothing left to do: this workdir is at learner step {steps_done} "
        f"after {progress.format_duration(agent.elapsed_seconds)} of "
        f"training, which meets num_steps={run.num_steps}, max_minutes="
        f"{run.max_minutes} (budgets are totals over every run of a "
        "workdir; raise them to train on).")
    if not os.path.exists(os.path.join(policy_dir, "saved_model.pb")):
      _export(agent, experiment, run, print_fn)  # A crash cut it short.
    return
  reporter = progress.ProgressReporter(
      total_steps=run.num_steps,
      budget_seconds=None if run.max_minutes is None else 60 * run.max_minutes,
      every_seconds=run.progress_every_seconds, print_fn=print_fn)
  with interrupts.StopRequest() as stop:
    reason = agent.run(
        num_steps=steps_left, max_seconds=seconds_left, stop=stop,
        reporter=reporter,
        checkpoint_every_seconds=60 * run.checkpoint_every_minutes,
        images_every_seconds=60 * run.images_every_minutes)
    step = int(agent.counts.get("learner_steps", 0))
    if stop.requested:
      print_fn(f"Stopped by {reason} at learner step {step}; checkpoint "
               "saved. Run the same command to resume.")
    _export(agent, experiment, run, print_fn)


def _export(agent: agent_lib.SpiralAgent, experiment: ExperimentConfig,
            run: RunConfig, print_fn: Callable[[str], None]) -> None:
  """Exports the policy and writes the final sample paintings."""
  policy_dir = hub.export_policy(agent.policy,
                                 os.path.join(run.workdir, "policy"),
                                 experiment.environment)
  print_fn(f"Policy: {policy_dir} (paint with launch/sample.py "
           f"--policy={policy_dir})")
  samples, targets = agent.sample(run.num_samples)
  written = outputs.write_samples(
      os.path.join(run.workdir, "samples"), samples, experiment.environment,
      targets=targets, canvas_width=run.sample_canvas_width,
      overwrite=True)  # A resumed run replaces its earlier set.
  print_fn(f"Samples: {written['grid']}; TensorBoard: tensorboard --logdir "
           f"{os.path.join(run.workdir, 'tensorboard')}")
