"""ray: every node a named Ray actor; the driver supervises and stops them.

Actors get `max_restarts` (and `max_task_retries`) so Ray restarts a node
whose process dies; the actor rebuilds its node in `__init__`. A small
controller actor receives lp.stop() from the nodes. `--ray_address` maps to
`ray_address`: None starts a local Ray (asked for 127.0.0.1; Ray 2.x uses the
machine's address instead, see docs/distributed.md). Given a workdir
(shared by every node, as checkpoints are), nodes log to
WORKDIR/logs/<node>.log and the driver keeps WORKDIR/nodes.json current, as
under local_mp (each node's worker pid, restarts and state).
"""

import logging as std_logging
import os
import sys
import threading
import time
import traceback
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from absl import logging
import cloudpickle
import ray

from spiral_acme.launchpad import context
from spiral_acme.launchpad import program as program_lib
from spiral_acme.launchpad.launchers import ray_runtime
from spiral_acme.launchpad.launchers import status as status_lib
from spiral_acme.launchpad.launchers import stop_order as stop_order_lib

_POLL_SECONDS = 0.2
_CALL_TIMEOUT = 600.0
# How long a local Ray head may take to bind its GCS port (Ray's own
# default is 30 s); a value already in the environment wins.
GCS_PORT_WAIT_VARIABLE = "RAY_gcs_server_port_wait_time_s"
GCS_PORT_WAIT_SECONDS = "120"


class _Controller:
  """Receives lp.stop() from nodes; the driver polls it."""

  def __init__(self):
    self._reason = None

  def stop(self, caller: str) -> None:
    self._reason = self._reason or f"lp.stop() called by {caller}"

  def reason(self) -> Optional[str]:
    return self._reason


def _log_to_file(path: str, name: str) -> None:
  """Appends this worker's logging, from INFO up, to `path`.

  Ray keeps no INFO lines of its workers, and a restarted node's log must
  follow the one it replaces, as local_mp's logs/<node>.log do.
  """
  os.makedirs(os.path.dirname(path), exist_ok=True)
  handler = std_logging.FileHandler(path)
  handler.setFormatter(std_logging.Formatter(
      f"%(asctime)s {name} %(levelname)s %(message)s"))
  root = std_logging.getLogger()
  root.addHandler(handler)
  root.setLevel(std_logging.INFO)
  logging.set_verbosity(logging.INFO)
  logging.info("=== ray: starting %s in pid %d ===", name, os.getpid())


class _NodeActor:
  """Hosts one node (or colocation): runs it in a thread, serves its calls."""

  def __init__(self, node_bytes: bytes, runtime: ray_runtime.RayRuntime,
               controller_name: str, namespace: str,
               log_path: Optional[str] = None):
    self._node = cloudpickle.loads(node_bytes)
    if log_path is not None:
      _log_to_file(log_path, self._node.name)
    self._runtime = runtime
    self._state = status_lib.RUNNING
    self._error = ""
    self._asked_to_stop = False  # The node called lp.stop().

    def stop_program():
      self._asked_to_stop = True
      ray_runtime.get_actor(controller_name, namespace).stop.remote(
          self._node.name)

    self._context = context.NodeContext(runtime, stop_program)
    context.set_process_context(self._context)
    threading.Thread(target=self._run, name=self._node.name,
                     daemon=True).start()

  def _run(self) -> None:
    context.set_thread_context(self._context)
    try:
      self._node.run()
      # Finished: returned before the program stopped it, or after asking
      # for the stop itself (the budget node).
      stopped = self._context.stop_event.is_set() and not self._asked_to_stop
      self._state = status_lib.STOPPED if stopped else status_lib.FINISHED
    except BaseException:  # pylint: disable=broad-except
      self._error = traceback.format_exc()
      logging.error("%s failed:\n%s", self._node.name, self._error)
      self._state = status_lib.FAILED

  def call(self, node_id: str, method: str, args, kwargs) -> Any:
    if method.startswith("_"):
      raise AttributeError(f"private method {method!r} cannot be called "
                           "remotely.")
    obj = self._runtime.served(node_id, _CALL_TIMEOUT)
    return getattr(obj, method)(*args, **kwargs)

  def reverb_address(self, node_id: str) -> str:
    return self._runtime.local_reverb_address(node_id, _CALL_TIMEOUT)

  def poll(self):
    return self._state, self._error, os.getpid()

  def stop(self) -> None:
    self._context.trigger_stop()


