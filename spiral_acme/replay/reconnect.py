"""Replay waits that notice a lost server, for nodes of a distributed run.

A Reverb client does not fail when its server dies: sampling and
`client.insert` block forever, and after a restart at the same address the
old client's channel can stay in gRPC's reconnect backoff for a while. So a
distributed node (1) never blocks on replay without looking up, (2) asks a
fresh client whether the server is still the one it started with, and
(3) on loss, builds new clients, writers and datasets and carries on:

    probe = ServerProbe(address)
    batches = WatchedBatches(lambda: ReplayBatches(reverb.Client(address),
                                                   "episodes", batch_size=8),
                             probe, should_stop=lambda: lp.wait_for_stop(0))
    try:
      sample = next(batches)
    except ReplayUnavailableError:
      wait_for_server(address, should_stop=...)   # then rebuild the learner
    except StopRequested:
      ...                                          # save and return

Items in flight when a server dies (queued episodes, a half-sampled batch)
are lost; a restarted server starts with empty tables.
"""

import concurrent.futures
import threading
import time
from typing import Any, Callable, Dict, Iterator, Optional, Sequence

import reverb
import tensorflow as tf

from spiral_acme.replay import timeouts
from spiral_acme.replay import variables as variables_lib

# Messages of errors that mean "the server went away" (Reverb raises
# RuntimeError or tf errors that carry gRPC's status text).
_CONNECTION_WORDS = ("UNAVAILABLE", "Socket closed", "Connection reset",
                     "failed to connect", "Connection refused",
                     "DEADLINE_EXCEEDED", "Broken pipe",
                     "Error when confirming that all items written")


def _in_daemon_thread(fn: Callable[..., Any], *args: Any,
                      **kwargs: Any) -> concurrent.futures.Future:
  """Runs `fn` in a new daemon thread (a call stuck on a dead server must
  not keep the process from exiting, as an executor's thread would)."""
  future = concurrent.futures.Future()

  def call() -> None:
    if not future.set_running_or_notify_cancel():
      return
    try:
      future.set_result(fn(*args, **kwargs))
    except BaseException as e:  # pylint: disable=broad-except
      future.set_exception(e)

  threading.Thread(target=call, name=f"replay-{getattr(fn, '__name__', 'call')}",
                   daemon=True).start()
  return future


class ReplayUnavailableError(ConnectionError):
  """The replay server is unreachable or was restarted since we connected."""


class StopRequested(Exception):
  """A wait on replay ended because the program is stopping."""


def is_connection_error(error: BaseException) -> bool:
  """Whether `error` says the replay server was lost (not a bug or a limit)."""
  if isinstance(error, (ReplayUnavailableError, reverb.errors.DeadlineExceededError,
                        tf.errors.UnavailableError, tf.errors.CancelledError,
                        tf.errors.DeadlineExceededError)):
    return True
  if isinstance(error, (RuntimeError, tf.errors.OpError)):
    text = str(error)
    return any(word in text for word in _CONNECTION_WORDS)
  return False


class ServerProbe:
  """Tells whether the server at `address` is still the one first seen.

  Each check uses a fresh client (an old one may sit in reconnect backoff).
  A server is the same while its uptime (the tables' worker time) grows; a
  restarted one starts again near zero.
  """

  def __init__(self, address: str, *, timeout_seconds: float = 10.0):
    self._address = address
    self._timeout = timeout_seconds
    self._last_uptime: Optional[float] = None
    self._sizes: Dict[str, int] = {}

  @property
  def address(self) -> str:
    return self._address

  def table_size(self, table: str) -> int:
    """Items in `table` at the last check (0 if unknown)."""
    return self._sizes.get(table, 0)

  def uptime_ms(self) -> Optional[float]:
    """The server's uptime in ms, or None when it does not answer."""
    try:
      info = reverb.Client(self._address).server_info(
          timeout=max(1, int(self._timeout)))
    except Exception:  # pylint: disable=broad-except
      return None
    self._sizes = {name: t.current_size for name, t in info.items()}
    if not info:
      return 0.0
    worker = next(iter(info.values())).table_worker_time
    return float(worker.running_ms + worker.sleeping_ms)

  def lost(self) -> bool:
    """True when the server is unreachable or restarted since the last check."""
    uptime = self.uptime_ms()
    if uptime is None:
      return True
    restarted = self._last_uptime is not None and uptime < self._last_uptime
    self._last_uptime = uptime
    return restarted

  def reset(self) -> None:
    """Forgets the server seen so far (after reconnecting to a new one)."""
    self._last_uptime = None


