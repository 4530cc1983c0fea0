"""Entry point of one local_mp node process.

  python -m spiral_acme.launchpad.node_main WORKDIR/nodes/<name>.pkl

Unpickles the node, dies with the supervisor (PR_SET_PDEATHSIG), turns
SIGTERM/SIGINT into the node's stop event and stop handlers, runs the node
and exits 0 when it finished or stopped, 1 when it raised.
"""

import ctypes
import ctypes.util
import logging as std_logging
import os
import pickle
import signal
import sys
import threading
import traceback

from absl import logging

from spiral_acme.launchpad import context
from spiral_acme.launchpad.courier import grpc_transport
from spiral_acme.launchpad.launchers import grpc_runtime

_PR_SET_PDEATHSIG = 1


def _die_with_supervisor(supervisor_pid: int) -> None:
  """Asks the kernel to SIGKILL us when the supervisor (thread) dies."""
  libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
  if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
    raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
  if os.getppid() != supervisor_pid:  # It died before prctl took effect.
    os._exit(1)


def _ask_supervisor_to_stop(control: grpc_transport.GrpcCourierClient,
                            node_context: context.NodeContext) -> None:
  """lp.stop() in a node: the supervisor then stops all nodes in order."""
  try:
    control.stop(os.environ.get(grpc_runtime.ENV_NODE_NAME, "?"))
  except Exception:  # pylint: disable=broad-except
    logging.exception("Could not reach the supervisor; stopping this node.")
    node_context.trigger_stop()


def main(argv) -> int:
  if len(argv) != 2:
    print(f"usage: {argv[0]} NODE_PICKLE", file=sys.stderr)
    return 2
  environ = os.environ
  _die_with_supervisor(int(environ[grpc_runtime.ENV_SUPERVISOR_PID]))
  name = environ.get(grpc_runtime.ENV_NODE_NAME, "node")
  std_logging.basicConfig(
      level=std_logging.INFO, stream=sys.stderr,
      format=f"%(asctime)s {name} %(levelname)s %(message)s")
  logging.set_verbosity(logging.INFO)

  runtime = grpc_runtime.GrpcRuntime.from_environment()
  control = grpc_transport.GrpcCourierClient(
      "supervisor", environ[grpc_runtime.ENV_CONTROL_ADDRESS],
      environ[grpc_runtime.ENV_TOKEN], timeout=10.0)
  asked_to_stop = threading.Event()  # This node called lp.stop().

  def stop_program() -> None:
    asked_to_stop.set()
    _ask_supervisor_to_stop(control, node_context)

  node_context = context.NodeContext(runtime, stop_program)
  context.set_process_context(node_context)
  for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, lambda signum, frame: node_context.trigger_stop())

  with open(argv[1], "rb") as f:
    node = pickle.load(f)
  try:
    control.ready(name, os.getpid())  # nodes.json: "starting" -> "running".
  except Exception:  # pylint: disable=broad-except
    logging.exception("Could not report to the supervisor.")
  outcome = {"code": 1, "returned": False}

  def run() -> None:
    try:
      node.run()
      outcome["code"] = 0
      # Finished its work: returned before the program stopped it, or after
      # asking for the stop itself (the budget node), whichever came first.
      outcome["returned"] = (not node_context.stop_event.is_set()
                             or asked_to_stop.is_set())
    except BaseException:  # pylint: disable=broad-except
      traceback.print_exc()
      print(f"{name}: run() raised; exiting with code 1.", file=sys.stderr)

  # The main thread only waits, so signal handlers run promptly.
  thread = threading.Thread(target=run, name=name, daemon=True)
  thread.start()
  while thread.is_alive():
    thread.join(0.2)
  if outcome["returned"]:
    try:
      control.returned(name, os.getpid())  # nodes.json: "finished".
    except Exception:  # pylint: disable=broad-except
      logging.exception("Could not report to the supervisor.")
  logging.info("%s: exiting with code %d.", name, outcome["code"])
  return outcome["code"]


if __name__ == "__main__":
  code = main(sys.argv)
  sys.stdout.flush()
  sys.stderr.flush()
  os._exit(code)  # Do not wait for RPC/TF threads the node left behind.