class RayProgram:
  """A running ray program: `wait()` and `stop_and_wait()`."""

  def __init__(self, program: program_lib.Program, *,
               ray_address: Optional[str],
               resources: Mapping[str, Mapping[str, Any]],
               workdir: Optional[str] = None,
               stop_order: Sequence[str] = (),
               stop_when_done: Sequence[str] = (),
               grace_period_seconds: float = 10.0,
               max_restarts: int = 5,
               progress_fn: Optional[Callable] = None,
               progress_period_seconds: float = 10.0,
               ray_init_kwargs: Mapping[str, Any] = ()):
    unknown = sorted(set(resources) - set(program.groups))
    if unknown:
      raise ValueError(f"resources name groups {unknown} that are not in the "
                       f"program; expected some of {sorted(program.groups)}.")
    self._program = program
    self._ray_address = ray_address
    self._resources = resources
    self._order = stop_order_lib.group_stop_order(program, stop_order)
    self._done_names = set(stop_when_done)
    self._grace = grace_period_seconds
    self._max_restarts = max_restarts
    self._progress_fn = progress_fn
    self._progress_period = progress_period_seconds
    self._ray_init_kwargs = dict(ray_init_kwargs)
    self._namespace = f"lp-{program.name}-{uuid.uuid4().hex[:8]}"
    self._workdir = None if workdir is None else os.path.abspath(workdir)
    self._actors: Dict[str, Any] = {}
    self._statuses: Dict[str, status_lib.NodeStatus] = {}
    self._stop_reason: Optional[str] = None
    self._failure: Optional[str] = None
    self._owns_ray = False
    self._done = threading.Event()
    self._lock = threading.Lock()
    book = {}
    for node in program.get_all_nodes():
      for inner in node.colocated():
        book[inner.id] = {"name": inner.name, "actor": node.name}
    self._runtime = ray_runtime.RayRuntime(book, self._namespace)

  def start(self) -> "RayProgram":
    if not ray.is_initialized():
      self._owns_ray = True
      if self._ray_address is None:
        paths = [p or os.getcwd() for p in sys.path]
        # A local head on a busy machine (a run's other processes, a test
        # suite) can take longer than Ray's default to bind its GCS port.
        os.environ.setdefault(GCS_PORT_WAIT_VARIABLE, GCS_PORT_WAIT_SECONDS)
        ray.init(_node_ip_address="127.0.0.1", include_dashboard=False,
                 runtime_env={"env_vars": {
                     "PYTHONPATH": os.pathsep.join(paths)}},
                 **self._ray_init_kwargs)
      else:
        ray.init(address=self._ray_address, **self._ray_init_kwargs)
    controller_name = f"{self._program.name}-controller"
    self._controller = ray.remote(_Controller).options(
        name=controller_name, namespace=self._namespace,
        num_cpus=0).remote()
    actor_cls = ray.remote(_NodeActor)
    for group, members in self._program.groups.items():
      for node in members:
        options = dict(name=node.name, namespace=self._namespace,
                       max_concurrency=64, max_restarts=self._max_restarts,
                       max_task_retries=self._max_restarts)
        options.update(self._resources.get(group, {}))
        self._actors[node.name] = actor_cls.options(**options).remote(
            cloudpickle.dumps(node), self._runtime, controller_name,
            self._namespace, self._log_path(node.name))
        self._statuses[node.name] = status_lib.NodeStatus(node.name, group)
    threading.Thread(target=self._supervise, name="lp-ray-supervisor",
                     daemon=True).start()
    return self

  def request_stop(self, reason: str) -> None:
    with self._lock:
      if self._stop_reason is None:
        self._stop_reason = reason
        logging.info("Stopping program %s: %s.", self._program.name, reason)

  def _poll(self, name: str) -> None:
    status = self._statuses[name]
    try:
      state, error, pid = ray.get(self._actors[name].poll.remote(),
                                  timeout=30)
    except ray.exceptions.GetTimeoutError:
      return
    except ray.exceptions.RayActorError as e:
      status.state = status_lib.FAILED
      self._failure = f"Node {name} died and was not restarted: {e}"
      self.request_stop(f"{name} died")
      return
    if status.pid is not None and pid != status.pid:
      status.restarts += 1
    status.pid, status.state = pid, state
    if state == status_lib.FAILED:
      self._failure = f"Node {name} failed:\n{error}"
      self.request_stop(f"{name} failed")
    elif state == status_lib.FINISHED and (
        name in self._done_names or status.group in self._done_names):
      self.request_stop(f"{name} finished")

  def _supervise(self) -> None:
    context.set_thread_context(context.NodeContext(
        self._runtime, lambda: self.request_stop("lp.stop() in progress_fn")))
    try:
      next_progress = time.monotonic()
      while self._stop_reason is None:
        for name in self._actors:
          self._poll(name)
        reason = ray.get(self._controller.reason.remote())
        if reason:
          self.request_stop(reason)
        if all(s.state in (status_lib.FINISHED, status_lib.STOPPED)
               for s in self._statuses.values()):
          self.request_stop("all nodes are done")
        if self._progress_fn is not None and time.monotonic() >= next_progress:
          try:
            self._progress_fn(self.statuses())
          except Exception:  # pylint: disable=broad-except
            logging.exception("progress_fn raised.")
          next_progress = time.monotonic() + self._progress_period
        self._write_status("running")
        time.sleep(_POLL_SECONDS)
      self._write_status("stopping")
      self._ordered_stop()
    except BaseException:  # pylint: disable=broad-except
      logging.exception("Ray supervisor failed.")
      self._failure = self._failure or traceback.format_exc()
    finally:
      for actor in list(self._actors.values()) + [self._controller]:
        ray.kill(actor, no_restart=True)
      if self._owns_ray:
        ray.shutdown()
      self._write_status("failed" if self._failure else "stopped")
      self._done.set()

  def _ordered_stop(self) -> None:
    for group in self._order:
      names = [n.name for n in self._program.groups[group]]
      final = {name: self._statuses[name].state for name in names}
      for name in names:
        self._statuses[name].state = status_lib.STOPPING
        self._actors[name].stop.remote()
      deadline = time.monotonic() + self._grace
      pending = list(names)
      while pending and time.monotonic() < deadline:
        try:
          states = ray.get([self._actors[n].poll.remote() for n in pending],
                           timeout=max(0.1, deadline - time.monotonic()))
        except (ray.exceptions.GetTimeoutError,
                ray.exceptions.RayActorError):
          break
        final.update((n, state) for n, (state, _, _) in zip(pending, states))
        pending = [n for n, (state, _, _) in zip(pending, states)
                   if state in (status_lib.RUNNING, status_lib.STOPPING)]
        time.sleep(_POLL_SECONDS)
      for name in names:
        ray.kill(self._actors[name], no_restart=True)
        self._statuses[name].state = (
            status_lib.FINISHED if final[name] == status_lib.FINISHED
            else status_lib.STOPPED)

  def _log_path(self, name: str) -> Optional[str]:
    """WORKDIR/logs/<node>.log, or None (Ray's own logs) without a workdir."""
    if self._workdir is None:
      return None
    return os.path.join(self._workdir, "logs", f"{name}.log")

  def _write_status(self, program_state: str) -> None:
    """Rewrites WORKDIR/nodes.json (when there is a workdir); a failed write
    is only logged, so it cannot stop the supervisor."""
    if self._workdir is None:
      return
    path = os.path.join(self._workdir, "nodes.json")
    try:
      os.makedirs(self._workdir, exist_ok=True)
      status_lib.write_status_file(
          path, self.statuses(), program=self._program.name,
          state=program_state, supervisor_pid=os.getpid())
    except OSError as e:
      logging.warning("Could not write %s: %s", path, e)

  def statuses(self) -> List[status_lib.NodeStatus]:
    return [status_lib.NodeStatus(**vars(s)) for s in self._statuses.values()]

  def wait(self, timeout: Optional[float] = None) -> bool:
    """Waits until the program has stopped; raises if a node failed."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while not self._done.wait(0.2):
      if deadline is not None and time.monotonic() > deadline:
        return False
    if self._failure:
      raise RuntimeError(self._failure)
    return True

  def stop_and_wait(self) -> None:
    self.request_stop("stop_and_wait() called")
    try:
      self.wait()
    except RuntimeError as e:
      logging.warning("%s", e)
