"""Node status records, as written to nodes.json and given to progress_fn."""

import dataclasses
import json
import os
from typing import Optional, Sequence

# Node states.
STARTING = "starting"
RUNNING = "running"
RESTARTING = "restarting"  # Died; waits out its backoff before restarting.
FINISHED = "finished"      # run() returned on its own or after its lp.stop().
FAILED = "failed"          # Died more often than the restart policy allows.
STOPPING = "stopping"
STOPPED = "stopped"


@dataclasses.dataclass
class NodeStatus:
  name: str
  group: str
  pid: Optional[int] = None
  restarts: int = 0
  state: str = STARTING
  exit_code: Optional[int] = None
  address: Optional[str] = None


def write_status_file(path: str, statuses: Sequence[NodeStatus],
                      **extra) -> None:
  """Writes `{"nodes": [...], **extra}` to `path` atomically."""
  payload = dict(extra, nodes=[dataclasses.asdict(s) for s in statuses])
  temp = f"{path}.tmp"
  with open(temp, "w") as f:
    json.dump(payload, f, indent=1)
  os.replace(temp, path)
