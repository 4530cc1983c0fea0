"""local_mt: every node a thread of the launching process.

Handles dereference to the objects themselves (behind a thin client that
offers `.futures` and waits for the object to be built, so cycles work);
Reverb servers get free ports on 127.0.0.1. Nodes cannot be killed, so
stopping relies on node code honouring the stop event.
"""

import concurrent.futures
import threading
import time
from typing import Callable, Dict, List, Optional, Sequence, Set

from absl import logging

from spiral_acme.launchpad import context
from spiral_acme.launchpad import program as program_lib
from spiral_acme.launchpad import runtime as runtime_lib
from spiral_acme.launchpad.courier import clients
from spiral_acme.launchpad.launchers import status as status_lib
from spiral_acme.launchpad.nodes import base


class ThreadsRuntime(runtime_lib.Runtime):
  """Resolves handles to same-process objects and local Reverb ports."""

  def __init__(self, names: Dict[str, str]):
    self._names = names
    self._slots = clients.ObjectSlots()
    self._ports: Dict[str, int] = {}
    self._lock = threading.Lock()
    self._executor = concurrent.futures.ThreadPoolExecutor(
        max_workers=16, thread_name_prefix="courier-futures")

  def courier_client(self, node_id):
    return clients.LocalCourierClient(self._names.get(node_id, node_id),
                                      self._slots.get(node_id),
                                      self._executor)

  def serve_courier(self, node_id, obj):
    self._slots.get(node_id).set_result(obj)
    return lambda: None

  def courier_failed(self, node_id, error):
    self._slots.get(node_id).set_exception(error)

  def reverb_port(self, node_id):
    with self._lock:
      if node_id not in self._ports:
        self._ports[node_id] = runtime_lib.free_port()
      return self._ports[node_id]

  def reverb_address(self, node_id):
    return f"127.0.0.1:{self.reverb_port(node_id)}"

  def close(self) -> None:
    self._executor.shutdown(wait=False, cancel_futures=True)


class ThreadsProgram:
  """A running local_mt program: `wait()` and `stop_and_wait()`."""

  def __init__(self, program: program_lib.Program, *,
               stop_when_done: Sequence[str] = (),
               grace_period_seconds: float = 10.0,
               progress_fn: Optional[Callable] = None,
               progress_period_seconds: float = 10.0):
    self._grace = grace_period_seconds
    self._progress_fn = progress_fn
    self._progress_period = progress_period_seconds
    self._done_names = set(stop_when_done)
    nodes = program.get_all_nodes()
    names = {n.id: n.name for node in nodes for n in node.colocated()}
    self._runtime = ThreadsRuntime(names)
    self._context = context.NodeContext(self._runtime, self._lp_stop)
    self._lock = threading.Lock()
    self._stop_callers: Set[threading.Thread] = set()  # Called lp.stop().
    self._errors: List[BaseException] = []
    self._changed = threading.Event()
    self._statuses: Dict[str, status_lib.NodeStatus] = {}
    self._threads: List[threading.Thread] = []
    self._owns_process_context = False
    for group, members in program.groups.items():
      for node in members:
        self._statuses[node.name] = status_lib.NodeStatus(
            node.name, group, state=status_lib.RUNNING)
        self._threads.append(threading.Thread(
            target=self._run_node, args=(node, group), name=node.name,
            daemon=True))

  def start(self) -> "ThreadsProgram":
    try:
      context.current()
    except RuntimeError:
      # Threads that nodes start themselves fall back to this context.
      context.set_process_context(self._context)
      self._owns_process_context = True
    for thread in self._threads:
      thread.start()
    return self

  def _run_node(self, node: base.Node, group: str) -> None:
    context.set_thread_context(self._context)
    state = status_lib.FINISHED
    try:
      node.run()
    except BaseException as e:  # pylint: disable=broad-except
      logging.exception("Node %s failed.", node.name)
      state = status_lib.FAILED
      with self._lock:
        self._errors.append(e)
      self.request_stop()
    with self._lock:
      # Finished: returned before the program stopped, or after asking for
      # the stop itself (the budget node).
      stopped = (self._context.stop_event.is_set()
                 and threading.current_thread() not in self._stop_callers)
      self._statuses[node.name].state = (
          status_lib.STOPPED if state == status_lib.FINISHED and stopped
          else state)
    if node.name in self._done_names or group in self._done_names:
      self.request_stop()
    self._changed.set()

  def _lp_stop(self) -> None:
    with self._lock:
      self._stop_callers.add(threading.current_thread())
    self.request_stop()

  def request_stop(self) -> None:
    """Sets every node's stop event (what lp.stop() does here)."""
    self._context.trigger_stop()
    self._changed.set()

  def statuses(self) -> List[status_lib.NodeStatus]:
    with self._lock:
      return [status_lib.NodeStatus(**vars(s)) for s in
              self._statuses.values()]

  def wait(self, timeout: Optional[float] = None) -> bool:
    """Waits until all nodes are done; raises the first node error.

    Returns False if `timeout` seconds passed first, True otherwise.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    stop_deadline = None
    next_progress = time.monotonic()
    while any(t.is_alive() for t in self._threads):
      now = time.monotonic()
      if self._progress_fn is not None and now >= next_progress:
        self._call_progress()
        next_progress = now + self._progress_period
      if self._context.stop_event.is_set() and stop_deadline is None:
        stop_deadline = now + self._grace
      if stop_deadline is not None and now > stop_deadline:
        logging.warning("Nodes still running %.0f s after stop: %s", self._grace,
                        [t.name for t in self._threads if t.is_alive()])
        break
      if deadline is not None and now > deadline:
        return False
      self._changed.wait(0.1)
      self._changed.clear()
    self._finish()
    with self._lock:
      if self._errors:
        raise self._errors[0]
    return True

  def _call_progress(self) -> None:
    try:
      self._progress_fn(self.statuses())
    except Exception:  # pylint: disable=broad-except
      logging.exception("progress_fn raised.")

  def stop_and_wait(self) -> None:
    """Stops the program and waits for the nodes (errors are only logged)."""
    self.request_stop()
    try:
      self.wait()
    except Exception:  # pylint: disable=broad-except
      logging.exception("A node failed before the stop.")

  def _finish(self) -> None:
    self.request_stop()
    self._runtime.close()
    if self._owns_process_context:
      context.set_process_context(None)
      self._owns_process_context = False
