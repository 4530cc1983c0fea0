"""One readable console line about a run's progress, at an interval.

    step 120/600 (20%) | 1.23M frames | 740 frames/s | 3m10s | ETA 12m40s |
    return 0.53 | held-out L2 0.61 of blank

Rates are measured over this invocation; the ETA comes from whichever budget
(steps or minutes) runs out first.
"""

import dataclasses
import time
from typing import Callable, Optional


@dataclasses.dataclass(frozen=True)
class Progress:
  """Where a run stands (totals over every invocation of its workdir)."""
  learner_steps: int
  frames: int
  elapsed_seconds: float
  episode_return: Optional[float] = None
  l2_ratio: Optional[float] = None


def format_duration(seconds: float) -> str:
  seconds = int(round(max(seconds, 0)))
  hours, rest = divmod(seconds, 3600)
  minutes, secs = divmod(rest, 60)
  if hours:
    return f"{hours}h{minutes:02d}m"
  if minutes:
    return f"{minutes}m{secs:02d}s"
  return f"{secs}s"


def _count(value: float) -> str:
  for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
    if value >= size:
      return f"{value / size:.2f}{unit}"
  return f"{value:.0f}"


class ProgressReporter:
  """Prints a progress line at most every `every_seconds`."""

  def __init__(self, *, total_steps: Optional[int] = None,
               budget_seconds: Optional[float] = None,
               every_seconds: float = 30.0,
               print_fn: Callable[[str], None] = print,
               clock: Callable[[], float] = time.monotonic):
    self._total_steps = total_steps
    self._budget = budget_seconds
    self._every = every_seconds
    self._print = print_fn
    self._clock = clock
    self._first: Optional[tuple] = None  # (time, progress) of the first call.
    self._last_print: Optional[float] = None

  def maybe_report(self, progress: Progress) -> None:
    now = self._clock()
    if self._first is None:
      self._first = (now, progress)
    if self._last_print is None or now - self._last_print >= self._every:
      self.report(progress)

  def report(self, progress: Progress) -> None:
    now = self._clock()
    if self._first is None:
      self._first = (now, progress)
    self._last_print = now
    self._print(self.line(progress, now))

  def line(self, progress: Progress, now: float) -> str:
    start, first = self._first
    seconds = now - start
    parts = []
    if self._total_steps:
      percent = 100 * progress.learner_steps / self._total_steps
      parts.append(f"step {progress.learner_steps}/{self._total_steps} "
                   f"({percent:.0f}%)")
    else:
      parts.append(f"step {progress.learner_steps}")
    parts.append(f"{_count(progress.frames)} frames")
    steps_rate = fps = None
    if seconds > 0 and progress.learner_steps > first.learner_steps:
      steps_rate = (progress.learner_steps - first.learner_steps) / seconds
      fps = (progress.frames - first.frames) / seconds
      parts.append(f"{fps:.0f} frames/s")
    elapsed = format_duration(progress.elapsed_seconds)
    if self._budget:
      elapsed += f"/{format_duration(self._budget)}"
    parts.append(elapsed)
    eta = self._eta(progress, steps_rate)
    if eta is not None:
      parts.append(f"ETA {format_duration(eta)}")
    if progress.episode_return is not None:
      parts.append(f"return {progress.episode_return:.3f}")
    if progress.l2_ratio is not None:
      parts.append(f"held-out L2 {progress.l2_ratio:.2f} of blank")
    return " | ".join(parts)

  def _eta(self, progress: Progress,
           steps_rate: Optional[float]) -> Optional[float]:
    candidates = []
    if self._total_steps and steps_rate:
      candidates.append(
          max(self._total_steps - progress.learner_steps, 0) / steps_rate)
    if self._budget:
      candidates.append(max(self._budget - progress.elapsed_seconds, 0))
    return min(candidates) if candidates else None
