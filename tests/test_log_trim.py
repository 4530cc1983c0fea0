"""Logs cut back to a checkpoint before a resumed run writes again."""

import csv
import glob

import tensorflow as tf

from spiral_acme import loggers
from spiral_acme.loggers import trim


def _steps_in_events(logdir):
  steps = []
  for path in glob.glob(f"{logdir}/events.out.tfevents.*"):
    for event in tf.compat.v1.train.summary_iterator(path):
      if event.HasField("summary"):
        steps.append(event.step)
  return sorted(steps)


def test_csv_rows_past_the_restored_counts_are_dropped(tmp_path):
  logger = loggers.CSVLogger(str(tmp_path), label="learner")
  for step in range(1, 11):
    logger.write({"learner_steps": step, "loss": 0.1 * step})
  logger.close()
  dropped = trim.trim_csv(str(tmp_path / "learner.csv"), {"learner_steps": 6})
  assert dropped == 4
  with open(tmp_path / "learner.csv", newline="") as f:
    rows = list(csv.DictReader(f))
  assert [int(r["learner_steps"]) for r in rows] == list(range(1, 7))
  # A resumed logger appends after the kept rows: no step twice.
  logger = loggers.CSVLogger(str(tmp_path), label="learner")
  logger.write({"learner_steps": 7, "loss": 0.7})
  logger.close()
  with open(tmp_path / "learner.csv", newline="") as f:
    steps = [int(r["learner_steps"]) for r in csv.DictReader(f)]
  assert steps == list(range(1, 8))


def test_tensorboard_events_past_the_step_are_dropped(tmp_path):
  logdir = str(tmp_path / "tensorboard" / "learner")
  logger = loggers.TensorBoardLogger(logdir, steps_key="learner_steps")
  for step in range(1, 9):
    logger.write({"learner_steps": step, "loss": float(step)})
  logger.close()
  assert _steps_in_events(logdir) == list(range(1, 9))
  dropped = trim.trim_run_logs(str(tmp_path), {"learner_steps": 5},
                               {"learner": 5})
  assert dropped == 3
  assert _steps_in_events(logdir) == list(range(1, 6))
