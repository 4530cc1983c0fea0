"""Location logits read along the stroke each candidate cell would draw.

A straight stroke lays ink on the line from the pen to its `end`, so how
much a candidate end is worth depends on the whole line, not on the end cell
alone. `location_skip` scores each cell by what the torso sees there; this
module scores each candidate by a learned map averaged along the path the
stroke would take from the pen (the previous `end`, as the LibMyPaint
environment moves it): a line for the `end` head, and, for the `control`
head, the quadratic Bezier from the pen through the candidate to the chosen
end. The map reads the torso's feature map and the canvas's (and target's)
pixels pooled to the grid, so it can learn "ink missing here" at the grid's
resolution; two weights computed from the head's state scale the path's
mean and its mean times its length (a longer stroke covers more cells), so
after a pen-up `flag` the head can ignore the path.
"""

import functools
from typing import Optional

import numpy as np
import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import layers


@functools.lru_cache(maxsize=None)
def _cell_points(grid_width: int) -> np.ndarray:
  """(row, col) of every cell's pen point in grid units, [grid_width**2, 2].

  LibMyPaint puts cell (row, col)'s point at its top-left corner, which on
  a map with one value per cell (centred in the cell) is half a cell up
  and left of the value at (row, col).
  """
  rows, cols = np.divmod(np.arange(grid_width * grid_width), grid_width)
  return np.stack([rows, cols], -1).astype(np.float32) - 0.5


def stroke_points(start: tf.Tensor, candidates: tf.Tensor, samples: int,
                  end: Optional[tf.Tensor] = None) -> tf.Tensor:
  """Points along each candidate's stroke, f32[N, G, samples, 2].

  Args:
    start: f32[N, 2], the pen.
    candidates: f32[G, 2], every cell's point.
    samples: points per stroke, evenly spaced in the curve's parameter from
      the pen (t = 0) to the stroke's end (t = 1).
    end: f32[N, 2] or None. None: each candidate is a straight stroke's end.
      Given: each candidate is the control point of a quadratic Bezier
      from `start` to `end`.
  """
  t = tf.linspace(0.0, 1.0, samples)[None, None, :, None]
  start = start[:, None, None, :]
  candidates = candidates[None, :, None, :]
  if end is None:
    return start + t * (candidates - start)
  end = end[:, None, None, :]
  return ((1.0 - t) ** 2 * start + 2.0 * t * (1.0 - t) * candidates
          + t ** 2 * end)


def read_bilinear(grid_map: tf.Tensor, points: tf.Tensor) -> tf.Tensor:
  """`grid_map` f32[N, g, g] read at `points` f32[N, ...points, 2] (row,
  col in cells, clamped to the map's edge): f32[N, ...points].

  Each cell's four corners are stacked first, so every point is one gather
  (of four values) instead of four.
  """
  width = grid_map.shape[-1]
  padded = tf.pad(grid_map, [[0, 0], [0, 1], [0, 1]], mode="SYMMETRIC")
  corners = tf.stack([padded[:, :-1, :-1], padded[:, :-1, 1:],
                      padded[:, 1:, :-1], padded[:, 1:, 1:]], -1)
  corners = tf.reshape(corners, [-1, width * width, 4])
  shape = tf.shape(points)[:-1]
  flat_points = tf.reshape(points, [tf.shape(points)[0], -1, 2])
  coords = tf.clip_by_value(flat_points, 0.0, width - 1.0)
  low = tf.floor(coords)
  row_w, col_w = tf.unstack(coords - low, axis=-1)
  low = tf.cast(low, tf.int32)
  values = tf.gather(corners, low[..., 0] * width + low[..., 1],
                     batch_dims=1)
  weights = tf.stack([(1.0 - row_w) * (1.0 - col_w), (1.0 - row_w) * col_w,
                      row_w * (1.0 - col_w), row_w * col_w], -1)
  return tf.reshape(tf.reduce_sum(values * weights, -1), shape)


class StrokeLogits(snt.Module):
  """Grid logits [N, g*g] from a learned map read along candidate strokes."""

  def __init__(self, grid_width: int, *, samples: int, kernel: int = 3,
               name: str = "location_stroke"):
    """Builds the module.

    Args:
      grid_width: the location grid's width (cells).
      samples: points read along each candidate stroke.
      kernel: the map's conv kernel.
      name: module name.
    """
    super().__init__(name=name)
    self._grid_width = grid_width
    self._samples = samples
    self._conv = snt.Conv2D(1, kernel, name="conv")
    self._weights = snt.Linear(2, name="weights")

  def __call__(self, z: tf.Tensor, feature_map: tf.Tensor,
               pixels: tf.Tensor, pen: tf.Tensor,
               end: Optional[tf.Tensor] = None) -> tf.Tensor:
    """Logits for every candidate cell.

    Args:
      z: f32[N, D], the head's state.
      feature_map: f32[N, w, w, c], the torso's.
      pixels: f32[N, W, W, C], the canvas (and target) at full resolution.
      pen: i32[N], the cell the pen is at.
      end: i32[N] or None: the chosen end when the candidates are control
        points.
    """
    grid = self._grid_width
    # Inputs only: area resizing has no gradient, and needs none here.
    pooled = tf.stop_gradient(tf.image.resize(
        tf.cast(pixels, tf.float32), [grid, grid], method="area"))
    grid_map = self._conv(tf.concat(
        [layers.resize_to_grid(feature_map, grid), pooled], -1))[..., 0]
    cells = tf.constant(_cell_points(grid))
    points = stroke_points(
        tf.gather(cells, pen), cells, self._samples,
        None if end is None else tf.gather(cells, end))
    mean = tf.reduce_mean(read_bilinear(grid_map, points), -1)
    steps = tf.norm(points[:, :, 1:] - points[:, :, :-1], axis=-1)
    length = tf.reduce_sum(steps, -1) / grid
    weights = self._weights(z)
    return weights[:, :1] * mean + weights[:, 1:] * mean * length
