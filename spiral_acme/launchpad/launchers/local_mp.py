"""local_mp: one process per node under a supervisor in the launching process.

The supervisor
* allocates every serving node's address (127.0.0.1 + a free port) and a
  random program token up front and gives both to every child through the
  environment, so restarted nodes keep their address;
* runs `python -m spiral_acme.launchpad.node_main NODE.pkl` per node, logging
  to WORKDIR/logs/<node>.log, and keeps WORKDIR/nodes.json current;
* restarts a node that dies (non-zero exit or signal) with backoff, at most
  `max_restarts` times in `restart_window_minutes`; past that it stops the
  program and prints the node's last log lines;
* stops on SIGINT/SIGTERM, on lp.stop() from any node (a Courier "control"
  server), when a `stop_when_done` node finishes or when all nodes are done:
  SIGTERM group by group (`stop_order` first, other groups next, Reverb
  groups last), SIGKILL after `grace_period_seconds` per stage.
Children set PR_SET_PDEATHSIG, so they die with the supervisor even on
`kill -9`.
"""

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Dict, List, Optional, Sequence

import cloudpickle
from absl import logging

from spiral_acme.launchpad import context
from spiral_acme.launchpad import program as program_lib
from spiral_acme.launchpad import runtime as runtime_lib
from spiral_acme.launchpad.courier import grpc_transport
from spiral_acme.launchpad.launchers import grpc_runtime
from spiral_acme.launchpad.launchers import restart_policy as restart_lib
from spiral_acme.launchpad.launchers import status as status_lib
from spiral_acme.launchpad.launchers import stop_order as stop_order_lib
from spiral_acme.launchpad.nodes import base

_POLL_SECONDS = 0.1
_LOG_TAIL_LINES = 30


class ProgramFailedError(RuntimeError):
  """A node died more often than the restart policy allows."""


class _Child:
  """One node process and its history."""

  def __init__(self, node: base.Node, group: str, workdir: str,
               policy: restart_lib.RestartPolicy, address: Optional[str]):
    self.node = node
    self.group = group
    self.status = status_lib.NodeStatus(node.name, group, address=address)
    self.tracker = restart_lib.RestartTracker(policy)
    self.pickle_path = os.path.join(workdir, "nodes", f"{node.name}.pkl")
    self.log_path = os.path.join(workdir, "logs", f"{node.name}.log")
    self.process: Optional[subprocess.Popen] = None
    self.restart_at: Optional[float] = None
    self.returned = False  # run() returned before this process was stopped.

  def alive(self) -> bool:
    return self.process is not None and self.process.poll() is None


class _Control:
  """Served to the nodes by the supervisor: lp.stop() lands here."""

  def __init__(self, supervisor: "ProcessProgram"):
    self._supervisor = supervisor

  def stop(self, caller: str) -> None:
    self._supervisor.request_stop(f"lp.stop() called by {caller}")

  def ready(self, name: str, pid: int) -> None:
    self._supervisor.mark_running(name, pid)

  def returned(self, name: str, pid: int) -> None:
    self._supervisor.mark_returned(name, pid)


def tail(path: str, lines: int = _LOG_TAIL_LINES) -> str:
  """The last `lines` lines of a text file ('' if it does not exist)."""
  try:
    with open(path, "rb") as f:
      f.seek(0, os.SEEK_END)
      f.seek(max(0, f.tell() - 64 * 1024))
      text = f.read().decode("utf-8", "replace")
  except FileNotFoundError:
    return ""
  return "\n".join(text.splitlines()[-lines:])


