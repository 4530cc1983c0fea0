"""ReverbNode: a Reverb server built from a function returning its tables.

Reverb (and so TensorFlow) is imported only where a server or client is
made, so nodes that never touch replay start without loading TensorFlow.
"""

from typing import Any, Callable, Optional, Sequence

from absl import logging

from spiral_acme.launchpad import context
from spiral_acme.launchpad import handles as handles_lib
from spiral_acme.launchpad.nodes import base

PriorityTablesFactory = Callable[[], Sequence[Any]]  # -> [reverb.Table]
CheckpointerFactory = Callable[[], Any]  # -> reverb checkpointer


class ReverbHandle(handles_lib.Handle):
  """Dereferences to a `reverb.Client` of the node's server."""

  def dereference(self) -> Any:
    import reverb  # pylint: disable=g-import-not-at-top
    address = handles_lib.runtime().reverb_address(self._node_id)
    logging.info("Reverb client of %s connects to %s.", self._node_label,
                 address)
    return reverb.Client(address)


class ReverbNode(base.Node):
  """Runs `reverb.Server(priority_tables_fn(), port)` until the program stops.

  Args:
    priority_tables_fn: returns the server's tables (called in the node).
    checkpoint_ctor: returns the server's checkpointer; None: Reverb's
      default.
    checkpoint_time_delta_minutes: when set, checkpoints this often.
  """

  def __init__(self, priority_tables_fn: PriorityTablesFactory,
               checkpoint_ctor: Optional[CheckpointerFactory] = None,
               checkpoint_time_delta_minutes: Optional[float] = None):
    super().__init__()
    if not callable(priority_tables_fn):
      raise TypeError("priority_tables_fn must be callable, got "
                      f"{priority_tables_fn!r}.")
    if (checkpoint_time_delta_minutes is not None
        and checkpoint_time_delta_minutes <= 0):
      raise ValueError("checkpoint_time_delta_minutes must be > 0 or None, "
                       f"got {checkpoint_time_delta_minutes!r}.")
    self._priority_tables_fn = priority_tables_fn
    self._checkpoint_ctor = checkpoint_ctor
    self._checkpoint_minutes = checkpoint_time_delta_minutes

  @property
  def serves_reverb(self) -> bool:
    return True

  def create_handle(self) -> ReverbHandle:
    return ReverbHandle(self.id, self.name)

  def run(self) -> None:
    import reverb  # pylint: disable=g-import-not-at-top
    tables = self._priority_tables_fn()
    checkpointer = (None if self._checkpoint_ctor is None
                    else self._checkpoint_ctor())
    port = handles_lib.runtime().reverb_port(self.id)
    # Reverb 0.14 listens on all interfaces; clients use 127.0.0.1 locally.
    server = reverb.Server(tables=tables, port=port, checkpointer=checkpointer)
    logging.info("%s: Reverb server on port %d.", self.name, port)
    try:
      if self._checkpoint_minutes is None:
        context.wait_for_stop()
      else:
        while not context.wait_for_stop(self._checkpoint_minutes * 60):
          server.localhost_client().checkpoint()
    finally:
      server.stop()
