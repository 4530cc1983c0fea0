"""MultiThreadingColocation: several nodes as threads of one node/process."""

import threading
from typing import List, Optional, Sequence

from spiral_acme.launchpad import context
from spiral_acme.launchpad import handles as handles_lib
from spiral_acme.launchpad.nodes import base


class MultiThreadingColocation(base.Node):
  """Runs `nodes` as threads in one process (don't add them to the program).

  `run()` returns when all inner nodes are done, or when the first one is
  done if `return_on_first_completed`; an inner node's exception is raised
  as soon as it happens (so the whole colocation fails and can restart).
  """

  def __init__(self, nodes: Sequence[base.Node],
               return_on_first_completed: bool = False):
    super().__init__()
    self._nodes: List[base.Node] = []
    self._return_on_first_completed = return_on_first_completed
    for node in nodes:
      self.add_node(node)

  def add_node(self, node: base.Node) -> handles_lib.Handle:
    if not isinstance(node, base.Node) or isinstance(
        node, MultiThreadingColocation):
      raise TypeError("MultiThreadingColocation takes non-colocation nodes, "
                      f"got {node!r}.")
    self._nodes.append(node)
    return node.create_handle()

  @property
  def nodes(self) -> List[base.Node]:
    return list(self._nodes)

  def set_name(self, name: str) -> None:
    super().set_name(name)
    for i, node in enumerate(self._nodes):
      node.set_name(f"{name}_{i}")

  def create_handle(self) -> handles_lib.Handle:
    """A handle that cannot be dereferenced: use the inner nodes' handles."""
    return super().create_handle()

  def input_handles(self) -> List[handles_lib.Handle]:
    return [h for node in self._nodes for h in node.input_handles()]

  def colocated(self) -> Sequence[base.Node]:
    return list(self._nodes)

  @property
  def serves_reverb(self) -> bool:
    return any(node.serves_reverb for node in self._nodes)

  def run(self) -> None:
    if not self._nodes:
      raise ValueError(f"{self.name} has no nodes; expected at least one.")
    node_context = context.current()
    done = threading.Condition()
    finished: List[base.Node] = []
    errors: List[BaseException] = []

    def run_inner(node: base.Node) -> None:
      context.set_thread_context(node_context)
      try:
        node.run()
      except BaseException as e:  # pylint: disable=broad-except
        errors.append(e)
      with done:
        finished.append(node)
        done.notify_all()

    for node in self._nodes:
      threading.Thread(target=run_inner, args=(node,), name=node.name,
                       daemon=True).start()
    needed = 1 if self._return_on_first_completed else len(self._nodes)
    with done:
      done.wait_for(lambda: errors or len(finished) >= needed)
    error: Optional[BaseException] = errors[0] if errors else None
    if error is not None:
      raise error
