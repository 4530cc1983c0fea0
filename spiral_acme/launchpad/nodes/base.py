"""The Node contract every node kind implements.

A node is a description (constructor and arguments) until a launcher runs
it: `run()` executes in the node's own thread or process, with a
`context.NodeContext` installed, and returns when the node has finished or
the program is stopping.
"""

import abc
import itertools
import uuid
from typing import Any, List, Sequence

from spiral_acme.launchpad import handles as handles_lib

_NEXT = itertools.count()


class Node(abc.ABC):
  """A unit of a program: one thread (local_mt), process or Ray actor."""

  def __init__(self):
    # Unique across programs and processes; the address book's key.
    self._id = f"{next(_NEXT)}-{uuid.uuid4().hex[:12]}"
    self._name = ""

  @property
  def id(self) -> str:
    return self._id

  @property
  def name(self) -> str:
    """`<group>_<index>`, set when the program is launched."""
    return self._name or f"{type(self).__name__}<{self._id}>"

  def set_name(self, name: str) -> None:
    self._name = name

  def create_handle(self) -> handles_lib.Handle:
    """A handle to this node; may be made before the node is added."""
    return handles_lib._NoHandle(self._id, self.name)  # pylint: disable=protected-access

  def input_handles(self) -> List[handles_lib.Handle]:
    """Handles this node dereferences when it starts."""
    return []

  def colocated(self) -> Sequence["Node"]:
    """The nodes that run inside this node's process (itself by default)."""
    return [self]

  @property
  def serves_courier(self) -> bool:
    return False

  @property
  def serves_reverb(self) -> bool:
    return False

  @abc.abstractmethod
  def run(self) -> None:
    """Builds and runs the node in the current context until done/stopped."""


class ConstructorNode(Node):
  """A node that builds an object from a constructor and arguments."""

  def __init__(self, constructor: Any, *args: Any, **kwargs: Any):
    super().__init__()
    if not callable(constructor):
      raise TypeError(f"constructor must be callable, got {constructor!r}.")
    self._constructor = constructor
    self._args = args
    self._kwargs = kwargs

  def input_handles(self) -> List[handles_lib.Handle]:
    return handles_lib.find_handles((self._args, self._kwargs))

  def _construct(self) -> Any:
    args = handles_lib.resolve_handles(self._args)
    kwargs = handles_lib.resolve_handles(self._kwargs)
    return self._constructor(*args, **kwargs)
