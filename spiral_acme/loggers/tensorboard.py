"""Writes results as TensorBoard summaries: scalars, images and histograms."""

import numbers
from typing import Any, Optional

import numpy as np
import tensorflow as tf

from spiral_acme.loggers import base


class TensorBoardLogger(base.Logger):
  """Writes each write's values as tf.summary events in `logdir`.

  * scalars -> `tf.summary.scalar`;
  * image arrays, `[H, W, C]` or `[N, H, W, C]` with C in 1, 3, 4 (float in
    [0, 1] or uint8) -> `tf.summary.image` (at most `max_images` of a batch);
  * other numeric arrays -> `tf.summary.histogram`;
  * strings -> `tf.summary.text`.

  The x-axis is `data[steps_key]` (e.g. "learner_steps", so curves line up
  across restarts and workers); without a `steps_key` it is the number of
  earlier writes. Tags are `f"{label}/{key}"`, or just the key without label.
  """

  def __init__(self,
               logdir: str,
               *,
               label: str = "",
               steps_key: Optional[str] = None,
               max_images: int = 16):
    if not isinstance(max_images, int) or max_images < 1:
      raise ValueError(f"max_images must be an int >= 1, got {max_images!r}.")
    self._logdir = logdir
    self._label = label
    self._steps_key = steps_key
    self._max_images = max_images
    self._num_writes = 0
    self._writer = tf.summary.create_file_writer(logdir)
    self._closed = False

  @property
  def logdir(self) -> str:
    return self._logdir

  def write(self, data: base.LoggingData) -> None:
    if self._closed:
      raise ValueError(f"TensorBoardLogger for {self._logdir} was closed.")
    values = base.flatten(data)
    step = self._step(values)
    with self._writer.as_default(step=step):
      for key, value in values.items():
        if key == self._steps_key:
          continue
        self._write_one(f"{self._label}/{key}" if self._label else key, value)
    self._writer.flush()
    self._num_writes += 1

  def _step(self, values: base.LoggingData) -> int:
    if self._steps_key is None:
      return self._num_writes
    if self._steps_key not in values:
      raise KeyError(
          f"TensorBoardLogger expected the step counter {self._steps_key!r} "
          f"in every write; got keys {sorted(values)}.")
    step = np.asarray(values[self._steps_key])
    if step.ndim != 0 or not isinstance(step.item(), numbers.Integral):
      raise ValueError(
          f"{self._steps_key!r} must be a single integer step, got "
          f"{values[self._steps_key]!r}.")
    return int(step)

  def _write_one(self, tag: str, value: Any) -> None:
    if isinstance(value, str):
      tf.summary.text(tag, value)
    elif base.is_scalar(value):
      tf.summary.scalar(tag, float(np.asarray(value)))
    elif base.is_image(value):
      images = value if value.ndim == 4 else value[np.newaxis]
      if images.dtype != np.uint8:
        images = images.astype(np.float32)
      tf.summary.image(tag, images, max_outputs=self._max_images)
    else:
      array = np.asarray(value)
      if array.size and (np.issubdtype(array.dtype, np.number) or
                         array.dtype == np.bool_):
        tf.summary.histogram(tag, array.astype(np.float64))

  def close(self) -> None:
    if not self._closed:
      self._writer.flush()
      self._writer.close()
      self._closed = True
