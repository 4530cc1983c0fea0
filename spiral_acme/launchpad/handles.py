"""Handles: references to nodes that turn into clients where they are used.

A handle is made by `node.create_handle()` (or `program.add_node`) and
passed to other nodes' constructors; each receiving node dereferences it in
its own process when it starts, through that process's runtime.
"""

import abc
from typing import Any, Generic, List, TypeVar

from spiral_acme.launchpad import context

T = TypeVar("T")


class Handle(abc.ABC, Generic[T]):
  """A picklable reference to a node; `dereference()` returns its client."""

  def __init__(self, node_id: str, node_label: str):
    self._node_id = node_id
    self._node_label = node_label

  @property
  def node_id(self) -> str:
    return self._node_id

  @abc.abstractmethod
  def dereference(self) -> T:
    """Returns the client for the node, valid in the calling process."""

  def __repr__(self) -> str:
    return f"{type(self).__name__}({self._node_label})"


class _NoHandle(Handle[None]):
  """Handle of a node that offers nothing to call (e.g. a PyClassNode)."""

  def dereference(self) -> None:
    raise TypeError(
        f"{self._node_label} has no RPC interface; make it a CourierNode to "
        "call it from other nodes.")


def runtime() -> Any:
  """The runtime of the calling node (see runtime.Runtime)."""
  return context.current().runtime


def resolve_handles(value: Any) -> Any:
  """Dereferences handles in `value`, inside lists, tuples and dicts too."""
  if isinstance(value, Handle):
    return value.dereference()
  if isinstance(value, list):
    return [resolve_handles(v) for v in value]
  if isinstance(value, tuple):
    items = [resolve_handles(v) for v in value]
    return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
  if isinstance(value, dict):
    items = [(k, resolve_handles(v)) for k, v in value.items()]
    try:
      return type(value)(items)
    except TypeError:  # e.g. defaultdict: keep the values, drop the type.
      return dict(items)
  return value


def find_handles(value: Any) -> List[Handle]:
  """The handles inside `value` (same containers as resolve_handles)."""
  if isinstance(value, Handle):
    return [value]
  if isinstance(value, (list, tuple)):
    return [h for v in value for h in find_handles(v)]
  if isinstance(value, dict):
    return [h for v in value.values() for h in find_handles(v)]
  return []
