"""Actor, evaluator and snapshotter nodes of the distributed program.

All three run on the CPU (`hide_gpus`): a GPU belongs to the learners.

* `ActorNode`: K environments and the builder's actor, writing episodes
  into its policy learner's queue and syncing weights from its variable
  table. A lost replay server costs the episodes in flight: the actor waits
  for the server, makes new clients and writers, and goes on.
* `EvaluatorNode`: every few minutes paints with its learner's newest
  weights; held-out L2 (conditional runs) and a grid of paintings go to
  TensorBoard (WORKDIR/tensorboard/evaluator_<i>).
* `SnapshotterNode`: every few minutes exports each policy learner's
  policy as a SavedModel to WORKDIR/snapshots/<learner>/<step>/, keeping
  the newest few.
"""

import os
import shutil
import time
from typing import Any, List, Optional, Sequence

from absl import logging
import reverb

from spiral_acme import counting
from spiral_acme import devices
from spiral_acme import environment_loop
from spiral_acme import hub
from spiral_acme import images
from spiral_acme import loggers
import spiral_acme.launchpad as lp
from spiral_acme import painting
from spiral_acme.agents.spiral import builder as builder_lib
from spiral_acme.agents.spiral import evaluation
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.replay import reconnect
from spiral_acme.replay import timeouts


def _stopping() -> bool:
  return lp.wait_for_stop(0)


class ActorNode:
  """Acts for one policy learner until the program stops."""

  def __init__(self, experiment: ExperimentConfig, *, name: str,
               replay: reverb.Client, counter: Any, counter_prefix: str,
               seed: int,
               tables: builder_lib.PolicyTables = builder_lib.PolicyTables(),
               replay_timeout: Optional[float] = 600.0,
               write_timeout: float = 60.0, cpu_only: bool = True):
    if cpu_only:
      devices.hide_gpus()
    self._name = name
    self._address = replay.server_address
    self._seed = seed
    self._replay_timeout = replay_timeout
    self._builder = builder_lib.SpiralBuilder(
        experiment, replay_timeout=replay_timeout, tables=tables,
        should_stop=_stopping,
        write_timeout=min(write_timeout, replay_timeout or write_timeout))
    self._policy = self._builder.make_policy(seed=seed)
    self._environment = self._builder.make_environment()
    self._counter = counting.Counter(counter, counter_prefix, time_delta=1.0)
    self._client = replay
    self._abandoned: List[Any] = []  # Writers of a lost server, never closed.

  def _loop(self) -> environment_loop.EnvironmentLoop:
    actor = self._builder.make_actor(self._client, seed=self._seed,
                                     policy=self._policy)
    self._abandoned.append(actor)  # Keeps its writers alive (see _recover).
    actor.update(wait=True)  # Act with the learner's weights from the start.
    return environment_loop.EnvironmentLoop(
        self._environment, actor, counter=self._counter,
        logger=loggers.NoOpLogger())

  def run(self) -> None:
    if not reconnect.wait_for_server(  # Nodes start together.
        reconnect.ServerProbe(self._address), should_stop=_stopping,
        timeout=self._replay_timeout):
      return
    failing_since = None
    while not _stopping():
      try:
        self._loop().run(should_stop=_stopping)
      except reconnect.StopRequested:
        return  # The episode waiting for room is dropped with the queue.
      except Exception as e:  # pylint: disable=broad-except
        if not (reconnect.is_connection_error(e) or
                isinstance(e, timeouts.ReplayTimeoutError)):
          raise
        now = time.monotonic()
        failing_since = failing_since or now
        if (self._replay_timeout is not None and
            now - failing_since > self._replay_timeout):
          raise
        logging.warning("%s: replay failed (%s); reconnecting.", self._name,
                        e)
        if not self._recover():
          return
        continue
      failing_since = None

  def _recover(self) -> bool:
    """Waits for the server and makes a new client; False if stopping.

    The old actor's writers are kept, not closed: closing a writer of a
    dead server can block for good. The episodes they held are lost.
    """
    probe = reconnect.ServerProbe(self._address)
    if not reconnect.wait_for_server(probe, should_stop=_stopping,
                                     timeout=self._replay_timeout):
      return False
    self._client = reverb.Client(self._address)
    return True


