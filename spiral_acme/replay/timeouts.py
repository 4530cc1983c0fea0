"""Bounded waits on Reverb, and errors that say what was being waited for.

Every blocking call on replay (sampling a batch, writing an episode into a
full queue, fetching published variables) is given a deadline. When it
passes, `ReplayTimeoutError` names the table, its size and its insert and
sample counts, so a stalled run stops with a diagnosis instead of hanging.
"""

import time
from typing import Callable, Optional, TypeVar

import reverb

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 600.0


class ReplayTimeoutError(TimeoutError):
  """A wait on a Reverb table outlasted its deadline."""


def describe_table(client: reverb.Client, table: str) -> str:
  """"table 'x': size 3/256, 120 inserted, 117 sampled" (or why unknown)."""
  try:
    info = client.server_info(timeout=5)[table]
  except Exception as e:  # pylint: disable=broad-except
    return f"table {table!r}: server not reachable ({type(e).__name__})"
  limiter = info.rate_limiter_info
  return (f"table {table!r}: size {info.current_size}/{info.max_size}, "
          f"{limiter.insert_stats.completed} inserted, "
          f"{limiter.sample_stats.completed} sampled")


def timeout_error(client: reverb.Client, table: str, waiting_for: str,
                  seconds: float) -> ReplayTimeoutError:
  return ReplayTimeoutError(
      f"Waited {seconds:g} s for {waiting_for}; {describe_table(client, table)}"
      ". Replay stopped delivering: check that actors and learners are alive, "
      "or raise the replay timeout.")


def wait_until(condition: Callable[[], bool], *, timeout: float,
               on_timeout: Callable[[], Exception],
               poll_seconds: float = 0.05) -> None:
  """Polls `condition` until true, raising `on_timeout()` after `timeout` s."""
  deadline = time.monotonic() + timeout
  delay = min(poll_seconds, 0.01)
  while not condition():
    if time.monotonic() >= deadline:
      raise on_timeout()
    time.sleep(delay)
    delay = min(2 * delay, poll_seconds)


def milliseconds(seconds: Optional[float]) -> int:
  """Reverb's timeout argument: -1 for no deadline."""
  return -1 if seconds is None else max(0, int(seconds * 1000))
