"""The context a node runs in: how its handles resolve and how it stops.

Node code uses the module-level functions exactly as in Launchpad:

  while not lp.wait_for_stop(0):      # or: while not lp.stop_event().is_set()
    learner.step()
  learner.save_checkpoint()

  lp.register_stop_handler(writer.close)   # runs once, when stopping starts
  lp.stop()                                # asks the whole program to stop

A launcher installs a `NodeContext` for the threads it starts (thread-local)
and, in a node's own process, for the whole process (the fallback for
threads the node starts itself, e.g. RPC server threads).
"""

import threading
from typing import Any, Callable, List, Optional

from absl import logging

StopHandler = Callable[[], None]


class NodeContext:
  """Stop state and address book shared by the nodes of one process/program.

  Args:
    runtime: resolves handles in this process (see `runtime.Runtime`).
    program_stopper: asks the whole program to stop (may return before the
      stop reaches this node).
  """

  def __init__(self, runtime: Any, program_stopper: Callable[[], None]):
    self.runtime = runtime
    self._program_stopper = program_stopper
    self._stop_event = threading.Event()
    self._handlers: List[StopHandler] = []
    self._lock = threading.Lock()

  @property
  def stop_event(self) -> threading.Event:
    return self._stop_event

  def request_program_stop(self) -> None:
    self._program_stopper()

  def trigger_stop(self) -> None:
    """Marks this context as stopping and runs each stop handler once."""
    with self._lock:
      if self._stop_event.is_set():
        return
      self._stop_event.set()
      handlers, self._handlers = self._handlers, []
    for handler in handlers:
      try:
        handler()
      except Exception:  # pylint: disable=broad-except
        logging.exception("Stop handler %r raised.", handler)

  def register_stop_handler(self, handler: StopHandler) -> None:
    if not callable(handler):
      raise TypeError(f"Stop handler must be callable, got {handler!r}.")
    with self._lock:
      if not self._stop_event.is_set():
        self._handlers.append(handler)
        return
    handler()  # Already stopping: run it now, like a late registration.

  def unregister_stop_handler(self, handler: StopHandler) -> None:
    with self._lock:
      if handler in self._handlers:
        self._handlers.remove(handler)


_THREAD = threading.local()
_PROCESS: Optional[NodeContext] = None


def set_thread_context(context: Optional[NodeContext]) -> None:
  _THREAD.context = context


def set_process_context(context: Optional[NodeContext]) -> None:
  global _PROCESS
  _PROCESS = context


def current() -> NodeContext:
  """The calling thread's context, else the process's; raises outside nodes."""
  context = getattr(_THREAD, "context", None) or _PROCESS
  if context is None:
    raise RuntimeError(
        "No launchpad node context in this thread: stop(), wait_for_stop() "
        "and handle.dereference() work only inside a launched program.")
  return context


def stop() -> None:
  """Asks the whole program to stop (every node gets its stop event)."""
  current().request_program_stop()


def wait_for_stop(timeout_secs: Optional[float] = None) -> bool:
  """Blocks until the program is stopping or `timeout_secs` pass.

  Returns True when the program is stopping, False on timeout, so
  `while not wait_for_stop(0): ...` loops until a stop.
  """
  return current().stop_event.wait(timeout_secs)


def stop_event() -> threading.Event:
  """The event that is set when the program starts stopping."""
  return current().stop_event


def register_stop_handler(handler: StopHandler) -> None:
  """Calls `handler()` once when the program starts stopping (e.g. SIGTERM)."""
  current().register_stop_handler(handler)


def unregister_stop_handler(handler: StopHandler) -> None:
  current().unregister_stop_handler(handler)
