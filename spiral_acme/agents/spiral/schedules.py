"""Step schedules shared by the scene reward and the entropy costs."""

import tensorflow as tf


def linear_ramp(step: tf.Tensor, start: int, ramp_steps: int) -> tf.Tensor:
  """f32 fraction: 0 before `start` optimiser steps, rising linearly to 1
  over `ramp_steps` (a step at `start` when `ramp_steps` is 0)."""
  step = tf.cast(step, tf.float32)
  if ramp_steps == 0:
    return tf.cast(step >= start, tf.float32)
  return tf.clip_by_value((step - start) / ramp_steps, 0.0, 1.0)
