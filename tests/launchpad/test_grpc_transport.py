"""Courier over gRPC: a call in flight when its server dies says so."""

import os
import signal
import socket
import subprocess
import sys
import threading

import grpc
import pytest

from spiral_acme.launchpad.courier import clients
from spiral_acme.launchpad.courier import grpc_transport

TOKEN = "test-token"
# A server whose `block()` never returns; it prints "ready" once serving.
SERVER = """
import sys, threading, time
from spiral_acme.launchpad.courier import grpc_transport
class Blocking:
  def block(self):
    threading.Event().wait()
grpc_transport.serve(Blocking(), int(sys.argv[1]), sys.argv[2], label="b")
print("ready", flush=True)
time.sleep(600)
"""


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.mark.parametrize("use_future", [False, True])
def test_a_server_killed_during_a_call_raises_courier_unavailable(use_future):
  port = _free_port()
  server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), TOKEN],
                            stdout=subprocess.PIPE, text=True)
  try:
    assert server.stdout.readline().strip() == "ready"
    client = grpc_transport.GrpcCourierClient(
        "blocking", f"127.0.0.1:{port}", TOKEN, timeout=60)
    outcome = {}

    def call():
      try:
        if use_future:
          client.futures.block().result(timeout=60)
        else:
          client.block()
      except Exception as e:  # pylint: disable=broad-except
        outcome["error"] = e

    caller = threading.Thread(target=call)
    caller.start()
    caller.join(timeout=2.0)  # The call is in flight on the server.
    assert caller.is_alive()
    os.kill(server.pid, signal.SIGKILL)
    caller.join(timeout=30)
  finally:
    server.kill()
    server.wait()
  error = outcome.get("error")
  assert isinstance(error, clients.CourierUnavailableError), repr(error)
  assert isinstance(error, ConnectionError)
  assert "blocking.block()" in str(error)
  assert isinstance(error.__cause__, grpc.RpcError)
