"""Spectral normalisation (Miyato et al., 2018) and layers that can use it.

`SpectralNorm` divides a weight by a power-iteration estimate of its largest
singular value, which bounds each layer's Lipschitz constant; SPIRAL++ uses it
in place of WGAN-GP's gradient penalty. The left singular estimate `u` is a
persistent non-trainable variable: every call runs `power_iterations` steps
from it, and only training calls store the improved `u`, so evaluation is a
pure function of the variables.
"""

import math
from typing import Optional

import sonnet as snt
import tensorflow as tf


def _l2_normalize(x: tf.Tensor) -> tf.Tensor:
  return x * tf.math.rsqrt(tf.maximum(tf.reduce_sum(x * x), 1e-12))


class SpectralNorm(snt.Module):
  """Returns `weight / sigma(weight)` with a persistent power-iteration `u`.

  The weight is viewed as a matrix `[prod(shape[:-1]), shape[-1]]` (inputs by
  outputs), the usual convention for conv kernels and linear weights.
  """

  def __init__(self, power_iterations: int = 1, *,
               name: str = "spectral_norm"):
    super().__init__(name=name)
    if isinstance(power_iterations, bool) or not isinstance(
        power_iterations, int) or power_iterations < 1:
      raise ValueError(f"power_iterations must be an int >= 1, got "
                       f"{power_iterations!r}.")
    self._power_iterations = power_iterations

  @snt.once
  def _create_u(self, outputs: int):
    init = snt.initializers.RandomNormal()
    self.u = tf.Variable(_l2_normalize(init([1, outputs], tf.float32)),
                         trainable=False, name="u")

  def __call__(self, weight: tf.Tensor, *,
               is_training: bool = False) -> tf.Tensor:
    """Normalises `weight`; updates `u` only when `is_training`."""
    if weight.shape.rank is None or weight.shape.rank < 2:
      raise ValueError(f"SpectralNorm expects a weight of rank >= 2, got "
                       f"shape {weight.shape}.")
    self._create_u(int(weight.shape[-1]))
    matrix = tf.reshape(weight, [-1, weight.shape[-1]])
    u = tf.stop_gradient(tf.convert_to_tensor(self.u))
    # The singular vectors are treated as constants, as in the paper.
    frozen = tf.stop_gradient(matrix)
    for _ in range(self._power_iterations):
      v = _l2_normalize(tf.matmul(u, frozen, transpose_b=True))
      u = _l2_normalize(tf.matmul(v, frozen))
    if is_training:
      self.u.assign(u)
    sigma = tf.reduce_sum(tf.matmul(v, matrix) * u)
    return weight / sigma


class Conv2D(snt.Module):
  """A SAME 2-D convolution whose kernel is optionally spectrally normalised."""

  def __init__(self, output_channels: int, kernel_size: int, stride: int, *,
               spectral_norm: bool = False, power_iterations: int = 1,
               name: str = "conv_2d"):
    super().__init__(name=name)
    self._output_channels = output_channels
    self._kernel_size = kernel_size
    self._stride = stride
    self._norm: Optional[SpectralNorm] = (
        SpectralNorm(power_iterations) if spectral_norm else None)

  @snt.once
  def _create_variables(self, input_channels: int):
    k = self._kernel_size
    init = snt.initializers.TruncatedNormal(
        stddev=1.0 / math.sqrt(k * k * input_channels))
    self.w = tf.Variable(
        init([k, k, input_channels, self._output_channels], tf.float32),
        name="w")
    self.b = tf.Variable(tf.zeros([self._output_channels]), name="b")

  def __call__(self, x: tf.Tensor, *, is_training: bool = False) -> tf.Tensor:
    self._create_variables(int(x.shape[-1]))
    w = self.w if self._norm is None else self._norm(
        self.w, is_training=is_training)
    y = tf.nn.conv2d(x, w, strides=self._stride, padding="SAME")
    return y + self.b


class Linear(snt.Module):
  """A linear layer whose weight is optionally spectrally normalised."""

  def __init__(self, output_size: int, *, spectral_norm: bool = False,
               power_iterations: int = 1, name: str = "linear"):
    super().__init__(name=name)
    self._output_size = output_size
    self._norm: Optional[SpectralNorm] = (
        SpectralNorm(power_iterations) if spectral_norm else None)

  @snt.once
  def _create_variables(self, input_size: int):
    init = snt.initializers.TruncatedNormal(stddev=1.0 / math.sqrt(input_size))
    self.w = tf.Variable(init([input_size, self._output_size], tf.float32),
                         name="w")
    self.b = tf.Variable(tf.zeros([self._output_size]), name="b")

  def __call__(self, x: tf.Tensor, *, is_training: bool = False) -> tf.Tensor:
    self._create_variables(int(x.shape[-1]))
    w = self.w if self._norm is None else self._norm(
        self.w, is_training=is_training)
    return tf.matmul(x, w) + self.b
