"""Tests for spiral_acme.loggers: terminal, CSV, TensorBoard, fan-out."""

import csv
import glob
import os

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme import loggers


def _read_events(logdir):
  """Returns {tag: [(step, value ndarray), ...]} from all event files."""
  events = {}
  for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*"))):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        events.setdefault(value.tag, []).append(
            (event.step, tf.make_ndarray(value.tensor)))
  return events


def _read_csv(path):
  with open(path, newline="") as f:
    return list(csv.DictReader(f))


def test_terminal_logger_formats_numbers_and_skips_arrays():
  lines = []
  logger = loggers.TerminalLogger("learner", print_fn=lines.append)
  logger.write({"learner_steps": np.int64(12345), "loss": np.float32(0.25),
                "lr": 3e-5, "done": True, "canvas": np.zeros((4, 4, 3)),
                "rewards": {"l2": -1.5}, "note": "ok", "skip": None})
  assert lines == [
      "[learner] Learner Steps = 12,345 | Loss = 0.250 | Lr = 3.000e-05 | "
      "Done = True | Rewards/L2 = -1.500 | Note = ok"]


def test_terminal_logger_throttles_by_time_delta():
  lines = []
  throttled = loggers.TerminalLogger(time_delta=3600, print_fn=lines.append)
  for step in range(3):
    throttled.write({"step": step})
  assert lines == ["Step = 0"]
  lines.clear()
  every = loggers.TerminalLogger(time_delta=0, print_fn=lines.append)
  for step in range(3):
    every.write({"step": step})
  assert len(lines) == 3


def test_terminal_logger_converts_tensors():
  lines = []
  logger = loggers.TerminalLogger(print_fn=lines.append)
  logger.write({"x": tf.constant(2.0)})
  assert lines == ["X = 2.000"]


def test_csv_logger_writes_rows_and_widens_header_for_new_keys(tmp_path):
  logger = loggers.CSVLogger(str(tmp_path), label="actor")
  logger.write({"steps": 19, "episode_return": np.float32(0.5),
                "canvas": np.zeros((2, 2, 3))})
  logger.write({"steps": 38, "episode_return": 1.5, "learner_steps": 1})
  logger.close()
  rows = _read_csv(tmp_path / "actor.csv")
  assert rows == [
      {"steps": "19", "episode_return": "0.5", "learner_steps": ""},
      {"steps": "38", "episode_return": "1.5", "learner_steps": "1"}]
  resumed = loggers.CSVLogger(str(tmp_path), label="actor")
  resumed.write({"steps": 57, "learner_steps": 2})
  resumed.close()
  rows = _read_csv(tmp_path / "actor.csv")
  assert len(rows) == 3
  assert rows[-1] == {"steps": "57", "episode_return": "", "learner_steps": "2"}
  with pytest.raises(ValueError, match="closed"):
    resumed.write({"steps": 1})


def test_tensorboard_logger_writes_readable_scalars_at_caller_steps(tmp_path):
  logger = loggers.TensorBoardLogger(str(tmp_path), label="learner",
                                     steps_key="learner_steps")
  logger.write({"learner_steps": 10, "loss": np.float32(0.5),
                "rewards": {"l2": -2.0}})
  logger.write({"learner_steps": 20, "loss": tf.constant(0.25),
                "rewards": {"l2": -1.0}})
  logger.close()
  events = _read_events(str(tmp_path))
  assert "learner/learner_steps" not in events
  assert [(s, float(v)) for s, v in events["learner/loss"]] == [
      (10, 0.5), (20, 0.25)]
  assert [(s, float(v)) for s, v in events["learner/rewards/l2"]] == [
      (10, -2.0), (20, -1.0)]


