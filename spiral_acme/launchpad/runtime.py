"""What a launch type provides inside each process: addresses and serving.

Nodes and handles are agnostic of how the program runs; they ask the
runtime of their context (`handles.runtime()`) to turn a node id into a
client, to serve a Courier object, or for the port of their Reverb server.
"""

import abc
import socket
from typing import Any, Callable


class Runtime(abc.ABC):
  """Per-process services of one launch type."""

  @abc.abstractmethod
  def courier_client(self, node_id: str) -> Any:
    """A client for the CourierNode `node_id` (see courier.clients)."""

  @abc.abstractmethod
  def serve_courier(self, node_id: str, obj: Any) -> Callable[[], None]:
    """Serves `obj`'s public methods as node `node_id`; returns a closer."""

  def courier_failed(self, node_id: str, error: BaseException) -> None:
    """Tells waiting local callers that `node_id` could not be built."""
    del node_id, error

  @abc.abstractmethod
  def reverb_address(self, node_id: str) -> str:
    """'host:port' of the Reverb server of node `node_id`."""

  @abc.abstractmethod
  def reverb_port(self, node_id: str) -> int:
    """The port the Reverb server of node `node_id` (running here) binds."""


def free_port() -> int:
  """A TCP port on 127.0.0.1 that was free a moment ago."""
  with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
    sock.bind(("127.0.0.1", 0))
    return sock.getsockname()[1]
