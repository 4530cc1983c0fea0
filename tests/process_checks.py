"""Helpers for tests that watch a program run as processes (nodes.json, pids)."""

import json
import os
import subprocess
import time
from typing import Any, Callable, Dict, Optional


def read_nodes(workdir) -> Dict[str, Dict[str, Any]]:
  """WORKDIR/nodes.json's entries by node name."""
  with open(os.path.join(workdir, "nodes.json")) as f:
    return {n["name"]: n for n in json.load(f)["nodes"]}


def alive(pid: int) -> bool:
  """Whether `pid` runs (a zombie does not count)."""
  try:
    with open(f"/proc/{pid}/stat") as f:
      return f.read().split(")")[-1].split()[0] != "Z"
  except FileNotFoundError:
    return False


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0,
               what: str = "condition",
               process: Optional[subprocess.Popen] = None) -> None:
  """Polls `predicate` until it is true; AssertionError after `timeout` s.

  A predicate reading files that nodes are still writing may raise
  FileNotFoundError, JSONDecodeError or KeyError: that counts as not yet.
  With `process`, its exit ends the wait with an AssertionError.
  """
  deadline = time.monotonic() + timeout
  while time.monotonic() < deadline:
    if process is not None and process.poll() is not None:
      raise AssertionError(f"run exited ({process.returncode}) while waiting "
                           f"for {what}")
    try:
      if predicate():
        return
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
      pass
    time.sleep(0.1)
  raise AssertionError(f"timed out waiting for {what}")