class _PeriodicNode:
  """Calls `_tick()` every `every_seconds` until the program stops."""

  def __init__(self, every_seconds: float):
    self._every = every_seconds

  def _tick(self) -> None:
    raise NotImplementedError

  def run(self) -> None:
    while not lp.wait_for_stop(self._every):
      try:
        self._tick()
      except Exception:  # pylint: disable=broad-except
        # A learner restarting or a transient error: try again next time.
        logging.exception("%s failed; retrying later.", type(self).__name__)


class EvaluatorNode(_PeriodicNode):
  """Paints with one learner's weights and logs quality to TensorBoard."""

  def __init__(self, experiment: ExperimentConfig, *, name: str,
               learner: Any, workdir: str, every_seconds: float = 300.0,
               num_paintings: int = 16, num_held_out: int = 64,
               cpu_only: bool = True):
    super().__init__(every_seconds)
    if cpu_only:
      devices.hide_gpus()
    self._learner = learner
    self._builder = builder_lib.SpiralBuilder(experiment)
    self._conditional = experiment.agent.conditional
    self._policy = self._builder.make_policy(seed=experiment.seed)
    self._environment = self._builder.make_environment()
    self._num_paintings = num_paintings
    self._num_held_out = num_held_out
    self._logger = loggers.TensorBoardLogger(
        os.path.join(workdir, "tensorboard", name), steps_key="learner_steps")

  def _actor(self, targets: Optional[painting.SequentialTargets]):
    """An actor painting `targets` (a sampler, None when unconditional)."""
    return self._builder.make_actor(None, seed=0, policy=self._policy,
                                    record=False, targets=targets)

  def _tick(self) -> None:
    step, weights = self._learner.snapshot()
    for variable, value in zip(self._policy.variables, weights):
      variable.assign(value)
    record = {"learner_steps": step}
    targets = None
    if self._conditional:
      train, held_out = self._builder.datasets
      pool = held_out if held_out is not None else train
      targets = pool.images[:self._num_held_out]
      result = evaluation.reconstruct(self._actor, self._environment, targets)
      blank_l2 = evaluation.blank_l2(self._environment, targets)
      record.update(held_out_l2=result.l2,
                    l2_ratio_vs_blank=result.l2 / max(blank_l2, 1e-12))
      canvases = result.canvases[:self._num_paintings]
      record["paintings"] = images.pair_grid(
          targets[:self._num_paintings], canvases)
    else:
      results = painting.paint_many(self._actor(None), self._environment,
                                    self._num_paintings)
      record["paintings"] = images.image_grid(
          painting.final_canvases(results, self._num_paintings))
    self._logger.write(record)


class SnapshotterNode(_PeriodicNode):
  """Exports each policy learner's policy every few minutes."""

  def __init__(self, experiment: ExperimentConfig, *, learners: Sequence[Any],
               names: Sequence[str], workdir: str,
               every_seconds: float = 600.0, keep: int = 5,
               cpu_only: bool = True):
    super().__init__(every_seconds)
    if cpu_only:
      devices.hide_gpus()
    if keep < 1:
      raise ValueError(f"keep must be >= 1, got {keep}.")
    self._experiment = experiment
    self._learners = list(learners)
    self._names = list(names)
    self._directory = os.path.join(workdir, "snapshots")
    self._keep = keep
    self._policy = builder_lib.SpiralBuilder(experiment).make_policy()

  def _tick(self) -> None:
    for name, learner in zip(self._names, self._learners):
      step, weights = learner.snapshot()
      for variable, value in zip(self._policy.variables, weights):
        variable.assign(value)
      hub.export_policy(self._policy,
                        os.path.join(self._directory, name, str(step)),
                        self._experiment.environment)
      self._prune(os.path.join(self._directory, name))

  def _prune(self, directory: str) -> None:
    steps = sorted((int(n) for n in os.listdir(directory) if n.isdigit()),
                   reverse=True)
    for step in steps[self._keep:]:
      shutil.rmtree(os.path.join(directory, str(step)), ignore_errors=True)
