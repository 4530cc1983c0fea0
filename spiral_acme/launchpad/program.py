"""Program: the topology of a distributed agent, as groups of nodes.

  program = lp.Program("agent")
  with program.group("replay"):
    replay = program.add_node(lp.ReverbNode(make_tables))
  with program.group("learner"):
    learner = program.add_node(lp.CourierNode(Learner, replay=replay))
  with program.group("actor"):
    for i in range(4):
      program.add_node(lp.PyClassNode(Actor, i, replay, learner))
"""

import contextlib
import itertools
from typing import Dict, Iterator, List, Optional

from spiral_acme.launchpad import handles as handles_lib
from spiral_acme.launchpad.nodes import base


class Program:
  """Nodes organised in named groups; launched by `launch()`."""

  def __init__(self, name: str):
    if not name:
      raise ValueError(f"Program name must be non-empty, got {name!r}.")
    self._name = name
    self._groups: Dict[str, List[base.Node]] = {}
    self._current_group: Optional[str] = None

  @property
  def name(self) -> str:
    return self._name

  @property
  def groups(self) -> Dict[str, List[base.Node]]:
    """Group name -> nodes, in the order they were added."""
    return self._groups

  @contextlib.contextmanager
  def group(self, label: str) -> Iterator[None]:
    """Adds the nodes of the `with` block to group `label`."""
    if not label:
      raise ValueError(f"Group label must be non-empty, got {label!r}.")
    if self._current_group is not None:
      raise ValueError(f"group({label!r}) cannot be nested in group("
                       f"{self._current_group!r}).")
    self._current_group = label
    try:
      yield
    finally:
      self._current_group = None

  def add_node(self, node: base.Node,
               label: Optional[str] = None) -> handles_lib.Handle:
    """Adds `node` to the current group (or `label`); returns its handle."""
    if not isinstance(node, base.Node):
      raise TypeError(f"add_node expects a launchpad node, got {node!r}.")
    if self._current_group is not None:
      if label and label != self._current_group:
        raise ValueError(f"label {label!r} does not match the current group "
                         f"{self._current_group!r}.")
      label = self._current_group
    elif not label:
      raise ValueError("add_node outside program.group() needs a label.")
    if any(node is n for n in self.get_all_nodes()):
      raise ValueError(f"{node.name} was already added to the program.")
    self._groups.setdefault(label, []).append(node)
    node.set_name(f"{label}_{len(self._groups[label]) - 1}")
    return node.create_handle()

  def get_all_nodes(self) -> List[base.Node]:
    return list(itertools.chain.from_iterable(self._groups.values()))

  def check(self) -> None:
    """Raises if a handle refers to a node that is not in the program."""
    nodes = [n for node in self.get_all_nodes() for n in node.colocated()]
    ids = {n.id for n in nodes}
    for node in nodes:
      for handle in node.input_handles():
        if handle.node_id not in ids:
          raise ValueError(
              f"{node.name} has a handle {handle!r} to a node that was never "
              "added to the program.")
