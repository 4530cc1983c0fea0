"""What both SPIRAL learners share: step, count, log, publish.

A subclass says how one batch updates its module (`_update`); this base
pulls the batch, publishes the new weights through Reverb, counts, logs, and
serves the module's variables and checkpoint state.
"""

import abc
import math
import time
from typing import Any, Iterator, List, Mapping, Optional

import numpy as np
import sonnet as snt
import tensorflow as tf

from spiral_acme import core
from spiral_acme import counting
from spiral_acme import loggers
from spiral_acme.replay import VariablePublisher


class NonFiniteError(FloatingPointError):
  """A learner step produced a NaN or infinite metric or weight."""


class PublishingLearner(core.Learner):
  """One optimiser step per batch, then the new weights are published."""

  def __init__(self, *, name: str, module: snt.Module,
               optimizer: snt.Optimizer, iterator: Iterator[Any],
               publisher: Optional[VariablePublisher],
               counter: Optional[counting.Counter],
               logger: Optional[loggers.Logger]):
    """Creates the learner and publishes the module's initial weights.

    Args:
      name: the variable-set name the module is served under ("policy").
      module: the trained module, its variables already created.
      optimizer: its optimiser.
      iterator: yields Reverb samples (with a `.data` attribute).
      publisher: writes the weights to a variable table, or None.
      counter: counts steps (and what `_step_counts` adds).
      logger: receives metrics and counts every step.
    """
    self._name = name
    self._module = module
    self._optimizer = optimizer
    self._iterator = iterator
    self._publisher = publisher
    self._counter = counter or counting.Counter()
    self._logger = logger or loggers.NoOpLogger()
    self._last_metrics: Mapping[str, float] = {}
    self._all_finite = tf.function(lambda: tf.reduce_all(
        [tf.reduce_all(tf.math.is_finite(v))
         for v in self._module.trainable_variables]))
    self.publish()

  @abc.abstractmethod
  def _update(self, sample: Any) -> Mapping[str, tf.Tensor]:
    """Takes one optimiser step on a sample; returns scalar metrics."""

  def _step_counts(self) -> Mapping[str, int]:
    """What one step adds to the counter."""
    return {"steps": 1}

  def publish(self) -> None:
    """Makes the current weights available to actors and other learners."""
    if self._publisher is not None:
      self._publisher.publish()

  @property
  def optimizer(self) -> snt.Optimizer:
    return self._optimizer

  @property
  def last_metrics(self) -> Mapping[str, float]:
    return self._last_metrics

  def step(self) -> None:
    """One update; raises NonFiniteError (publishing nothing) on NaN/inf."""
    start = time.time()
    metrics = self._update(next(self._iterator))
    values = {k: float(v.numpy()) for k, v in metrics.items()}
    self._check_finite(values)
    self.publish()
    counts = self._counter.increment(**self._step_counts())
    self._last_metrics = values
    self._logger.write({**self._last_metrics, **counts,
                        "step_seconds": time.time() - start})

  def _check_finite(self, metrics: Mapping[str, float]) -> None:
    step = self._counter.get_counts().get(self._counter.get_steps_key(), 0) + 1
    for key, value in metrics.items():
      if not math.isfinite(value):
        raise NonFiniteError(
            f"{self._name} learner step {step}: {key} is {value}; stopping "
            "before anything non-finite is published or saved (the last "
            "checkpoint stays). Lower the learning rate or check the data.")
    if not bool(self._all_finite()):
      raise NonFiniteError(
          f"{self._name} learner step {step}: the {self._name} weights hold "
          "NaN or infinite values; stopping before they are published or "
          "saved (the last checkpoint stays). Lower the learning rate.")

  def get_variables(self, names: List[str]) -> List[List[np.ndarray]]:
    for name in names:
      if name != self._name:
        raise KeyError(f"This learner serves {self._name!r}, not {name!r}.")
    return [[v.numpy() for v in self._module.variables] for _ in names]

  def save(self) -> Mapping[str, tf.Module]:
    """The trackables to checkpoint (restored in place by tf.train)."""
    return {self._name: self._module, "optimizer": self._optimizer}

  def create_optimizer_state(self) -> None:
    """Creates the optimiser's slots, so a checkpoint can restore them.

    Sonnet creates slots on the first update; a zero-gradient update creates
    them without moving any weight (a restore then overwrites them all).
    """
    trainable = self._module.trainable_variables
    self._optimizer.apply([tf.zeros_like(v) for v in trainable], trainable)

  def restore(self, state: Mapping[str, tf.Module]) -> None:
    """Copies weights and optimiser slots from another learner's `save()`."""
    if len(self._optimizer.variables) < len(state["optimizer"].variables):
      self.create_optimizer_state()
    for key in (self._name, "optimizer"):
      mine, theirs = self.save()[key].variables, state[key].variables
      if len(mine) != len(theirs):
        raise ValueError(f"Cannot restore {key!r}: {len(theirs)} variables "
                         f"given, {len(mine)} expected.")
      for target, source in zip(mine, theirs):
        target.assign(source)
