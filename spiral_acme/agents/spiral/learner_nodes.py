"""The learner nodes of the distributed program: step, checkpoint, resume.

    node = PolicyLearnerNode(experiment, index=0, replay=replay, ...)
    node.run()   # resumes from WORKDIR/checkpoints/learner_0/, steps until
                 # its budget or a stop, checkpoints on the way and at the end

Budget: `num_steps` counts each policy learner's own steps (every member
of a population trains for the same budget, as `num_steps` does in a single
process); a learner that reaches it saves and then only serves calls. Its
step is part of its checkpoint, so it is exact across restarts. The
discriminator learner has no budget of its own: it runs until the program
stops.

A lost replay server (`replay.reconnect`) does not stop a learner: it waits
for the server, rebuilds its learner with new clients and copies the
weights and optimiser state over. NaN/inf (`NonFiniteError`) stops the
program without saving; the message goes to the node's log and to
WORKDIR/errors/<node>.txt, which `distributed.run` reports.
"""

import os
import time
from typing import Any, Callable, List, Optional, Tuple

from absl import logging
import numpy as np
import reverb
import tensorflow as tf

from spiral_acme import checkpointing
from spiral_acme import counting
from spiral_acme import devices
from spiral_acme import loggers
import spiral_acme.launchpad as lp
from spiral_acme.agents.spiral import builder as builder_lib
from spiral_acme.agents.spiral import publishing_learner
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.replay import reconnect

ERRORS_DIR = "errors"


def _stopping() -> bool:
  return lp.wait_for_stop(0)


class _LearnerNode:
  """Runs one learner; subclasses say which one the builder makes."""

  def __init__(self, experiment: ExperimentConfig, *, name: str,
               replay: reverb.Client, counter: Any, workdir: str,
               tables: builder_lib.PolicyTables = builder_lib.PolicyTables(),
               num_steps: Optional[int] = None,
               checkpoint_every_seconds: float = 300.0,
               replay_timeout: Optional[float] = 600.0):
    devices.use_gpu_memory_growth()
    self._name = name
    self._workdir = workdir
    self._address = replay.server_address
    self._num_steps = num_steps
    self._checkpoint_every = checkpoint_every_seconds
    self._replay_timeout = replay_timeout
    self._builder = builder_lib.SpiralBuilder(
        experiment, replay_timeout=replay_timeout, prefetch=1, tables=tables,
        should_stop=_stopping)
    self._counter = counting.Counter(counter, name, time_delta=1.0)
    self._logger = loggers.make_default_logger(
        name, directory=workdir, time_delta=60.0,
        steps_key=f"{name}_steps", use_terminal=False)
    self._checkpointer = checkpointing.Checkpointer(
        os.path.join(workdir, "checkpoints", name), warn=logging.warning)
    self._step = tf.Variable(0, dtype=tf.int64, trainable=False)
    # Nodes start together: the replay server may not serve yet.
    reconnect.wait_for_server(reconnect.ServerProbe(self._address),
                              should_stop=lambda: False,
                              timeout=replay_timeout)
    self._learner = self._make_learner(replay)
    latest = self._checkpointer.latest_intact()
    if latest is not None:
      self._checkpointer.restore(self._checkpoint(), latest[1])
      self._learner.publish()
      logging.info("%s resumed from %s at step %d.", name, latest[1],
                   self.steps())
      sync_step_count(counter, f"{name}_steps", self.steps(),
                      warn=logging.warning)
    self._saved_step = self.steps()
    self._finished_steps = 0

  def _make_learner(self, client: reverb.Client
                    ) -> publishing_learner.PublishingLearner:
    raise NotImplementedError

  def _checkpoint(self) -> tf.train.Checkpoint:
    return tf.train.Checkpoint(step=self._step, **self._learner.save())

  def steps(self) -> int:
    """This learner's steps over every run of the workdir."""
    return int(self._step.numpy())

  def finished_steps(self) -> int:
    """The steps this learner had once it stopped stepping, saved and pushed
    to the counter (0 while it steps). The budget check reads these, so the
    program stops after a learner's last checkpoint and counts, not before.
    """
    return self._finished_steps

  def _budget_spent(self) -> bool:
    return self._num_steps is not None and self.steps() >= self._num_steps

  def save(self) -> None:
    self._checkpointer.save(self._checkpoint(), self.steps())
    self._saved_step = self.steps()

  def run(self) -> None:
    """Steps until the budget or a stop, then saves; see the module doc."""
    last_save = time.monotonic()
    try:
      while not _stopping() and not self._budget_spent():
        try:
          self._learner.step()
        except reconnect.StopRequested:
          break
        except Exception as e:  # pylint: disable=broad-except
          if not reconnect.is_connection_error(e):
            raise
          logging.warning("%s lost the replay server (%s); reconnecting.",
                          self._name, e)
          if not self._reconnect():
            break
          continue
        self._step.assign_add(1)
        if time.monotonic() - last_save > self._checkpoint_every:
          self.save()
          last_save = time.monotonic()
    except publishing_learner.NonFiniteError as e:
      self._report_error(str(e))
      lp.stop()
      return
    if self.steps() != self._saved_step:
      self.save()
    self._flush_counts()
    self._finished_steps = self.steps()
    if self._budget_spent():
      logging.info("%s reached its budget of %d steps.", self._name,
                   self._num_steps)
    lp.wait_for_stop()  # Keep serving (steps, snapshot) until the end.

  def _flush_counts(self) -> None:
    try:
      self._counter.flush()
    except Exception as e:  # pylint: disable=broad-except
      logging.warning("%s could not push its last counts: %s", self._name, e)

  def _reconnect(self) -> bool:
    """Waits for the server and rebuilds the learner; False if stopping."""
    probe = reconnect.ServerProbe(self._address)
    if not reconnect.wait_for_server(probe, should_stop=_stopping,
                                     timeout=self._replay_timeout):
      return False
    state = self._learner.save()
    self._learner = self._make_learner(reverb.Client(self._address))
    self._learner.restore(state)
    self._learner.publish()
    return True

  def _report_error(self, message: str) -> None:
    logging.error("%s: %s", self._name, message)
    directory = os.path.join(self._workdir, ERRORS_DIR)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"{self._name}.txt"), "w") as f:
      f.write(message + "\n")


