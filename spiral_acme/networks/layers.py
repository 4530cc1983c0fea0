"""Building blocks of the SPIRAL policy: residual stack, conv encoder,
location decoder, LSTM core and the action encoding shared by torso and heads.

Sub-module names follow DeepMind's variable names (`res_nxn_0`, `strided_0`,
`pre_stack`, ...) so that `spiral_acme.hub` can map their checkpoints by name.
"""

import functools
import math
from typing import Optional, Sequence, Tuple

import numpy as np
import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import policy_spec


@functools.lru_cache(maxsize=None)
def _location_table(grid_width: int) -> np.ndarray:
  """(row, col) of every cell scaled to [-1, 1], [grid_width**2, 2]."""
  rows, cols = np.divmod(np.arange(grid_width * grid_width), grid_width)
  scale = 2.0 / (grid_width - 1)
  return np.stack([rows * scale - 1.0, cols * scale - 1.0],
                  -1).astype(np.float32)


def encode_action(action: tf.Tensor,
                  info: policy_spec.ActionInfo) -> tf.Tensor:
  """Encodes int actions [N] as float features for embedding layers.

  Location actions become (row, col) scaled to [-1, 1], row first, as
  DeepMind does (looked up in a constant table: one op instead of eight);
  other actions become one-hot vectors.
  """
  if not info.is_location:
    return tf.one_hot(action, info.num_values, dtype=tf.float32)
  return tf.gather(tf.constant(_location_table(info.grid_width)), action)


class CoordConv2D(snt.Module):
  """SAME conv over [x, x-plane, y-plane]; planes are linspace(-1, 1).

  The planes' contribution does not depend on the batch, so it is computed
  once per call on a single [1, H, W, 2] image and broadcast, which saves
  2/(C+2) of the layer's work. An optional `bias_map` [N, out] is added to
  every pixel before the ReLU (DeepMind's conditioning of the torso).
  """

  def __init__(self, output_channels: int, kernel: int, *,
               name: str = "conv_2d"):
    super().__init__(name=name)
    self._output_channels = output_channels
    self._kernel = kernel

  @snt.once
  def _create_variables(self, height: int, width: int, channels: int):
    k, out = self._kernel, self._output_channels
    init = snt.initializers.TruncatedNormal(
        stddev=1.0 / math.sqrt(k * k * (channels + 2)))
    self.w = tf.Variable(init([k, k, channels + 2, out], tf.float32),
                         name="w")
    self.b = tf.Variable(tf.zeros([out]), name="b")
    xs = np.broadcast_to(np.linspace(-1.0, 1.0, width)[None, :],
                         (height, width))
    ys = np.broadcast_to(np.linspace(-1.0, 1.0, height)[:, None],
                         (height, width))
    self._planes = np.stack([xs, ys], -1)[None].astype(np.float32)

  def __call__(self, x: tf.Tensor,
               bias_map: Optional[tf.Tensor] = None) -> tf.Tensor:
    _, height, width, channels = x.shape
    self._create_variables(height, width, channels)
    planes = tf.nn.conv2d(tf.constant(self._planes), self.w[:, :, channels:],
                          1, "SAME") + self.b
    if bias_map is not None:
      planes += bias_map[:, None, None, :]
    return tf.nn.relu(
        tf.nn.conv2d(x, self.w[:, :, :channels], 1, "SAME") + planes)


class PointwiseConv(snt.Module):
  """A 1x1 conv computed as one matmul (cheaper than a conv op on CPU).

  The kernel keeps the conv layout [1, 1, in, out] of DeepMind's checkpoints.
  """

  def __init__(self, output_channels: int, *, name: str = "conv_1x1"):
    super().__init__(name=name)
    self._output_channels = output_channels

  @snt.once
  def _create_variables(self, channels: int):
    init = snt.initializers.TruncatedNormal(stddev=1.0 / math.sqrt(channels))
    self.w = tf.Variable(init([1, 1, channels, self._output_channels],
                              tf.float32), name="w")
    self.b = tf.Variable(tf.zeros([self._output_channels]), name="b")

  def __call__(self, x: tf.Tensor) -> tf.Tensor:
    channels = x.shape[-1]
    self._create_variables(channels)
    flat = tf.nn.bias_add(
        tf.matmul(tf.reshape(x, [-1, channels]), self.w[0, 0]), self.b)
    return tf.reshape(flat, tf.concat([tf.shape(x)[:-1],
                                       [self._output_channels]], 0))


