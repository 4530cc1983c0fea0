"""SPIRAL in one process: a Reverb server, one actor, both learners.

The parts are the builder's, wired as in the distributed program, but run
in a fixed, reproducible schedule: act until a learner batch is ready, train
the discriminator on the new canvases, take one policy-learner step.

With a workdir the agent resumes from the newest intact checkpoint, first
cutting its logs back to that checkpoint so that no step is logged twice.
"""

import dataclasses
import json
import os
import time
from typing import Callable, List, Mapping, Optional, Tuple

import numpy as np
import reverb
import tensorflow as tf

from spiral_acme import checkpointing
from spiral_acme import counting
from spiral_acme import interrupts
from spiral_acme import environment_loop
from spiral_acme import images
from spiral_acme import loggers
from spiral_acme import outputs
from spiral_acme import painting
from spiral_acme import progress
from spiral_acme import replay
from spiral_acme.agents.random_actor import UniformRandomActor
from spiral_acme.agents.spiral import builder as builder_lib
from spiral_acme.agents.spiral import evaluation
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.loggers import trim
from spiral_acme.replay import SampleReplay

# TensorBoard runs and the counter that is their x-axis.
_TENSORBOARD_STEPS = {"learner": "learner_steps",
                      "throughput": "learner_steps",
                      "paintings": "learner_steps",
                      "evaluation": "learner_steps",
                      "discriminator": "discriminator_steps"}
_COUNTS_TENSOR = "counts/.ATTRIBUTES/VARIABLE_VALUE"
_FIND = object()  # SpiralAgent(resume=...) default: look in the workdir.


def check_single_process(experiment: ExperimentConfig) -> None:
  """Raises ValueError if the schedule of one process cannot run `experiment`.

  The single process acts until a learner batch is queued, so the episode
  queue must hold a batch plus one round of acting.
  """
  config = experiment.agent
  if config.max_queue_size < config.batch_size + config.num_envs_per_actor:
    raise ValueError(
        f"max_queue_size={config.max_queue_size} is too small for a "
        f"single-process run: it must hold a learner batch plus one round "
        f"of acting (batch_size + num_envs_per_actor = "
        f"{config.batch_size + config.num_envs_per_actor}).")


@dataclasses.dataclass(frozen=True)
class ResumePoint:
  """The checkpoint a run resumes from, read before anything is built."""
  prefix: str
  counters: Mapping[str, Mapping[str, Mapping[str, float]]]

  @property
  def counts(self) -> Mapping[str, float]:
    """The root counter's totals ("learner_steps", "actor_steps", ...)."""
    return self.counters.get("", {}).get("counts", {})

  @property
  def learner_steps(self) -> int:
    return int(self.counts.get("learner_steps", 0))


def find_resume_point(workdir: str, *,
                      warn: Callable[[str], None] = print
                      ) -> Optional[ResumePoint]:
  """The newest intact checkpoint of `workdir`, or None for a fresh run."""
  latest = checkpointing.Checkpointer(
      os.path.join(workdir, "checkpoints"), warn=warn).latest_intact()
  if latest is None:
    return None
  prefix = latest[1]
  counters = json.loads(
      checkpointing.read_tensor(prefix, _COUNTS_TENSOR).decode())
  return ResumePoint(prefix, counters)