def wait_for_server(probe: ServerProbe, *,
                    should_stop: Callable[[], bool],
                    timeout: Optional[float],
                    poll_seconds: float = 1.0) -> bool:
  """Waits until the server answers; False if stopping first.

  Raises:
    ReplayUnavailableError: it did not come back within `timeout` seconds.
  """
  deadline = None if timeout is None else time.monotonic() + timeout
  while probe.uptime_ms() is None:
    if should_stop():
      return False
    if deadline is not None and time.monotonic() > deadline:
      raise ReplayUnavailableError(
          f"Replay server {probe.address} did not come back within "
          f"{timeout:g} s.")
    time.sleep(poll_seconds)
  probe.reset()
  probe.lost()  # Records the new server's uptime.
  return not should_stop()


class WatchedBatches:
  """An iterator whose waits end on a stop or a lost server.

  `next` fetches in a background thread and, every `poll_seconds`, checks
  `should_stop()` (raises StopRequested; the fetch stays pending for the
  next call) and the probe (raises ReplayUnavailableError; the stuck fetch
  is abandoned). A fetch that stays stuck for `stall_polls` checks while
  `table` holds a whole batch (a stream left broken by a restart, which
  the probe may miss) is treated as a lost server too. Errors of the fetch
  itself propagate.
  """

  def __init__(self, make_iterator: Callable[[], Iterator[Any]],
               probe: ServerProbe, *,
               should_stop: Callable[[], bool],
               table: Optional[str] = None, batch_size: int = 1,
               poll_seconds: float = 5.0, stall_polls: int = 3):
    self._iterator = make_iterator()
    self._probe = probe
    self._should_stop = should_stop
    self._table = table
    self._batch_size = batch_size
    self._stall_polls = stall_polls
    self._poll = poll_seconds
    self._pending: Optional[concurrent.futures.Future] = None
    self._probe.lost()  # Records the server's uptime.

  def __iter__(self) -> "WatchedBatches":
    return self

  def __next__(self) -> Any:
    if self._pending is None:
      self._pending = _in_daemon_thread(next, self._iterator)
    stalled = 0
    while True:
      try:
        result = self._pending.result(timeout=self._poll)
      except concurrent.futures.TimeoutError:
        if self._should_stop():
          raise StopRequested() from None
        if self._probe.lost():
          self.abandon()
          raise ReplayUnavailableError(
              f"Replay server {self._probe.address} was lost while sampling."
          ) from None
        full = (self._table is not None and
                self._probe.table_size(self._table) >= self._batch_size)
        stalled = stalled + 1 if full else 0
        if stalled >= self._stall_polls:
          self.abandon()
          raise ReplayUnavailableError(
              f"Sampling {self._table!r} stalled with "
              f"{self._probe.table_size(self._table)} items waiting.") from None
        continue
      except BaseException:
        self._pending = None
        raise
      self._pending = None
      return result

  def abandon(self) -> None:
    """Leaves a stuck fetch behind (its thread may stay blocked for good)."""
    self._pending = None


class TimedPublisher:
  """Publishes variables like VariablePublisher, but never blocks for good.

  `client.insert` waits forever on a dead server; here it runs in a helper
  thread and a publish that takes longer than `timeout_seconds` raises
  ReplayUnavailableError (inserts into a `max_size=1` table never wait for
  room, so a slow insert means a lost server), as does an insert that fails
  for a lost connection.
  """

  def __init__(self, client: reverb.Client, table: str,
               variables: Sequence[tf.Variable], *,
               timeout_seconds: float = 30.0):
    self._client = client
    self._table = table
    self._read = variables_lib.values_reader(variables)
    self._timeout = timeout_seconds
    self._lock = threading.Lock()

  def publish(self) -> None:
    values = self._read()
    with self._lock:
      future = _in_daemon_thread(
          self._client.insert, values, priorities={self._table: 1.0})
      try:
        future.result(timeout=self._timeout)
      except concurrent.futures.TimeoutError:
        raise ReplayUnavailableError(
            f"Publishing to {self._table!r} took over {self._timeout:g} s: "
            f"{timeouts.describe_table(self._client, self._table)}") from None
      except Exception as e:  # pylint: disable=broad-except
        if is_connection_error(e):
          raise ReplayUnavailableError(
              f"Publishing to {self._table!r} failed: {e}") from e
        raise