def test_tensorboard_logger_writes_images_and_histograms(tmp_path):
  logger = loggers.TensorBoardLogger(str(tmp_path), steps_key="step",
                                     max_images=2)
  batch = np.zeros((3, 8, 6, 3), np.float32)
  batch[:, :, :, 0] = 1.0  # Red images.
  single = np.full((5, 5, 1), 128, np.uint8)
  logger.write({"step": 7, "paintings": batch, "target": single,
                "returns": np.array([1.0, 2.0, 3.0]), "note": "hello"})
  logger.close()
  events = _read_events(str(tmp_path))
  [(step, encoded)] = events["paintings"]
  assert step == 7
  width, height = int(encoded[0]), int(encoded[1])
  assert (width, height) == (6, 8)
  assert len(encoded) == 2 + 2  # max_images of the batch of 3.
  image = tf.io.decode_png(encoded[2]).numpy()
  assert image.shape == (8, 6, 3)
  np.testing.assert_array_equal(image[..., 0], 255)
  np.testing.assert_array_equal(image[..., 1:], 0)
  [(_, encoded)] = events["target"]
  np.testing.assert_array_equal(tf.io.decode_png(encoded[2]).numpy(), single)
  [(_, histogram)] = events["returns"]
  assert histogram[:, 2].sum() == 3  # Bucket counts add up to 3 values.
  assert histogram[:, 0].min() == 1.0 and histogram[:, 1].max() == 3.0
  [(_, text)] = events["note"]
  assert text.item() == b"hello"


def test_tensorboard_logger_counts_writes_without_steps_key(tmp_path):
  logger = loggers.TensorBoardLogger(str(tmp_path))
  for value in (1.0, 2.0, 3.0):
    logger.write({"x": value})
  logger.close()
  assert [s for s, _ in _read_events(str(tmp_path))["x"]] == [0, 1, 2]


def test_tensorboard_logger_rejects_missing_or_bad_step(tmp_path):
  logger = loggers.TensorBoardLogger(str(tmp_path), steps_key="learner_steps")
  with pytest.raises(KeyError, match="learner_steps.*'loss'"):
    logger.write({"loss": 1.0})
  with pytest.raises(ValueError, match="single integer"):
    logger.write({"learner_steps": 1.5, "loss": 1.0})
  logger.close()
  with pytest.raises(ValueError, match="closed"):
    logger.write({"learner_steps": 1})


class _Recorder(loggers.Logger):

  def __init__(self):
    self.data = []
    self.closed = False

  def write(self, data):
    self.data.append(data)

  def close(self):
    self.closed = True


def test_dispatcher_fans_out_numpy_values_and_closes_all():
  first, second = _Recorder(), _Recorder()
  with loggers.Dispatcher([first, second]) as logger:
    logger.write({"x": tf.constant([1, 2]), "y": 3})
  for recorder in (first, second):
    [data] = recorder.data
    assert isinstance(data["x"], np.ndarray) and data["y"] == 3
    assert recorder.closed
  with pytest.raises(TypeError, match="Logger instances"):
    loggers.Dispatcher([print])


def test_time_filter_and_noop_logger():
  recorder = _Recorder()
  logger = loggers.TimeFilter(recorder, time_delta=3600)
  logger.write({"a": 1})
  logger.write({"a": 2})
  assert recorder.data == [{"a": 1}]
  loggers.NoOpLogger().write({"a": 1})


def test_default_logger_writes_terminal_csv_and_tensorboard(tmp_path):
  lines = []
  logger = loggers.make_default_logger(
      "learner", directory=str(tmp_path), time_delta=0,
      steps_key="learner_steps", print_fn=lines.append)
  logger.write({"learner_steps": 1, "loss": 0.5})
  logger.write({"learner_steps": 2, "loss": 0.25})
  logger.close()
  assert lines[-1] == "[learner] Learner Steps = 2 | Loss = 0.250"
  rows = _read_csv(tmp_path / "csv" / "learner.csv")
  assert [row["loss"] for row in rows] == ["0.5", "0.25"]
  events = _read_events(str(tmp_path / "tensorboard" / "learner"))
  assert [(s, float(v)) for s, v in events["loss"]] == [(1, 0.5), (2, 0.25)]


def test_default_logger_without_directory_writes_no_files(tmp_path,
                                                         monkeypatch):
  lines = []
  monkeypatch.chdir(tmp_path)
  logger = loggers.make_default_logger("actor", print_fn=lines.append)
  logger.write({"steps": 1})
  logger.close()
  assert lines == ["[actor] Steps = 1"]
  assert not os.listdir(tmp_path)
  with pytest.raises(ValueError, match="label"):
    loggers.make_default_logger("a/b")
