"""Thread-safe counters of steps, episodes and updates, shared across workers.

Counters form a tree: each worker owns a child with a prefix ("actor",
"learner") whose counts flow up into a shared parent, so every worker can log
every other worker's progress (e.g. environment frames per learner step) and
turn counts into rates. Children push to their parent at most once every
`time_delta` seconds because in the distributed program the parent may sit
behind a network call.
"""

import math
import numbers
import threading
import time
from typing import Any, Dict, Mapping, Optional

from spiral_acme import core

Number = numbers.Number


def _add_prefix(counts: Mapping[str, Number], prefix: str) -> Dict[str, Number]:
  if not prefix:
    return dict(counts)
  return {f"{prefix}_{key}": value for key, value in counts.items()}


def _check_counts(counts: Mapping[str, Number], what: str) -> None:
  for key, value in counts.items():
    if not isinstance(key, str):
      raise TypeError(f"{what}: count names must be str, got {key!r}.")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
      raise TypeError(
          f"{what}: count {key!r} must be a real number, got {value!r}.")


class Counter(core.Saveable):
  """Named running totals, optionally forwarded to a parent counter.

  Typical use:

    root = Counter()
    learner_counter = Counter(root, "learner")
    learner_counter.increment(steps=1)   # {"learner_steps": 1, ...}

  Keys of a child appear in its parent (and so in its siblings' counts) as
  `f"{prefix}_{key}"`, or unchanged when the prefix is empty.
  """

  def __init__(self,
               parent: Optional[Any] = None,
               prefix: str = "",
               *,
               time_delta: float = 1.0,
               return_only_prefixed: bool = False):
    """Creates a counter.

    Args:
      parent: receives this counter's increments through its
        `increment(**counts) -> counts`: a Counter, or a client of a counter
        in another process (e.g. a launchpad handle to a counter node), or
        None.
      prefix: prepended (with "_") to this counter's keys in the parent.
      time_delta: seconds between pushes to the parent; 0 pushes on every
        call. Counts not yet pushed still show in this counter's own counts.
      return_only_prefixed: when True, `get_counts` returns only the keys of
        this counter, without the prefix (needs a non-empty prefix).
    """
    # A remote client answers every attribute with a callable, so `callable`
    # is the only check that does not make a call.
    if parent is not None and not callable(getattr(parent, "increment", None)):
      raise TypeError("parent must have an increment(**counts) method (a "
                      f"Counter or a client of one) or be None, got {parent!r}.")
    if not isinstance(prefix, str):
      raise TypeError(f"prefix must be a str, got {prefix!r}.")
    if not (isinstance(time_delta, numbers.Real) and time_delta >= 0
            and math.isfinite(time_delta)):
      raise ValueError(
          f"time_delta must be a finite number >= 0 seconds, got "
          f"{time_delta!r}.")
    if return_only_prefixed and not prefix:
      raise ValueError("return_only_prefixed=True needs a non-empty prefix.")
    self._parent = parent
    self._prefix = prefix
    self._time_delta = float(time_delta)
    self._return_only_prefixed = return_only_prefixed
    self._counts: Dict[str, Number] = {}  # Not yet pushed to the parent.
    self._cache: Dict[str, Number] = {}  # Parent's totals at the last push.
    self._last_sync: Optional[float] = None  # None: push on the next read.
    self._lock = threading.Lock()

  def increment(self, **counts: Number) -> Dict[str, Number]:
    """Adds `counts` to the totals and returns all counts (see get_counts)."""
    _check_counts(counts, "Counter.increment")
    with self._lock:
      for key, value in counts.items():
        self._counts[key] = self._counts.get(key, 0) + value
    return self.get_counts()

  def get_counts(self) -> Dict[str, Number]:
    """Returns this counter's totals merged with its parent's (prefixed).

    The push to the parent happens outside the lock: a remote parent may be
    slow or briefly gone (restarting), and other threads keep counting
    meanwhile. A failed push keeps its counts for the next one; a parent
    lost during the push (ConnectionError) is not an error for the caller,
    who gets the last totals plus what is pending.
    """
    pending = None
    with self._lock:
      now = time.monotonic()
      if self._parent is not None and (
          self._last_sync is None or now - self._last_sync >= self._time_delta):
        pending, self._counts = self._counts, {}
        self._last_sync = now
    if pending is not None:
      try:
        cache = self._parent.increment(**_add_prefix(pending, self._prefix))
      except BaseException as e:
        with self._lock:  # Put them back; the next push retries.
          for key, value in pending.items():
            self._counts[key] = self._counts.get(key, 0) + value
        if not isinstance(e, ConnectionError):
          raise
      else:
        with self._lock:
          self._cache = dict(cache)
    with self._lock:
      counts = dict(self._cache)
      for key, value in _add_prefix(self._counts, self._prefix).items():
        counts[key] = counts.get(key, 0) + value
    if self._return_only_prefixed:
      head = f"{self._prefix}_"
      counts = {key[len(head):]: value for key, value in counts.items()
                if key.startswith(head)}
    return counts

  def flush(self) -> Dict[str, Number]:
    """Pushes pending counts to the parent now (e.g. before a node exits)."""
    with self._lock:
      self._last_sync = None
    return self.get_counts()

  def get_steps_key(self) -> str:
    """Name under which this counter's "steps" appear in get_counts()."""
    if self._return_only_prefixed or not self._prefix:
      return "steps"
    return f"{self._prefix}_steps"

  def save(self) -> Dict[str, Dict[str, Number]]:
    """Returns the local totals and the cached parent totals (plain dicts)."""
    with self._lock:
      return {"counts": dict(self._counts), "cache": dict(self._cache)}

  def restore(self, state: Mapping[str, Mapping[str, Number]]) -> None:
    """Puts back a snapshot from `save`; a parent is re-synced on next read."""
    if not isinstance(state, Mapping) or set(state) != {"counts", "cache"}:
      raise ValueError(
          "Counter.restore expects a mapping with keys 'counts' and 'cache' "
          f"(as returned by save()), got {state!r}.")
    for part in ("counts", "cache"):
      if not isinstance(state[part], Mapping):
        raise ValueError(
            f"Counter.restore: state[{part!r}] must be a mapping, got "
            f"{state[part]!r}.")
      _check_counts(state[part], f"Counter.restore state[{part!r}]")
    with self._lock:
      self._counts = dict(state["counts"])
      self._cache = dict(state["cache"])
      self._last_sync = None
