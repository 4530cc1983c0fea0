"""Cuts logs back to a checkpoint, so a resumed run logs no step twice.

A run killed after its last checkpoint has logged steps that the resumed run
will take again. Before the resumed run opens its loggers, rows and events
past the restored counts are removed: CSV rows whose counter columns exceed
the restored values, and TensorBoard events past the restored step.
"""

import csv
import glob
import os
from typing import Mapping

import tensorflow as tf
from tensorflow.core.util import event_pb2


def trim_csv(path: str, limits: Mapping[str, float]) -> int:
  """Drops rows of `path` where a column in `limits` exceeds its limit.

  Returns the number of rows dropped. The file is replaced atomically.
  """
  with open(path, newline="") as f:
    reader = csv.DictReader(f)
    fieldnames = reader.fieldnames or []
    rows = list(reader)

  def keep(row) -> bool:
    for key, limit in limits.items():
      cell = row.get(key)
      if cell not in (None, "") and float(cell) > limit:
        return False
    return True

  kept = [row for row in rows if keep(row)]
  if len(kept) == len(rows):
    return 0
  tmp = path + ".trim"
  with open(tmp, "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=fieldnames, restval="")
    writer.writeheader()
    writer.writerows(kept)
  os.replace(tmp, path)
  return len(rows) - len(kept)


def trim_events(logdir: str, max_step: int) -> int:
  """Drops summary events past `max_step` from the event files in `logdir`.

  Returns the number of events dropped.
  """
  dropped = 0
  for path in glob.glob(os.path.join(logdir, "events.out.tfevents.*")):
    kept, removed = [], 0
    for record in tf.data.TFRecordDataset(path):
      raw = record.numpy()
      event = event_pb2.Event.FromString(raw)
      if event.HasField("summary") and event.step > max_step:
        removed += 1
      else:
        kept.append(raw)
    if not removed:
      continue
    tmp = path + ".trim"
    with tf.io.TFRecordWriter(tmp) as writer:
      for raw in kept:
        writer.write(raw)
    os.replace(tmp, path)
    dropped += removed
  return dropped


def trim_run_logs(directory: str, counts: Mapping[str, float],
                  tensorboard_steps: Mapping[str, int]) -> int:
  """Trims `{directory}/csv/*.csv` and `{directory}/tensorboard/<label>`.

  Args:
    directory: the workdir holding the loggers' files.
    counts: restored counter values ("learner_steps": 120, ...); CSV rows
      with a larger value in any of these columns go.
    tensorboard_steps: restored x-axis value per TensorBoard run label.

  Returns:
    How many rows and events were dropped.
  """
  dropped = 0
  for path in glob.glob(os.path.join(directory, "csv", "*.csv")):
    dropped += trim_csv(path, counts)
  for label, step in tensorboard_steps.items():
    logdir = os.path.join(directory, "tensorboard", label)
    if os.path.isdir(logdir):
      dropped += trim_events(logdir, step)
  return dropped