class SingleOutputConv(snt.Module):
  """A SAME conv with one output channel, as a matmul and shifted sums.

  Conv ops with a single output channel run far below peak on CPU; here the
  input is multiplied by all k*k taps at once ([N*H*W, C] x [C, k*k]) and
  each tap's map is shifted into place. Kernel layout [k, k, C, 1] as a conv.
  """

  def __init__(self, kernel: int, *, name: str = "final"):
    super().__init__(name=name)
    self._kernel = kernel

  @snt.once
  def _create_variables(self, channels: int):
    k = self._kernel
    init = snt.initializers.TruncatedNormal(
        stddev=1.0 / math.sqrt(k * k * channels))
    self.w = tf.Variable(init([k, k, channels, 1], tf.float32), name="w")
    self.b = tf.Variable(tf.zeros([1]), name="b")

  def __call__(self, x: tf.Tensor) -> tf.Tensor:
    channels = x.shape[-1]
    self._create_variables(channels)
    height, width = tf.shape(x)[1], tf.shape(x)[2]
    k = self._kernel
    taps = tf.reshape(tf.transpose(self.w[:, :, :, 0], [2, 0, 1]),
                      [channels, k * k])
    maps = tf.reshape(tf.matmul(tf.reshape(x, [-1, channels]), taps),
                      tf.stack([-1, height, width, k * k]))
    before = (k - 1) // 2
    maps = tf.pad(maps, [[0, 0], [before, k - 1 - before],
                         [before, k - 1 - before], [0, 0]])
    out = tf.add_n([maps[:, dy:dy + height, dx:dx + width, dy * k + dx]
                    for dy in range(k) for dx in range(k)])
    return out[..., None] + self.b


class ResidualStack(snt.Module):
  """`num_blocks` of x += conv1x1(relu(conv3x3(relu(x)))), then a ReLU."""

  def __init__(self, channels: int, hidden_channels: int, num_blocks: int, *,
               kernel: int = 3, name: str = "residual_stack"):
    super().__init__(name=name)
    self._nxn = [snt.Conv2D(hidden_channels, kernel, name=f"res_nxn_{i}")
                 for i in range(num_blocks)]
    self._1x1 = [PointwiseConv(channels, name=f"res_1x1_{i}")
                 for i in range(num_blocks)]

  def __call__(self, x: tf.Tensor) -> tf.Tensor:
    for conv_nxn, conv_1x1 in zip(self._nxn, self._1x1):
      x += conv_1x1(tf.nn.relu(conv_nxn(tf.nn.relu(x))))
    return tf.nn.relu(x)


