"""Turns SIGINT/SIGTERM into a request to stop at the next safe point.

    with StopRequest() as stop:
      while not stop.requested:
        step()          # finishes the current step
      save()            # then saves and exits normally

A second SIGINT while a stop is pending aborts at once (exit status 130),
for a run that is stuck or that the user does not want to wait for.
"""

import os
import signal
import sys
import threading
from typing import Callable, Dict, Optional

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
  """Records the first stop signal; the second SIGINT exits immediately."""

  def __init__(self, *, print_fn: Callable[[str], None] = None):
    self._event = threading.Event()
    self._print = print_fn or (lambda text: print(text, file=sys.stderr,
                                                  flush=True))
    self._previous: Dict[int, object] = {}
    self._signal_name: Optional[str] = None

  @property
  def requested(self) -> bool:
    return self._event.is_set()

  @property
  def signal_name(self) -> Optional[str]:
    return self._signal_name

  def request(self, reason: str = "stop requested") -> None:
    """Asks the run to stop (what a signal does; also for tests and nodes)."""
    if self._signal_name is None:
      self._signal_name = reason
    self._event.set()

  def wait(self, timeout: Optional[float] = None) -> bool:
    return self._event.wait(timeout)

  def _handle(self, signum, unused_frame) -> None:
    name = signal.Signals(signum).name
    if self._event.is_set() and signum == signal.SIGINT:
      self._print(f"{name} again: aborting now without saving (the last "
                  "checkpoint stays).")
      os._exit(130)  # pylint: disable=protected-access
    self._print(f"{name}: finishing the current step, then saving and "
                "exiting (Ctrl-C again aborts at once).")
    self.request(name)

  def __enter__(self) -> "StopRequest":
    if threading.current_thread() is threading.main_thread():
      for signum in _SIGNALS:
        self._previous[signum] = signal.signal(signum, self._handle)
    return self

  def __exit__(self, *unused_exc_info) -> None:
    for signum, handler in self._previous.items():
      signal.signal(signum, handler)
    self._previous.clear()
