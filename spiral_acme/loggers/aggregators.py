"""Loggers that combine other loggers: fan-out and time throttling."""

import time
from typing import Optional, Sequence

from spiral_acme.loggers import base


class Dispatcher(base.Logger):
  """Sends every write to each of several loggers (terminal, CSV, ...).

  Tensors are converted to numpy once here rather than once per logger.
  """

  def __init__(self, loggers: Sequence[base.Logger]):
    loggers = list(loggers)
    for logger in loggers:
      if not isinstance(logger, base.Logger):
        raise TypeError(f"Dispatcher expects Logger instances, got {logger!r}.")
    self._loggers = loggers

  def write(self, data: base.LoggingData) -> None:
    data = base.flatten(data)
    for logger in self._loggers:
      logger.write(data)

  def close(self) -> None:
    for logger in self._loggers:
      logger.close()


class TimeFilter(base.Logger):
  """Passes a write on only if `time_delta` seconds passed since the last."""

  def __init__(self, logger: base.Logger, time_delta: float):
    if time_delta < 0:
      raise ValueError(f"time_delta must be >= 0 seconds, got {time_delta!r}.")
    self._logger = logger
    self._time_delta = time_delta
    self._last_write: Optional[float] = None

  def write(self, data: base.LoggingData) -> None:
    now = time.monotonic()
    if (self._last_write is None or
        now - self._last_write >= self._time_delta):
      self._logger.write(data)
      self._last_write = now

  def close(self) -> None:
    self._logger.close()
