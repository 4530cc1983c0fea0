"""Atomic, verified checkpoints with fallback to the newest intact one.

    checkpointer = Checkpointer("WORKDIR/checkpoints")
    latest = checkpointer.latest_intact()      # (step, prefix) or None
    if latest: checkpointer.restore(checkpoint, latest[1])
    ...
    checkpointer.save(checkpoint, step)

Each checkpoint is written into a hidden temporary folder beside the others
and renamed to `step-<N>` only when complete, so a crash mid-write never
leaves a half checkpoint under a real name. On restore every candidate is
read in full first (catching truncated or corrupt files); a damaged one is
reported and the next older one is tried.
"""

import os
import re
import shutil
from typing import Callable, List, Optional, Tuple

import tensorflow as tf

_NAME = re.compile(r"^step-(\d+)$")
_PREFIX = "ckpt"
_TMP_PREFIX = ".tmp-"


class CheckpointError(RuntimeError):
  """No checkpoint in the directory could be restored."""


class Checkpointer:
  """Saves and restores `tf.train.Checkpoint`s in a directory.

  The directory can be searched for an intact checkpoint before the objects
  to restore exist (a resumed run first trims its logs to that checkpoint).
  """

  def __init__(self, directory: str, *, max_to_keep: int = 3,
               warn: Callable[[str], None] = print):
    if max_to_keep < 1:
      raise ValueError(f"max_to_keep must be >= 1, got {max_to_keep}.")
    self._directory = directory
    self._max_to_keep = max_to_keep
    self._warn = warn

  @property
  def directory(self) -> str:
    return self._directory

  def checkpoints(self) -> List[Tuple[int, str]]:
    """(step, path prefix) of every complete checkpoint, newest first."""
    if not os.path.isdir(self._directory):
      return []
    found = []
    for name in os.listdir(self._directory):
      match = _NAME.match(name)
      if match:
        found.append((int(match.group(1)),
                      os.path.join(self._directory, name, _PREFIX)))
    return sorted(found, reverse=True)

  def save(self, checkpoint: tf.train.Checkpoint, step: int) -> str:
    """Writes a checkpoint for `step` atomically; returns its path prefix."""
    os.makedirs(self._directory, exist_ok=True)
    final = os.path.join(self._directory, f"step-{step}")
    tmp = os.path.join(self._directory, f"{_TMP_PREFIX}step-{step}")
    shutil.rmtree(tmp, ignore_errors=True)
    checkpoint.write(os.path.join(tmp, _PREFIX))
    if os.path.exists(final):
      shutil.rmtree(final)  # Same step saved again (e.g. at exit).
    os.rename(tmp, final)
    self._prune()
    return os.path.join(final, _PREFIX)

  def _prune(self) -> None:
    for _, prefix in self.checkpoints()[self._max_to_keep:]:
      shutil.rmtree(os.path.dirname(prefix), ignore_errors=True)
    for name in os.listdir(self._directory):
      if name.startswith(_TMP_PREFIX):  # Left by a crash mid-write.
        shutil.rmtree(os.path.join(self._directory, name), ignore_errors=True)

  def latest_intact(self) -> Optional[Tuple[int, str]]:
    """(step, path prefix) of the newest checkpoint that reads back in full.

    None when there is no checkpoint. Each damaged one is reported through
    `warn`; CheckpointError when checkpoints exist but none is intact.
    """
    candidates = self.checkpoints()
    if not candidates:
      return None
    for step, prefix in candidates:
      problem = _verify(prefix)
      if problem is None:
        return step, prefix
      self._warn(f"Warning: checkpoint {prefix} is damaged ({problem}); "
                 "falling back to the previous one.")
    raise CheckpointError(
        f"No intact checkpoint in {self._directory}: all of "
        f"{[os.path.basename(os.path.dirname(p)) for _, p in candidates]} are "
        "damaged. Move them away to start afresh, or use another --workdir.")

  @staticmethod
  def restore(checkpoint: tf.train.Checkpoint, prefix: str) -> None:
    """Restores every object of `checkpoint` from `prefix` (all must match)."""
    try:
      checkpoint.read(prefix).assert_existing_objects_matched()
    except (tf.errors.OpError, AssertionError, ValueError) as e:
      raise CheckpointError(
          f"Checkpoint {prefix} does not fit this run: {_first_line(e)}"
      ) from None


def read_tensor(prefix: str, name: str):
  """One saved value, read without building the objects it belongs to."""
  return tf.train.load_checkpoint(prefix).get_tensor(name)


def _first_line(error: BaseException) -> str:
  text = str(error).strip() or type(error).__name__
  return text.splitlines()[0][:300]


def _verify(prefix: str) -> Optional[str]:
  """None if every tensor of the checkpoint reads back; else the problem."""
  try:
    reader = tf.train.load_checkpoint(prefix)
    for name in reader.get_variable_to_shape_map():
      reader.get_tensor(name)
  # The reader raises IndexError for short reads ("Read less bytes than
  # requested") and OpErrors or ValueErrors for corrupt files.
  except (tf.errors.OpError, ValueError, IndexError) as e:
    return _first_line(e)
  return None
