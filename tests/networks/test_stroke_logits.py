"""Tests for the location logits read along candidate strokes."""

import numpy as np
import pytest
import tensorflow as tf

from spiral_acme.networks import stroke_logits


def test_stroke_points_run_from_the_pen_to_each_candidate():
  start = tf.constant([[1.0, 2.0]])
  candidates = tf.constant([[1.0, 2.0], [5.0, 2.0], [1.0, 10.0]])
  points = stroke_logits.stroke_points(start, candidates, 5)
  assert points.shape == (1, 3, 5, 2)
  np.testing.assert_allclose(points[0, :, 0], [[1, 2]] * 3)
  np.testing.assert_allclose(points[0, :, -1], candidates)
  np.testing.assert_allclose(points[0, 1, :, 0], [1, 2, 3, 4, 5])
  np.testing.assert_allclose(points[0, 2, :, 1], [2, 4, 6, 8, 10])


def test_control_points_bend_a_bezier_from_the_pen_to_the_end():
  start, end = tf.constant([[0.0, 0.0]]), tf.constant([[0.0, 8.0]])
  candidates = tf.constant([[0.0, 4.0], [4.0, 4.0]])
  points = stroke_logits.stroke_points(start, candidates, 3, end=end)
  np.testing.assert_allclose(points[0, :, 0], [[0, 0]] * 2)
  np.testing.assert_allclose(points[0, :, -1], [[0, 8]] * 2)
  # At t = 1/2 a quadratic Bezier is at (start + 2 control + end) / 4.
  np.testing.assert_allclose(points[0, :, 1], [[0, 4], [2, 4]])


def test_read_bilinear_interpolates_and_clamps_at_the_edge():
  values = 10.0 * np.arange(4)[:, None] + np.arange(4)[None, :]
  grid_map = tf.constant(np.stack([values, -values]), tf.float32)
  points = tf.constant([[[1.0, 2.0], [1.5, 2.5], [3.0, 3.0], [-1.0, 5.0]],
                        [[0.0, 0.25], [2.0, 0.0], [2.5, 3.0], [9.0, 0.0]]])
  got = stroke_logits.read_bilinear(grid_map, points).numpy()
  np.testing.assert_allclose(got[0], [12.0, 17.5, 33.0, 3.0], atol=1e-5)
  np.testing.assert_allclose(got[1], [-0.25, -20.0, -28.0, -30.0], atol=1e-5)


def _line_target(grid: int, cell: int, row: int) -> np.ndarray:
  """A white canvas's pixels with a dark band over grid row `row`."""
  image = np.ones([grid * cell, grid * cell, 1], np.float32)
  image[(row - 1) * cell:(row + 1) * cell] = 0.0
  return image


def _line_logits(pen_cell, weights, grid=8, cell=4):
  """Logits of a module whose map is the ink missing (1 - target) on a
  blank canvas with a dark band over grid row 3; `weights` = (mean,
  mean x length) fixed, whatever the head's state."""
  module = stroke_logits.StrokeLogits(grid, samples=8, kernel=1)
  canvas = np.ones([1, grid * cell, grid * cell, 1], np.float32)
  pixels = tf.constant(np.concatenate(
      [canvas, _line_target(grid, cell, row=3)[None]], -1))
  feature_map, z = tf.zeros([1, 2, 2, 3]), tf.zeros([1, 5])
  pen = tf.constant([pen_cell])
  module(z, feature_map, pixels, pen)
  # Channels: 3 of the feature map, then the canvas, then the target.
  module._conv.w.assign(np.reshape([0.0, 0.0, 0.0, 0.0, -1.0],
                                   [1, 1, 5, 1]))
  module._conv.b.assign([1.0])
  module._weights.w.assign(tf.zeros_like(module._weights.w))
  module._weights.b.assign(weights)
  return module(z, feature_map, pixels, pen).numpy().reshape(grid, grid)


def test_candidates_along_the_targets_line_score_highest():
  grid = 8
  # From cell (3, 0), the band's left end, every end in the band's row
  # reads only dark pixels; ends off the row read fewer, the further off
  # the fewer.
  logits = _line_logits(3 * grid, [1.0, 0.0])
  np.testing.assert_allclose(logits[3, 1:], 1.0, atol=1e-6)
  assert np.all(logits[3, 1:].min() > np.delete(logits, 3, axis=0).max())
  assert logits[5, 7] > logits[7, 7]
  # The same ends from a pen in the bottom-left corner read mostly white.
  assert _line_logits(7 * grid, [1.0, 0.0])[3, 7] < 0.5


def test_length_weight_favours_longer_strokes_along_the_line():
  grid = 8
  logits = _line_logits(3 * grid, [0.0, 1.0])
  np.testing.assert_allclose(logits[3, 1:], np.arange(1, grid) / grid,
                             atol=1e-6)


def test_gradients_reach_the_map_and_the_weights():
  module = stroke_logits.StrokeLogits(4, samples=4)
  pixels = tf.random.stateless_uniform([2, 16, 16, 2], seed=[0, 1])
  feature_map = tf.random.stateless_uniform([2, 2, 2, 3], seed=[0, 2])
  z = tf.random.stateless_uniform([2, 6], seed=[0, 3])
  with tf.GradientTape() as tape:
    logits = module(z, feature_map, pixels, tf.constant([0, 5]),
                    tf.constant([15, 3]))
    loss = tf.reduce_sum(tf.nn.log_softmax(logits)[:, 7])
  assert logits.shape == (2, 16)
  grads = tape.gradient(loss, module.trainable_variables)
  assert len(grads) == 4
  assert all(g is not None and np.any(g.numpy() != 0) for g in grads)


@pytest.mark.parametrize("samples", [2, 8])
def test_a_stroke_of_no_length_reads_the_pens_cell(samples):
  grid_map = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4))
  points = stroke_logits.stroke_points(tf.constant([[2.0, 1.0]]),
                                       tf.constant([[2.0, 1.0]]), samples)
  got = stroke_logits.read_bilinear(grid_map, points)
  np.testing.assert_allclose(got, np.full([1, 1, samples], 9.0))
