"""A Reverb server without Reverb's own checkpointer.

`reverb.Server` defaults to a checkpointer in a fresh system temporary
folder, which every run then leaves behind. A SPIRAL run never checkpoints
its replay (queued episodes are cheap to regenerate; learners checkpoint
their own state), so the server is made without one.
"""

from typing import Optional, Sequence

import reverb
from reverb.platform import checkpointers_lib


class _NoCheckpointer(checkpointers_lib.CheckpointerBase):
  """Tells Reverb not to checkpoint (and not to create any folder)."""

  def internal_checkpointer(self) -> None:
    return None


def make_server(tables: Sequence[reverb.Table],
                port: Optional[int] = None) -> reverb.Server:
  """A replay server on `port` (None: a free one) with no checkpointer."""
  return reverb.Server(list(tables), port=port, checkpointer=_NoCheckpointer())


def no_checkpointer() -> checkpointers_lib.CheckpointerBase:
  """A checkpointer argument for `reverb.Server` that checkpoints nothing."""
  return _NoCheckpointer()