class ProcessProgram:
  """A running local_mp program: `wait()` and `stop_and_wait()`."""

  def __init__(self, program: program_lib.Program, *, workdir: str,
               stop_order: Sequence[str] = (),
               stop_when_done: Sequence[str] = (),
               grace_period_seconds: float = 10.0,
               restart_policy: restart_lib.RestartPolicy = (
                   restart_lib.RestartPolicy()),
               progress_fn: Optional[Callable] = None,
               progress_period_seconds: float = 10.0,
               handle_signals: bool = True,
               python: str = sys.executable):
    self._program = program
    self._workdir = os.path.abspath(workdir)
    self._grace = grace_period_seconds
    self._done_names = set(stop_when_done)
    self._progress_fn = progress_fn
    self._progress_period = progress_period_seconds
    self._handle_signals = handle_signals
    self._python = python
    self._status_path = os.path.join(self._workdir, "nodes.json")
    self._token = secrets.token_hex(16)
    book = {}
    for node in program.get_all_nodes():
      for inner in node.colocated():
        if inner.serves_courier or inner.serves_reverb:
          book[inner.id] = {"name": inner.name,
                            "address": f"127.0.0.1:{runtime_lib.free_port()}"}
    self._runtime = grpc_runtime.GrpcRuntime(book, self._token)
    self._children: List[_Child] = []
    for group, members in program.groups.items():
      for node in members:
        addresses = [book[n.id]["address"] for n in node.colocated()
                     if n.id in book]
        self._children.append(_Child(node, group, self._workdir,
                                     restart_policy, ",".join(addresses) or None))
    self._stages = self._stop_stages(stop_order)
    self._lock = threading.RLock()  # Also taken by signal handlers.
    self._stop_reason: Optional[str] = None
    self._kill_now = False
    self._failure: Optional[str] = None
    self._done = threading.Event()
    self._old_handlers: Dict[int, object] = {}
    self._close_control: Callable[[], None] = lambda: None
    self._control_address = f"127.0.0.1:{runtime_lib.free_port()}"

  def _stop_stages(self, stop_order: Sequence[str]) -> List[List[_Child]]:
    return [[c for c in self._children if c.group == group] for group in
            stop_order_lib.group_stop_order(self._program, stop_order)]

  # Starting.

  def start(self) -> "ProcessProgram":
    os.makedirs(os.path.join(self._workdir, "logs"), exist_ok=True)
    os.makedirs(os.path.join(self._workdir, "nodes"), exist_ok=True)
    for child in self._children:
      with open(child.pickle_path, "wb") as f:
        cloudpickle.dump(child.node, f)
    self._close_control = grpc_transport.serve(
        _Control(self), int(self._control_address.rsplit(":", 1)[1]),
        self._token, label="supervisor")
    if (self._handle_signals
        and threading.current_thread() is threading.main_thread()):
      for sig in (signal.SIGINT, signal.SIGTERM):
        self._old_handlers[sig] = signal.signal(sig, self._on_signal)
    # One thread spawns and reaps every child: PR_SET_PDEATHSIG follows the
    # spawning thread, which must outlive the children.
    threading.Thread(target=self._supervise, name="lp-supervisor",
                     daemon=True).start()
    return self

  def _on_signal(self, signum, frame) -> None:
    del frame
    name = signal.Signals(signum).name
    if self._stop_reason is not None:
      self._kill_now = True  # Second signal: no more grace.
    self.request_stop(f"{name} received")

  def _environment(self, child: _Child) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(self._runtime.environment())
    paths = [p or os.getcwd() for p in sys.path]
    if env.get("PYTHONPATH"):
      paths.append(env["PYTHONPATH"])
    env.update({
        grpc_runtime.ENV_CONTROL_ADDRESS: self._control_address,
        grpc_runtime.ENV_SUPERVISOR_PID: str(os.getpid()),
        grpc_runtime.ENV_NODE_NAME: child.node.name,
        "PYTHONPATH": os.pathsep.join(paths),
        "PYTHONUNBUFFERED": "1",
    })
    return env

  def _spawn(self, child: _Child) -> None:
    with open(child.log_path, "ab") as log:
      log.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} supervisor: "
                f"starting {child.node.name} (restarts so far: "
                f"{child.status.restarts}) ===\n".encode())
      log.flush()
      child.process = subprocess.Popen(
          [self._python, "-m", "spiral_acme.launchpad.node_main",
           child.pickle_path],
          stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
          env=self._environment(child), cwd=os.getcwd(),
          start_new_session=True)  # Ctrl-C reaches only the supervisor.
    child.restart_at = None
    with self._lock:
      child.returned = False
      child.status.pid = child.process.pid
      child.status.state = status_lib.STARTING
      child.status.exit_code = None

  def mark_running(self, name: str, pid: int) -> None:
    """A node reports that it handles SIGTERM and is about to run."""
    with self._lock:
      for child in self._children:
        if (child.node.name == name and child.status.pid == pid
            and child.status.state == status_lib.STARTING):
          child.status.state = status_lib.RUNNING

  def mark_returned(self, name: str, pid: int) -> None:
    """A node's run() returned before it was told to stop: it is "finished"
    even when the program's stop signals it before it has exited."""
    with self._lock:
      for child in self._children:
        if child.node.name == name and child.status.pid == pid:
          child.returned = True

  # Supervising.

  def request_stop(self, reason: str) -> None:
    with self._lock:
      if self._stop_reason is None:
        self._stop_reason = reason
        logging.info("Stopping program %s: %s.", self._program.name, reason)

  def _supervise(self) -> None:
    context.set_thread_context(context.NodeContext(
        self._runtime, lambda: self.request_stop("lp.stop() in progress_fn")))
    try:
      for child in self._children:
        self._spawn(child)
      self._write_status("running")
      next_progress = time.monotonic() + self._progress_period
      while self._stop_reason is None:
        now = time.monotonic()
        self._reap_and_restart(now)
        if not any(c.alive() or c.restart_at is not None
                   for c in self._children):
          self.request_stop("all nodes are done")
        if self._progress_fn is not None and now >= next_progress:
          self._call_progress()
          next_progress = now + self._progress_period
        self._write_status("running")
        time.sleep(_POLL_SECONDS)
      self._ordered_stop()
      self._write_status("failed" if self._failure else "stopped")
    except BaseException:  # pylint: disable=broad-except
      logging.exception("Supervisor failed; killing all nodes.")
      for child in self._children:
        if child.alive():
          child.process.kill()
      raise
    finally:
      self._close_control()
      self._done.set()

  def _reap_and_restart(self, now: float) -> None:
    for child in self._children:
      if child.restart_at is not None and now >= child.restart_at:
        child.status.restarts += 1
        self._spawn(child)
        continue
      if child.process is None or child.status.state not in (
          status_lib.STARTING, status_lib.RUNNING):
        continue
      code = child.process.poll()
      if code is None:
        continue
      with self._lock:
        child.status.exit_code = code
      if code == 0:
        with self._lock:
          child.status.state = status_lib.FINISHED
        logging.info("%s finished.", child.node.name)
        if child.node.name in self._done_names or child.group in self._done_names:
          self.request_stop(f"{child.node.name} finished")
        continue
      delay = child.tracker.next_delay(now)
      if delay is None:
        self._fail(child, code)
        return
      logging.warning("%s exited with code %d; restarting in %.1f s.",
                      child.node.name, code, delay)
      child.status.state = status_lib.RESTARTING
      child.restart_at = now + delay

  def _fail(self, child: _Child, code: int) -> None:
    child.status.state = status_lib.FAILED
    policy = child.tracker._policy  # pylint: disable=protected-access
    self._failure = (
        f"Node {child.node.name} exited with code {code} after "
        f"{child.status.restarts} restarts (limit {policy.max_restarts} in "
        f"{policy.window_minutes:g} minutes); log: {child.log_path}")
    print(f"{self._failure}\nLast lines of {child.log_path}:\n"
          f"{tail(child.log_path)}", file=sys.stderr, flush=True)
    self.request_stop(f"{child.node.name} failed")

  def _ordered_stop(self) -> None:
    for child in self._children:
      if child.restart_at is not None:
        child.restart_at = None
        child.status.state = status_lib.STOPPED
    for stage in self._stages:
      running = [c for c in stage if c.alive()]
      for child in running:
        with self._lock:
          child.status.state = status_lib.STOPPING
        child.process.send_signal(signal.SIGTERM)
      self._write_status("stopping")
      deadline = time.monotonic() + self._grace
      while (any(c.alive() for c in running) and not self._kill_now
             and time.monotonic() < deadline):
        time.sleep(_POLL_SECONDS)
      for child in running:
        if child.alive():
          logging.warning("%s did not stop within %.0f s; killing it.",
                          child.node.name, self._grace)
          child.process.kill()
        code = child.process.wait()
        with self._lock:
          child.status.exit_code = code
          child.status.state = (status_lib.FINISHED
                                if child.returned and code == 0
                                else status_lib.STOPPED)
    for child in self._children:
      self._settle(child)

  def _settle(self, child: _Child) -> None:
    """Reaps a node left after the stages; one that exited before its stage
    (e.g. budget_0 right after lp.stop()) gets its exit, not "running"."""
    if child.process is None:
      return
    if child.process.poll() is None:
      child.process.kill()
    code = child.process.wait()
    with self._lock:
      if child.status.state in (status_lib.STARTING, status_lib.RUNNING):
        child.status.exit_code = code
        child.status.state = (status_lib.FINISHED if code == 0
                              else status_lib.STOPPED)

  def _call_progress(self) -> None:
    try:
      self._progress_fn(self.statuses())
    except Exception:  # pylint: disable=broad-except
      logging.exception("progress_fn raised.")

  def _write_status(self, program_state: str) -> None:
    status_lib.write_status_file(
        self._status_path, self.statuses(), program=self._program.name,
        state=program_state, supervisor_pid=os.getpid())

  def statuses(self) -> List[status_lib.NodeStatus]:
    with self._lock:
      return [status_lib.NodeStatus(**vars(c.status)) for c in self._children]

  @property
  def workdir(self) -> str:
    return self._workdir

  # Waiting.

  def wait(self, timeout: Optional[float] = None) -> bool:
    """Waits until the program has stopped; False if `timeout` passed first.

    Raises:
      ProgramFailedError: a node exceeded its restart limit.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while not self._done.wait(0.2):  # Short waits let signal handlers run.
      if deadline is not None and time.monotonic() > deadline:
        return False
    self._restore_signals()
    if self._failure:
      raise ProgramFailedError(self._failure)
    return True

  def stop_and_wait(self) -> None:
    """Stops all nodes in order and waits (a node failure is only logged)."""
    self.request_stop("stop_and_wait() called")
    try:
      self.wait()
    except ProgramFailedError as e:
      logging.warning("%s", e)

  def _restore_signals(self) -> None:
    if threading.current_thread() is not threading.main_thread():
      return
    for sig, handler in self._old_handlers.items():
      signal.signal(sig, handler)
    self._old_handlers = {}
