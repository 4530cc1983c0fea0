"""PyClassNode: build a Python object and call its `run()` (if it has one)."""

from absl import logging

from spiral_acme.launchpad.nodes import base


class PyClassNode(base.ConstructorNode):
  """Instantiates `constructor(*args, **kwargs)` and calls its `run()`.

  Handles among the arguments (also inside lists, tuples and dicts) are
  dereferenced in the node's own process first. The node has no RPC
  interface; its handle cannot be dereferenced. A node whose object has no
  `run()` (or after `disable_run()`) finishes right after construction.
  """

  def __init__(self, constructor, *args, **kwargs):
    super().__init__(constructor, *args, **kwargs)
    self._should_run = True

  def disable_run(self) -> None:
    """Builds the object but does not call its run() (for tests)."""
    self._should_run = False

  def enable_run(self) -> None:
    self._should_run = True

  def run(self) -> None:
    instance = self._construct()
    if self._should_run and hasattr(instance, "run"):
      instance.run()
    else:
      logging.info("%s has no run() to call; the node is done.", self.name)