def num_halvings(width: int, target_width: int) -> int:
  """Stride-2 SAME convs needed to bring `width` down to <= `target_width`."""
  count = 0
  while width > target_width:
    width = -(-width // 2)
    count += 1
  return count


class ConvEncoder(snt.Module):
  """Stride-2 convs (ReLU after each), a 3x3 conv and a residual stack."""

  def __init__(self, channels: int, num_strided: int, *, kernel: int,
               residual_blocks: int, residual_hidden: int,
               name: str = "conv_encoder"):
    super().__init__(name=name)
    self._strided = [snt.Conv2D(channels, kernel, stride=2,
                                name=f"strided_{i}")
                     for i in range(num_strided)]
    self._pre_stack = snt.Conv2D(channels, 3, name="pre_stack")
    self._stack = ResidualStack(channels, residual_hidden, residual_blocks)

  def __call__(self, x: tf.Tensor) -> tf.Tensor:
    for conv in self._strided:
      x = tf.nn.relu(conv(x))
    return self._stack(self._pre_stack(x))


class LocationDecoder(snt.Module):
  """Decodes a state vector [N, D] into grid logits [N, grid_width**2].

  The vector is reshaped row-major to [base, base, D / base**2], goes through
  a 3x3 conv and a residual stack, is doubled in size by stride-2 transposed
  convs until it covers the grid, and a final conv gives one logit per cell.
  Grids that are not base * 2**k (e.g. 12) are decoded at the next such size
  and cropped to the top-left grid_width x grid_width cells.
  """

  def __init__(self, grid_width: int, *, base_width: int, channels: int,
               residual_blocks: int, residual_hidden: int, kernel: int = 3,
               name: str = "action_decoder"):
    super().__init__(name=name)
    self._grid_width = grid_width
    self._base_width = base_width
    num_up = max(0, math.ceil(math.log2(grid_width / base_width)))
    self._decoded_width = base_width * 2 ** num_up
    self._pre_stack = snt.Conv2D(channels, kernel, name="pre_stack")
    self._stack = ResidualStack(channels, residual_hidden, residual_blocks,
                                kernel=kernel)
    self._transposed = [snt.Conv2DTranspose(channels, 4, stride=2,
                                            name=f"strided_transpose_{i}")
                        for i in range(num_up)]
    self._final = SingleOutputConv(kernel, name="final")

  def __call__(self, z: tf.Tensor) -> tf.Tensor:
    base = self._base_width
    x = tf.reshape(z, [-1, base, base, z.shape[-1] // (base * base)])
    x = self._stack(self._pre_stack(x))
    for conv in self._transposed:
      x = tf.nn.relu(conv(x))
    x = self._final(x)
    if self._decoded_width != self._grid_width:
      x = x[:, :self._grid_width, :self._grid_width, :]
    return tf.reshape(x, [-1, self._grid_width * self._grid_width])


CellCentres = Sequence[Tuple[float, float]]


class FeatureMapLogits(snt.Module):
  """Grid logits [N, grid_width**2] from a feature map [N, w, w, c].

  A conv to one channel, resized bilinearly to the grid (or read at each
  cell's `cell_centres`): a location term that moves with what the map sees
  (`PolicyNetworkConfig.location_skip`).
  """

  def __init__(self, grid_width: int, *, kernel: int = 3,
               cell_centres: CellCentres = (),
               name: str = "location_skip"):
    super().__init__(name=name)
    self._grid_width = grid_width
    self._cell_centres = tuple(cell_centres)
    self._conv = snt.Conv2D(1, kernel, name="conv")

  def __call__(self, feature_map: tf.Tensor) -> tf.Tensor:
    x = to_grid(self._conv(feature_map), self._grid_width, self._cell_centres)
    return tf.reshape(x, [-1, self._grid_width * self._grid_width])


def resize_to_grid(feature_map: tf.Tensor, grid_width: int) -> tf.Tensor:
  """[N, w, w, c] -> [N, grid_width, grid_width, c], bilinear when w differs."""
  if feature_map.shape[1] == grid_width:
    return feature_map
  return tf.image.resize(feature_map, [grid_width, grid_width],
                         method="bilinear")


def sample_at_cells(feature_map: tf.Tensor, grid_width: int,
                    cell_centres: CellCentres) -> tf.Tensor:
  """[N, h, w, c] -> [N, grid_width, grid_width, c]: the map read bilinearly
  where each cell appears, `cell_centres[i]` = (row, col) as fractions of
  the image side (cell i = row-major), clamped to the map's edge pixels."""
  height, width = feature_map.shape[1], feature_map.shape[2]
  centres = np.asarray(cell_centres, np.float64)
  rows = np.clip(centres[:, 0] * height - 0.5, 0.0, height - 1.0)
  cols = np.clip(centres[:, 1] * width - 0.5, 0.0, width - 1.0)
  row0, col0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
  row1 = np.minimum(row0 + 1, height - 1)
  col1 = np.minimum(col0 + 1, width - 1)
  row_w, col_w = rows - row0, cols - col0
  flat = tf.reshape(feature_map, [-1, height * width, feature_map.shape[-1]])
  out = 0.0
  for r, c, weight in ((row0, col0, (1 - row_w) * (1 - col_w)),
                       (row0, col1, (1 - row_w) * col_w),
                       (row1, col0, row_w * (1 - col_w)),
                       (row1, col1, row_w * col_w)):
    corner = tf.gather(flat, tf.constant(r * width + c), axis=1)
    out += corner * tf.constant(weight[None, :, None], flat.dtype)
  return tf.reshape(out, [-1, grid_width, grid_width, feature_map.shape[-1]])


def to_grid(feature_map: tf.Tensor, grid_width: int,
            cell_centres: CellCentres = ()) -> tf.Tensor:
  """The map on the location grid: read at `cell_centres` when given (a
  grid the image shows in perspective), else resized (an image-aligned
  grid)."""
  if cell_centres:
    return sample_at_cells(feature_map, grid_width, cell_centres)
  return resize_to_grid(feature_map, grid_width)


class _CellWindow(snt.Module):
  """A linear layer over the window of 2 `radius` + 1 grid cells a side
  centred on a chosen cell (zeros past the edge), [N, output_size]."""

  def __init__(self, grid_width: int, output_size: int, radius: int,
               name: str):
    super().__init__(name=name)
    self._grid_width = grid_width
    self._radius = radius
    self._linear = snt.Linear(output_size, name="linear")

  def _read(self, images: tf.Tensor, cell: tf.Tensor,
            cell_width: int) -> tf.Tensor:
    """`images` [N, grid * cell_width, ..., C]: the chosen window, projected."""
    # SAME padding with a stride of one cell centres window i on cell i.
    size = (2 * self._radius + 1) * cell_width
    windows = tf.image.extract_patches(
        images, sizes=[1, size, size, 1],
        strides=[1, cell_width, cell_width, 1], rates=[1, 1, 1, 1],
        padding="SAME")
    windows = tf.reshape(windows,
                         [tf.shape(windows)[0], -1, windows.shape[-1]])
    return self._linear(tf.gather(windows, tf.cast(cell, tf.int32), axis=1,
                                  batch_dims=1))


class CellFeatures(_CellWindow):
  """The feature map's vectors at and around a chosen grid cell, projected
  [N, size].

  `PolicyNetworkConfig.location_readout`: the heads after a location key
  learn what to put there (shape, colour, size) from what the torso sees at
  that cell, instead of from the flat LSTM vector alone. With `radius` > 0
  the (2 radius + 1)^2 cells around it are read too (zeros past the edge):
  a scene's floor cell is drawn up to a cell away from the same image cell
  (perspective), so the cell alone often misses the object.
  """

  def __init__(self, grid_width: int, output_size: int, *, radius: int = 0,
               cell_centres: CellCentres = (),
               name: str = "cell_features"):
    super().__init__(grid_width, output_size, radius, name)
    self._cell_centres = tuple(cell_centres)

  def __call__(self, feature_map: tf.Tensor, cell: tf.Tensor) -> tf.Tensor:
    grid = to_grid(feature_map, self._grid_width, self._cell_centres)
    return self._read(grid, cell, 1)


class PixelGlimpse(_CellWindow):
  """The raw pixels around a chosen grid cell, f32[N, size] after a linear
  layer and a ReLU (`PolicyNetworkConfig.location_glimpse`).

  The window is the square of 2 `radius` + 1 cells centred on the cell
  (zeros past the image's edge), so a scene object drawn a cell away from
  its floor cell (perspective) is still in it. With `cell_centres` the
  window, of the same size in pixels, is centred where the cell appears.
  """

  def __init__(self, grid_width: int, output_size: int, *, radius: int = 1,
               cell_centres: CellCentres = (),
               name: str = "pixel_glimpse"):
    super().__init__(grid_width, output_size, radius, name)
    self._cell_centres = tuple(cell_centres)

  def __call__(self, pixels: tf.Tensor, cell: tf.Tensor) -> tf.Tensor:
    width = pixels.shape[1]
    if width % self._grid_width:
      raise ValueError(f"location_glimpse needs a canvas width divisible by "
                       f"the grid width {self._grid_width}, got {width}.")
    pixels = tf.cast(pixels, tf.float32)
    cell_width = width // self._grid_width
    if not self._cell_centres:
      return tf.nn.relu(self._read(pixels, cell, cell_width))
    size = (2 * self._radius + 1) * cell_width
    # Pixel i's centre is at i + 0.5; crop_and_resize puts coordinate y at
    # pixel index y * (width - 1), and samples `size` points one pixel apart.
    centres = tf.gather(tf.constant(self._cell_centres, tf.float32),
                        tf.cast(cell, tf.int32)) * width - 0.5
    half = (size - 1) / 2.0
    boxes = tf.concat([centres - half, centres + half], -1) / (width - 1)
    windows = tf.image.crop_and_resize(
        pixels, boxes, tf.range(tf.shape(pixels)[0]), [size, size],
        extrapolation_value=0.0)
    flat = tf.reshape(windows, [tf.shape(windows)[0], size * size *
                                pixels.shape[-1]])
    return tf.nn.relu(self._linear(flat))


class LSTM(snt.Module):
  """LSTM with gates (i, j, f, o) and a forget-gate bias, as in Sonnet 1.

  The input projection is a separate method so an unroll can apply it to all
  time steps at once and loop only over the recurrent part.
  """

  def __init__(self, hidden_size: int, *, forget_bias: float = 1.0,
               name: str = "lstm"):
    super().__init__(name=name)
    self._hidden_size = hidden_size
    self._forget_bias = forget_bias

  @snt.once
  def _create_variables(self, input_size: int):
    h = self._hidden_size
    init = snt.initializers.TruncatedNormal(
        stddev=1.0 / math.sqrt(input_size + h))
    self.w_input = tf.Variable(init([input_size, 4 * h], tf.float32),
                               name="w_input")
    self.w_hidden = tf.Variable(init([h, 4 * h], tf.float32), name="w_hidden")
    self.b_gates = tf.Variable(tf.zeros([4 * h]), name="b_gates")

  def input_gates(self, x: tf.Tensor) -> tf.Tensor:
    """The input's contribution to the gates, [N, 4H] (bias included)."""
    self._create_variables(x.shape[-1])
    return tf.matmul(x, self.w_input) + self.b_gates

  def recur(self, input_gates: tf.Tensor, cell: tf.Tensor,
            hidden: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """One step from precomputed input gates; returns (cell, hidden)."""
    gates = input_gates + tf.matmul(hidden, self.w_hidden)
    i, j, f, o = tf.split(gates, 4, axis=-1)
    cell = (tf.sigmoid(f + self._forget_bias) * cell
            + tf.sigmoid(i) * tf.tanh(j))
    return cell, tf.tanh(cell) * tf.sigmoid(o)

  def __call__(self, x: tf.Tensor, cell: tf.Tensor,
               hidden: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    return self.recur(self.input_gates(x), cell, hidden)
