"""The runtime inside Ray actors: Courier via actor calls, Reverb by lookup.

Each node is a named Ray actor (see ray_launcher); a handle resolves to a
client that finds the actor by name on first use (so handles work before
and across actor restarts) and calls `actor.call.remote(node_id, method,
...)`. A Reverb node reports `ray.util.get_node_ip_address():port` at run
time, so clients on other machines reach it.
"""

import concurrent.futures
import threading
import time
from typing import Any, Dict

import ray

from spiral_acme.launchpad import runtime as runtime_lib
from spiral_acme.launchpad.courier import clients

_LOOKUP_SECONDS = 120.0


def get_actor(name: str, namespace: str) -> Any:
  """The named actor, waiting for it to be created."""
  deadline = time.monotonic() + _LOOKUP_SECONDS
  while True:
    try:
      return ray.get_actor(name, namespace=namespace)
    except ValueError:
      if time.monotonic() > deadline:
        raise
      time.sleep(0.1)


class RayCourierClient(clients.CourierClient):
  """Calls a Courier object hosted by a Ray actor."""

  def __init__(self, label: str, node_id: str, actor_name: str,
               namespace: str):
    super().__init__(label)
    self._node_id = node_id
    self._actor_name = actor_name
    self._namespace = namespace
    self._actor = None

  def _ref(self, method, args, kwargs):
    if self._actor is None:
      self._actor = get_actor(self._actor_name, self._namespace)
    return self._actor.call.remote(self._node_id, method, args, kwargs)

  def _call(self, method, args, kwargs):
    return ray.get(self._ref(method, args, kwargs))

  def _submit(self, method, args, kwargs) -> concurrent.futures.Future:
    return self._ref(method, args, kwargs).future()


class RayRuntime(runtime_lib.Runtime):
  """{node_id: (node name, actor name)} within one Ray namespace."""

  def __init__(self, actors: Dict[str, Dict[str, str]], namespace: str):
    self._actors = actors
    self._namespace = namespace
    self._served: Dict[str, Any] = {}
    self._ports: Dict[str, int] = {}
    self._changed = threading.Condition()

  def __getstate__(self):
    return {"actors": self._actors, "namespace": self._namespace}

  def __setstate__(self, state):
    self.__init__(state["actors"], state["namespace"])

  def _entry(self, node_id: str) -> Dict[str, str]:
    if node_id not in self._actors:
      raise KeyError(f"No actor for node id {node_id!r}: expected a node "
                     "added to the launched program.")
    return self._actors[node_id]

  def courier_client(self, node_id):
    entry = self._entry(node_id)
    return RayCourierClient(entry["name"], node_id, entry["actor"],
                            self._namespace)

  def serve_courier(self, node_id, obj):
    with self._changed:
      self._served[node_id] = obj
      self._changed.notify_all()

    def close():
      with self._changed:
        self._served.pop(node_id, None)
    return close

  def served(self, node_id: str, timeout: float) -> Any:
    """The object served here as `node_id`, waiting for it to be built."""
    with self._changed:
      if not self._changed.wait_for(lambda: node_id in self._served, timeout):
        raise TimeoutError(f"{self._entry(node_id)['name']} was not built "
                           f"within {timeout} s.")
      return self._served[node_id]

  def reverb_port(self, node_id):
    with self._changed:
      port = self._ports.setdefault(node_id, runtime_lib.free_port())
      self._changed.notify_all()
      return port

  def local_reverb_address(self, node_id: str, timeout: float) -> str:
    with self._changed:
      if not self._changed.wait_for(lambda: node_id in self._ports, timeout):
        raise TimeoutError(f"{self._entry(node_id)['name']} did not start "
                           f"its Reverb server within {timeout} s.")
      port = self._ports[node_id]
    return f"{ray.util.get_node_ip_address()}:{port}"

  def reverb_address(self, node_id):
    actor = get_actor(self._entry(node_id)["actor"], self._namespace)
    return ray.get(actor.reverb_address.remote(node_id))
