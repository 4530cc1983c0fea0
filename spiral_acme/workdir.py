"""A run's working directory: one owner at a time, one configuration.

    lock = WorkdirLock(workdir)
    lock.acquire()                      # refuses a workdir another run holds
    check_config(workdir, config_dict)  # records it, or refuses a change
    ...
    lock.release()

The lock file holds the owner's pid and host. A lock whose process is gone
(same host, pid not running) is taken over with a warning; any other lock
refuses the run. The configuration is written as JSON when the workdir is
first used; a resumed run must present the same one.
"""

import json
import os
import socket
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

LOCK_FILE = "run.lock"
CONFIG_FILE = "config.json"


class WorkdirError(RuntimeError):
  """The workdir cannot be used by this run (locked, or configured apart)."""


def _write_json_atomically(path: str, value: Any) -> None:
  tmp = f"{path}.tmp-{os.getpid()}"
  with open(tmp, "w") as f:
    json.dump(value, f, indent=2, sort_keys=True)
    f.write("\n")
    f.flush()
    os.fsync(f.fileno())
  os.replace(tmp, path)


def _process_alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    return True  # Exists, owned by someone else.
  return True


class WorkdirLock:
  """An exclusive claim on a workdir, held in `{workdir}/run.lock`."""

  def __init__(self, workdir: str, *,
               warn: Callable[[str], None] = print):
    self._path = os.path.join(workdir, LOCK_FILE)
    self._warn = warn
    self._held = False

  @property
  def path(self) -> str:
    return self._path

  def acquire(self) -> None:
    """Takes the lock, or raises WorkdirError naming the holder."""
    os.makedirs(os.path.dirname(self._path), exist_ok=True)
    mine = {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(2):
      try:
        fd = os.open(self._path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
      except FileExistsError:
        holder = self._read_holder()
        if holder is not None and not self._stale(holder):
          raise WorkdirError(
              f"workdir {os.path.dirname(self._path)} is in use: lock file "
              f"{self._path} is held by pid {holder.get('pid')} on host "
              f"{holder.get('host')}; stop that run or choose another "
              "--workdir.") from None
        self._warn(
            f"Warning: taking over stale lock {self._path} (pid "
            f"{None if holder is None else holder.get('pid')} is not running).")
        try:
          os.remove(self._path)
        except FileNotFoundError:
          pass
        continue
      with os.fdopen(fd, "w") as f:
        json.dump(mine, f)
      self._held = True
      return
    raise WorkdirError(f"Could not take the lock {self._path}: another run "
                       "took it at the same time.")

  def _read_holder(self) -> Optional[Dict[str, Any]]:
    try:
      with open(self._path) as f:
        holder = json.load(f)
    except (OSError, ValueError):
      return None  # Half-written or unreadable: treat as stale.
    return holder if isinstance(holder, dict) else None

  @staticmethod
  def _stale(holder: Mapping[str, Any]) -> bool:
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname():
      return False  # Cannot tell from here: another machine may run it.
    return not (isinstance(pid, int) and _process_alive(pid))

  def release(self) -> None:
    if not self._held:
      return
    holder = self._read_holder()
    if holder is not None and holder.get("pid") == os.getpid():
      os.remove(self._path)
    self._held = False

  def __enter__(self) -> "WorkdirLock":
    self.acquire()
    return self

  def __exit__(self, *unused_exc_info) -> None:
    self.release()


def _flatten(value: Any, prefix: str = "") -> Dict[str, Any]:
  if isinstance(value, Mapping):
    flat = {}
    for key, item in value.items():
      flat.update(_flatten(item, f"{prefix}{key}."))
    return flat
  return {prefix[:-1]: value}


def config_differences(old: Mapping[str, Any],
                       new: Mapping[str, Any]) -> List[Tuple[str, Any, Any]]:
  """(field, old value, new value) for every dotted field that differs."""
  old_flat, new_flat = _flatten(old), _flatten(new)
  missing = object()
  diffs = []
  for key in sorted(set(old_flat) | set(new_flat)):
    a, b = old_flat.get(key, missing), new_flat.get(key, missing)
    if a != b:
      diffs.append((key, None if a is missing else a,
                    None if b is missing else b))
  return diffs


def check_config(workdir: str, config: Mapping[str, Any]) -> bool:
  """Records `config` in a new workdir, or checks it against the record.

  Returns True when the workdir already held a configuration (a resume).
  Raises WorkdirError listing each differing field with its old and new value.
  """
  path = os.path.join(workdir, CONFIG_FILE)
  # JSON round trip, so tuples and lists compare equal.
  config = json.loads(json.dumps(config))
  if not os.path.exists(path):
    os.makedirs(workdir, exist_ok=True)
    _write_json_atomically(path, config)
    return False
  try:
    with open(path) as f:
      recorded = json.load(f)
  except ValueError as e:
    raise WorkdirError(f"{path} is not valid JSON ({e}); restore it or use "
                       "another --workdir.") from None
  diffs = config_differences(recorded, config)
  if diffs:
    listed = "; ".join(f"{key}: {old!r} -> {new!r}" for key, old, new in diffs)
    raise WorkdirError(
        f"workdir {workdir} was created with another configuration "
        f"({path}); differing fields (recorded -> given): {listed}. Resume "
        "with the recorded settings or choose another --workdir.")
  return True
