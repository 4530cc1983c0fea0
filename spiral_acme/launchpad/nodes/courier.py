"""CourierNode: a Python object whose methods other nodes call via handles."""

from spiral_acme.launchpad import context
from spiral_acme.launchpad import handles as handles_lib
from spiral_acme.launchpad.nodes import base


class CourierHandle(handles_lib.Handle):
  """Dereferences to a CourierClient: `client.method(*args)` and
  `client.futures.method(*args)` (a concurrent.futures.Future)."""

  def dereference(self):
    return handles_lib.runtime().courier_client(self._node_id)


class CourierNode(base.ConstructorNode):
  """Serves the public methods of `constructor(*args, **kwargs)`.

  If the object has a `run()` method it is the node's main loop and the node
  ends when it returns; otherwise the node serves calls until the program
  stops. Methods are called concurrently from RPC threads, so the object
  must be thread-safe.
  """

  @property
  def serves_courier(self) -> bool:
    return True

  def create_handle(self) -> CourierHandle:
    return CourierHandle(self.id, self.name)

  def run(self) -> None:
    runtime = handles_lib.runtime()
    try:
      instance = self._construct()
    except BaseException as e:
      runtime.courier_failed(self.id, e)
      raise
    close = runtime.serve_courier(self.id, instance)
    try:
      if hasattr(instance, "run"):
        instance.run()
      else:
        context.wait_for_stop()
    finally:
      close()
