"""The runtime of a local_mp node process: gRPC Courier at fixed addresses.

The supervisor allocates every serving node's address before any process
starts and hands the whole address book to each child through the
environment, so a restarted node comes back at the same address and its
clients (which wait for ready) simply reconnect.
"""

import json
import os
from typing import Dict, Mapping, Optional

from spiral_acme.launchpad import runtime as runtime_lib
from spiral_acme.launchpad.courier import grpc_transport

ENV_TOKEN = "LP_TOKEN"
ENV_ADDRESSES = "LP_ADDRESSES"
ENV_CONTROL_ADDRESS = "LP_CONTROL_ADDRESS"
ENV_SUPERVISOR_PID = "LP_SUPERVISOR_PID"
ENV_NODE_NAME = "LP_NODE_NAME"


class GrpcRuntime(runtime_lib.Runtime):
  """Address book {node_id: {"name", "address"}} plus the program token."""

  def __init__(self, book: Mapping[str, Mapping[str, str]], token: str):
    self._book = {k: dict(v) for k, v in book.items()}
    self._token = token

  @classmethod
  def from_environment(cls, environ: Optional[Mapping[str, str]] = None
                       ) -> "GrpcRuntime":
    environ = os.environ if environ is None else environ
    return cls(json.loads(environ[ENV_ADDRESSES]), environ[ENV_TOKEN])

  def environment(self) -> Dict[str, str]:
    """The variables that recreate this runtime in a child process."""
    return {ENV_ADDRESSES: json.dumps(self._book), ENV_TOKEN: self._token}

  def _entry(self, node_id: str) -> Dict[str, str]:
    if node_id not in self._book:
      raise KeyError(f"No address for node id {node_id!r}: expected a node "
                     "added to the launched program.")
    return self._book[node_id]

  def courier_client(self, node_id):
    entry = self._entry(node_id)
    return grpc_transport.GrpcCourierClient(entry["name"], entry["address"],
                                            self._token)

  def serve_courier(self, node_id, obj):
    entry = self._entry(node_id)
    return grpc_transport.serve(obj, _port(entry["address"]), self._token,
                                label=entry["name"])

  def reverb_port(self, node_id):
    return _port(self._entry(node_id)["address"])

  def reverb_address(self, node_id):
    return self._entry(node_id)["address"]


def _port(address: str) -> int:
  return int(address.rsplit(":", 1)[1])