class PolicyLearnerNode(_LearnerNode):
  """A policy learner; serves `steps()` and `snapshot()` to other nodes."""

  def _make_learner(self, client):
    return self._builder.make_learner(client, counter=self._counter,
                                      logger=self._logger)

  def snapshot(self) -> Tuple[int, List[np.ndarray]]:
    """(step, policy weights) for evaluators and snapshots.

    Read while the learner may be mid-update, so the weights can mix two
    consecutive steps; good enough for evaluation and snapshots.
    """
    return self.steps(), self._learner.get_variables(["policy"])[0]


class DiscriminatorLearnerNode(_LearnerNode):
  """The discriminator learner shared by every policy learner."""

  def _make_learner(self, client):
    return self._builder.make_discriminator_learner(
        client, counter=self._counter, logger=self._logger)


def sync_step_count(counter: Any, key: str, steps: int, *,
                    warn: Callable[[str], None]) -> None:
  """Sets the counter node's `key` to `steps` after a resume.

  Steps taken after the restored checkpoint were counted but are taken
  again, so without this the totals (progress line, counts.json) run ahead
  of the learner's own step. Best effort: a counter that does not answer
  only costs accurate totals.
  """
  try:
    counted = counter.get_counts().get(key, 0)
    if counted != steps:
      counter.increment(**{key: steps - counted})
  except Exception as e:  # pylint: disable=broad-except
    warn(f"Could not correct {key} on the counter: {e}")


def read_errors(workdir: str) -> List[str]:
  """The messages learner nodes left in WORKDIR/errors/."""
  directory = os.path.join(workdir, ERRORS_DIR)
  if not os.path.isdir(directory):
    return []
  messages = []
  for name in sorted(os.listdir(directory)):
    with open(os.path.join(directory, name)) as f:
      messages.append(f"{os.path.splitext(name)[0]}: {f.read().strip()}")
  return messages


def clear_errors(workdir: str) -> None:
  directory = os.path.join(workdir, ERRORS_DIR)
  if os.path.isdir(directory):
    for name in os.listdir(directory):
      os.remove(os.path.join(directory, name))