class SpiralAgent:
  """Trains SPIRAL on one machine, reproducibly for a fixed seed."""

  def __init__(self, experiment: ExperimentConfig, *,
               workdir: Optional[str] = None,
               log_every_seconds: float = 10.0,
               replay_timeout: Optional[float] = (
                   replay.timeouts.DEFAULT_TIMEOUT_SECONDS),
               terminal_logs: bool = True,
               print_fn: Callable[[str], None] = print,
               resume=_FIND):
    """Builds every part and, with a workdir, resumes from its checkpoint.

    Args:
      experiment: the run's configuration.
      workdir: checkpoints, CSV and TensorBoard logs go here (None: none).
      log_every_seconds: minimum seconds between terminal lines per logger.
      replay_timeout: seconds a wait on replay may block before the run
        stops with `ReplayTimeoutError` (None: forever).
      terminal_logs: print the learners' metrics (off when a progress line
        is shown instead).
      print_fn: where warnings and progress lines go.
      resume: the `ResumePoint` to restore (or None for none); by default
        the workdir's newest intact checkpoint.
    """
    check_single_process(experiment)
    config = experiment.agent
    tf.random.set_seed(experiment.seed)
    self._experiment = experiment
    self._config = config
    self._workdir = workdir
    self._print = print_fn

    # Find the checkpoint to resume from before any logger opens its files.
    self._checkpointer = None
    self._resume: Optional[ResumePoint] = None
    if workdir is not None:
      self._checkpointer = checkpointing.Checkpointer(
          os.path.join(workdir, "checkpoints"), warn=print_fn)
      self._resume = (find_resume_point(workdir, warn=print_fn)
                      if resume is _FIND else resume)
      if self._resume is not None:
        totals = self._resume.counts
        trim.trim_run_logs(
            workdir, totals,
            {label: int(totals.get(key, 0))
             for label, key in _TENSORBOARD_STEPS.items()})

    self._builder = builder_lib.SpiralBuilder(
        experiment, replay_timeout=replay_timeout)
    self._server = replay.make_server(self._builder.make_replay_tables())
    self._client = reverb.Client(f"127.0.0.1:{self._server.port}")

    self._counter = counting.Counter()

    def logger(label: str, steps_key: str) -> loggers.Logger:
      return loggers.make_default_logger(
          label, directory=workdir, time_delta=log_every_seconds,
          steps_key=steps_key, use_terminal=terminal_logs)

    self._counters = {"": self._counter}

    def counter(prefix: str) -> counting.Counter:
      # One process: children report to the root at once (no time_delta).
      child = counting.Counter(self._counter, prefix, time_delta=0.0)
      self._counters[prefix] = child
      return child

    self._learner = self._builder.make_learner(
        self._client, counter=counter("learner"),
        logger=logger("learner", "learner_steps"))
    self._discriminator_learner = self._builder.make_discriminator_learner(
        self._client, counter=counter("discriminator"),
        logger=logger("discriminator", "discriminator_steps"))
    self._actor = self._builder.make_actor(self._client, seed=experiment.seed)
    self._environment = self._builder.make_environment()
    self._loop = environment_loop.EnvironmentLoop(
        self._environment, self._actor,
        counter=counter("actor"),
        logger=loggers.NoOpLogger(), should_update=False)
    self._throughput_logger = logger("throughput", "learner_steps")
    self._throughput_start = None
    self._image_logger = self._file_logger("paintings")
    # Every evaluation is logged (they are minutes apart).
    self._evaluation_logger = loggers.make_default_logger(
        "evaluation", directory=workdir, time_delta=0.0,
        steps_key="learner_steps", use_terminal=terminal_logs)
    self._snapshot = None  # Evaluation copy of the policy, made on demand.
    self._quality = None  # A QualityEvaluator, fitted on first use.
    self._last_evaluation: Mapping[str, float] = {}
    self._episodes_ahead = 0  # Written to replay but not yet learnt from.
    self._canvases_ahead = 0  # Written for the discriminator, not yet used.
    self._canvases_written = 0

    # Counters are plain Python: checkpointed as JSON in a string variable.
    self._saved_counts = tf.Variable("{}", dtype=tf.string, trainable=False)
    self._elapsed = tf.Variable(0.0, dtype=tf.float64, trainable=False)
    self._checkpoint = tf.train.Checkpoint(
        counts=self._saved_counts, elapsed_seconds=self._elapsed,
        **self._trackables())
    if self._resume is not None:
      for learner in (self._learner, self._discriminator_learner):
        if learner is not None:
          learner.create_optimizer_state()  # So its slots restore too.
      self._checkpointer.restore(self._checkpoint, self._resume.prefix)
      for name, state in self._resume.counters.items():
        self._counters[name].restore(state)
    self._learner.publish()
    if self._discriminator_learner is not None:
      self._discriminator_learner.publish()

  def _file_logger(self, label: str) -> loggers.Logger:
    if self._workdir is None:
      return loggers.NoOpLogger()
    return loggers.TensorBoardLogger(
        os.path.join(self._workdir, "tensorboard", label),
        steps_key="learner_steps")

  def _trackables(self) -> Mapping[str, tf.Module]:
    objects = {f"learner_{k}": v for k, v in self._learner.save().items()}
    if self._discriminator_learner is not None:
      objects.update({f"discriminator_{k}": v for k, v in
                      self._discriminator_learner.save().items()})
    return objects

  @property
  def elapsed_seconds(self) -> float:
    """Training wall time so far, over every run of this workdir."""
    return float(self._elapsed.numpy())

  @property
  def policy(self):
    """The learner's policy (current weights)."""
    return self._learner.policy

  @property
  def builder(self) -> builder_lib.SpiralBuilder:
    return self._builder

  @property
  def counts(self) -> Mapping[str, float]:
    return self._counter.get_counts()

  @property
  def learner_metrics(self) -> Mapping[str, float]:
    return self._learner.last_metrics

  def step(self) -> None:
    """Acts for one learner batch, then updates D and the policy."""
    batch = self._config.batch_size
    num_envs = self._config.num_envs_per_actor
    self._actor.update(wait=True)
    while self._episodes_ahead < batch:
      self._loop.run_episode()
      self._episodes_ahead += num_envs
      self._canvases_ahead += num_envs
      self._canvases_written += num_envs
    if self._discriminator_learner is not None:
      self._step_discriminator()
    self._learner.step()
    self._episodes_ahead -= batch
    self._log_throughput()

  def _log_throughput(self) -> None:
    """Frames and learner steps per second since the first step."""
    counts = self.counts
    frames = counts.get("actor_steps", 0) * self._config.num_envs_per_actor
    now = time.time()
    if self._throughput_start is None:
      self._throughput_start = (now, frames, counts.get("learner_steps", 0))
      return
    start, start_frames, start_steps = self._throughput_start
    elapsed = max(now - start, 1e-9)
    self._throughput_logger.write({
        "frames": frames,
        "frames_per_second": (frames - start_frames) / elapsed,
        "learner_steps_per_second":
            (counts.get("learner_steps", 0) - start_steps) / elapsed,
        "learner_steps": counts.get("learner_steps", 0)})

  def _step_discriminator(self) -> None:
    d_batch = self._config.discriminator_batch_size
    if self._config.sample_replay is SampleReplay.UNIFORM:
      # Replay: sampling removes nothing; it only needs d_batch canvases.
      if self._canvases_written >= d_batch:
        for _ in range(self._config.discriminator_steps_per_learner_step):
          self._discriminator_learner.step()
      return
    # A queue: use each canvas once; drain it so actors never block on it.
    steps = 0
    while self._canvases_ahead >= d_batch and (
        steps < self._config.discriminator_steps_per_learner_step or
        self._canvases_ahead + self._config.batch_size >
        self._config.sample_replay_size):
      self._discriminator_learner.step()
      self._canvases_ahead -= d_batch
      steps += 1

  def run(self, *, num_steps: Optional[int] = None,
          max_seconds: Optional[float] = None,
          callback: Optional[Callable[["SpiralAgent"], None]] = None,
          checkpoint_every_seconds: float = 300.0,
          images_every_seconds: float = 300.0,
          stop: Optional[interrupts.StopRequest] = None,
          reporter: Optional[progress.ProgressReporter] = None) -> str:
    """Steps until `num_steps` learner steps or `max_seconds` have passed.

    Both budgets count from this call. With a workdir, checkpoints and a
    grid of paintings (plus held-out L2 in conditional runs) are written
    periodically and when the loop ends. A `stop` request ends the loop
    after the current step, like a spent budget. An exception (a replay
    timeout, non-finite numbers) propagates without saving, so the last
    checkpoint stays the newest.

    Returns:
      Why the loop ended: "num_steps", "max_seconds" or the stop's reason.
    """
    if num_steps is None and max_seconds is None:
      raise ValueError("Give num_steps, max_seconds or both.")
    start = last_checkpoint = last_images = time.time()
    elapsed_before = self.elapsed_seconds
    steps = 0
    while True:
      if num_steps is not None and steps >= num_steps:
        reason = "num_steps"
        break
      if max_seconds is not None and time.time() - start >= max_seconds:
        reason = "max_seconds"
        break
      if stop is not None and stop.requested:
        reason = stop.signal_name or "stop requested"
        break
      self.step()
      steps += 1
      self._elapsed.assign(elapsed_before + time.time() - start)
      if callback is not None:
        callback(self)
      if reporter is not None:
        reporter.maybe_report(self.progress())
      if (self._checkpointer is not None and
          time.time() - last_checkpoint > checkpoint_every_seconds):
        self.save()
        last_checkpoint = time.time()
      if (self._workdir is not None and
          time.time() - last_images > images_every_seconds):
        self.log_samples()
        last_images = time.time()
    if self._checkpointer is not None:
      self.save()
      self.log_samples()
    if reporter is not None:
      reporter.report(self.progress())
    return reason

  def progress(self) -> progress.Progress:
    """Counts and rates for the console's progress line."""
    counts = self.counts
    return progress.Progress(
        learner_steps=int(counts.get("learner_steps", 0)),
        frames=int(counts.get("actor_steps", 0) *
                   self._config.num_envs_per_actor),
        elapsed_seconds=self.elapsed_seconds,
        episode_return=self._learner.last_metrics.get("episode_return"),
        l2_ratio=self._last_evaluation.get("l2_ratio_vs_blank"))

  def save(self) -> Optional[str]:
    """Checkpoints networks, optimisers, counters and elapsed time."""
    if self._checkpointer is None:
      return None
    self._saved_counts.assign(json.dumps(
        {name: c.save() for name, c in self._counters.items()}))
    return self._checkpointer.save(
        self._checkpoint, int(self.counts.get("learner_steps", 0)))

  def _policy_snapshot(self, seed: int):
    """A copy of the learner's policy with its own sampling seed.

    One copy is built (and traced) once, then refreshed for each call.
    """
    if self._snapshot is None:
      self._snapshot = self._builder.make_policy(seed=seed)
    self._snapshot.reseed(seed)
    for var, value in zip(self._snapshot.variables,
                          self._learner.get_variables(["policy"])[0]):
      var.assign(value)
    return self._snapshot

  def evaluate(self, targets: np.ndarray, *,
               seed: int = 0) -> evaluation.Reconstruction:
    """Paints `targets` with the current policy (conditional runs)."""
    if not self._config.conditional:
      raise ValueError("evaluate() paints targets: the run is unconditional.")
    policy = self._policy_snapshot(seed)
    factory = lambda sampler: self._builder.make_actor(
        None, seed=seed, policy=policy, record=False, targets=sampler)
    return evaluation.reconstruct(factory, self._environment, targets)

  def sample(self, num: int, *, seed: int = 0,
             targets: Optional[np.ndarray] = None
             ) -> Tuple[List[outputs.Sample], Optional[np.ndarray]]:
    """Paints `num` pictures with the current policy, frame by frame.

    Conditional runs paint `targets`, by default the first held-out images
    (training images when none are held out). Returns (samples, targets).
    """
    sampler = None
    if self._config.conditional:
      if targets is None:
        train, held_out = self._builder.datasets
        pool = held_out if held_out is not None else train
        targets = pool.images[np.arange(num) % len(pool)]
      targets = np.asarray(targets, np.float32)
      num = len(targets)
      sampler = painting.SequentialTargets(targets)
    actor = self._builder.make_actor(
        None, seed=seed, policy=self._policy_snapshot(seed), record=False,
        targets=sampler)
    results = painting.paint_many(actor, self._environment, num,
                                  record_frames=True)
    return outputs.unbatch(results, num), targets

  def quality(self, *, num_targets: int = 64,
              num_samples: int = 256) -> Mapping[str, float]:
    """Quality numbers of the current policy on held-out images.

    Conditional runs paint the first `num_targets` held-out targets (L2 and
    its ratio to the blank canvas's, classifier accuracy next to the real
    targets', blank fraction); unconditional runs paint `num_samples`
    pictures (Frechet distance, class entropy, blank fraction). Without
    labels (an image folder) conditional runs report the L2 numbers alone,
    unconditional runs nothing.
    """
    train, held_out = self._builder.datasets
    # Class labels (digits, characters); scene programs are not classes.
    labelled = (held_out is not None and train.labels is not None and
                held_out.labels is not None and
                np.asarray(train.labels).dtype.kind in "iuUS")
    if not labelled:
      if not self._config.conditional:
        return {}
      pool = held_out if held_out is not None else train
      targets = pool.images[:num_targets]
      l2 = self.evaluate(targets).l2
      # The environment's untouched canvas: white paper, or a scene's floor.
      blank = evaluation.blank_l2(self._environment, targets)
      return {"l2": l2, "l2_ratio_vs_blank": l2 / max(blank, 1e-12)}
    if self._quality is None:
      self._quality = evaluation.QualityEvaluator.for_dataset(
          train, held_out, num_targets=min(num_targets, len(held_out)),
          seed=self._experiment.seed)
    if self._config.conditional:
      result = self.evaluate(self._quality.targets)
      return self._quality.reconstructions(result.canvases)
    samples, _ = self.sample(num_samples)
    return self._quality.samples(np.stack([s.canvas for s in samples]))

  def log_quality(self) -> Mapping[str, float]:
    """Logs `quality()` against learner steps, frames and training minutes."""
    values = self.quality()
    if values:
      self._last_evaluation = dict(values)
      counts = self.counts
      self._evaluation_logger.write({
          **values,
          "frames": counts.get("actor_steps", 0) *
                    self._config.num_envs_per_actor,
          "minutes": self.elapsed_seconds / 60,
          "learner_steps": counts.get("learner_steps", 0)})
    return values

  def log_samples(self, num: int = 16) -> None:
    """Writes a grid of paintings (next to their targets) and quality numbers
    to the logs."""
    self.log_quality()
    samples, targets = self.sample(num)
    canvases = np.stack([s.canvas for s in samples])
    grid = (images.image_grid(canvases) if targets is None else
            images.pair_grid(targets, canvases))
    self._image_logger.write({
        "paintings": grid,
        "learner_steps": self.counts.get("learner_steps", 0)})

  def baselines(self, targets: np.ndarray, *,
                seed: int = 0) -> Mapping[str, float]:
    """L2 of the blank canvas and of a uniformly random policy."""
    actor = UniformRandomActor(self._builder.environment_spec.actions,
                               np.random.default_rng(seed))
    return evaluation.baselines(self._environment, targets, actor)

  def close(self) -> None:
    for logger in (self._image_logger, self._evaluation_logger,
                   self._throughput_logger):
      logger.close()
    self._server.stop()
