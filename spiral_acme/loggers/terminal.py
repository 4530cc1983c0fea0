"""Prints results as one readable line, at most once per `time_delta`."""

import time
from typing import Any, Callable, Optional

import numpy as np

from spiral_acme.loggers import base


def format_value(value: Any) -> Optional[str]:
  """Short text for a scalar or string; None for values a line cannot show."""
  if isinstance(value, str):
    return value
  if not base.is_scalar(value):
    return None
  value = np.asarray(value).item()
  if isinstance(value, bool):
    return str(value)
  if isinstance(value, int):
    return f"{value:,}" if abs(value) >= 10_000 else str(value)
  if value != value or value in (float("inf"), float("-inf")):
    return str(value)
  magnitude = abs(value)
  if magnitude != 0 and (magnitude < 1e-3 or magnitude >= 1e6):
    return f"{value:.3e}"
  return f"{value:.3f}"


def format_key(key: str) -> str:
  """"episode_return" -> "Episode Return" (path separators kept)."""
  return key.replace("_", " ").title()


class TerminalLogger(base.Logger):
  """Writes `[label] Key = value | Key = value` lines.

  Arrays (images, histograms) are left out. With `time_delta > 0`, writes that
  come sooner than `time_delta` seconds after the last printed line are
  dropped, so fast loops do not flood the terminal.
  """

  def __init__(self,
               label: str = "",
               *,
               time_delta: float = 0.0,
               print_fn: Callable[[str], None] = print):
    if time_delta < 0:
      raise ValueError(f"time_delta must be >= 0 seconds, got {time_delta!r}.")
    self._label = label
    self._time_delta = time_delta
    self._print_fn = print_fn
    self._last_print: Optional[float] = None

  def write(self, data: base.LoggingData) -> None:
    now = time.monotonic()
    if (self._last_print is not None and
        now - self._last_print < self._time_delta):
      return
    parts = []
    for key, value in base.flatten(data).items():
      text = format_value(value)
      if text is not None:
        parts.append(f"{format_key(key)} = {text}")
    if not parts:
      return
    prefix = f"[{self._label}] " if self._label else ""
    self._print_fn(prefix + " | ".join(parts))
    self._last_print = now
