"""How often a dying node may be restarted, and how long to wait first."""

import collections
import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class RestartPolicy:
  """At most `max_restarts` restarts within any `window_minutes`.

  The n-th restart in the window waits `backoff_seconds * 2**(n-1)` seconds
  (capped at `max_backoff_seconds`), so a crash loop does not spin.
  """
  max_restarts: int = 5
  window_minutes: float = 10.0
  backoff_seconds: float = 1.0
  max_backoff_seconds: float = 30.0

  def __post_init__(self):
    if isinstance(self.max_restarts, bool) or not isinstance(
        self.max_restarts, int) or self.max_restarts < 0:
      raise ValueError(
          f"max_restarts must be an int >= 0, got {self.max_restarts!r}.")
    for name in ("window_minutes", "backoff_seconds", "max_backoff_seconds"):
      value = getattr(self, name)
      if not (isinstance(value, (int, float)) and value >= 0
              and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0, got "
                         f"{value!r}.")


class RestartTracker:
  """The restart history of one node under a RestartPolicy."""

  def __init__(self, policy: RestartPolicy):
    self._policy = policy
    self._times = collections.deque()

  def next_delay(self, now: float):
    """Seconds to wait before restarting at `now`, or None if over the limit."""
    window = self._policy.window_minutes * 60
    while self._times and now - self._times[0] > window:
      self._times.popleft()
    if len(self._times) >= self._policy.max_restarts:
      return None
    self._times.append(now)
    delay = self._policy.backoff_seconds * 2 ** (len(self._times) - 1)
    return min(delay, self._policy.max_backoff_seconds)
