"""Tests of the policy's building blocks against direct formulas."""

import numpy as np
import pytest
import tensorflow as tf

from spiral_acme.networks import layers
from spiral_acme.networks import policy_spec


def _sigmoid(x):
  return 1.0 / (1.0 + np.exp(-x))


def test_location_encoding_is_row_first_in_minus_one_to_one():
  info = policy_spec.ActionInfo("end", 1024, 32)
  encoded = layers.encode_action(tf.constant([0, 33, 1023, 31]), info)
  step = 2.0 / 31
  np.testing.assert_allclose(
      encoded.numpy(),
      [[-1, -1], [-1 + step, -1 + step], [1, 1], [-1, 1]], atol=1e-6)


def test_categorical_encoding_is_one_hot():
  info = policy_spec.ActionInfo("size", 6)
  np.testing.assert_array_equal(
      layers.encode_action(tf.constant([2]), info).numpy(),
      [[0, 0, 1, 0, 0, 0]])


def test_pointwise_conv_equals_a_1x1_conv():
  conv = layers.PointwiseConv(5)
  x = tf.random.normal([2, 3, 4, 7])
  out = conv(x)
  expected = tf.nn.conv2d(x, conv.w, 1, "SAME") + conv.b
  assert conv.w.shape == (1, 1, 7, 5)
  np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-5)


def test_coord_conv_equals_conv_over_concatenated_planes():
  conv = layers.CoordConv2D(4, 3)
  x = tf.random.normal([2, 6, 6, 3])
  bias_map = tf.random.normal([2, 4])
  out = conv(x, bias_map)
  lin = np.linspace(-1, 1, 6, dtype=np.float32)
  xs = np.broadcast_to(lin[None, :], (6, 6))
  ys = np.broadcast_to(lin[:, None], (6, 6))
  planes = np.broadcast_to(np.stack([xs, ys], -1), (2, 6, 6, 2))
  full = tf.concat([x, planes], -1)
  expected = tf.nn.relu(tf.nn.conv2d(full, conv.w, 1, "SAME") + conv.b
                        + bias_map[:, None, None, :])
  np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-5)


@pytest.mark.parametrize("kernel", [3, 4])
def test_single_output_conv_equals_a_conv(kernel):
  conv = layers.SingleOutputConv(kernel)
  x = tf.random.normal([2, 5, 6, 7])
  out = conv(x)
  expected = tf.nn.conv2d(x, conv.w, 1, "SAME") + conv.b
  assert conv.w.shape == (kernel, kernel, 7, 1)
  np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-5)


def test_residual_stack_formula():
  stack = layers.ResidualStack(4, 3, 2)
  x = tf.random.normal([1, 5, 5, 4])
  out = stack(x)
  y = x
  for nxn, pw in zip(stack._nxn, stack._1x1):
    hidden = tf.nn.relu(tf.nn.conv2d(tf.nn.relu(y), nxn.w, 1, "SAME")
                        + nxn.b)
    y = y + tf.nn.conv2d(hidden, pw.w, 1, "SAME") + pw.b
  np.testing.assert_allclose(out.numpy(), tf.nn.relu(y).numpy(), atol=1e-5)


@pytest.mark.parametrize("width,target,expected", [
    (64, 8, 3), (8, 8, 0), (100, 8, 4), (32, 8, 2), (128, 8, 4)])
def test_num_halvings(width, target, expected):
  assert layers.num_halvings(width, target) == expected


@pytest.mark.parametrize("grid,num_transposed", [
    (32, 3), (16, 2), (4, 0), (12, 2), (3, 0), (20, 3)])
def test_location_decoder_covers_any_grid(grid, num_transposed):
  decoder = layers.LocationDecoder(grid, base_width=4, channels=4,
                                   residual_blocks=1, residual_hidden=4)
  logits = decoder(tf.random.normal([2, 32]))
  assert logits.shape == (2, grid * grid)
  assert len(decoder._transposed) == num_transposed


def test_location_decoder_reads_state_row_major():
  # With one input cell lit, the output may change only within its reach.
  decoder = layers.LocationDecoder(4, base_width=4, channels=2,
                                   residual_blocks=0, residual_hidden=2)
  zero = decoder(tf.zeros([1, 16]))
  z = np.zeros([1, 4, 4, 1], np.float32)
  z[0, 0, 3, 0] = 10.0  # Row 0, column 3.
  changed = np.abs(decoder(tf.constant(z.reshape(1, 16))).numpy()
                   - zero.numpy())
  changed = changed.reshape(4, 4) > 1e-6
  # The 3x3 conv and final 3x3 conv reach two cells: nothing in row 3 or
  # column 0 can change (a column-major reshape would light cell (3, 0)).
  assert changed[:3, 1:].any()
  assert not changed[3, :].any() and not changed[:, 0].any()


def test_lstm_formula_with_forget_bias():
  lstm = layers.LSTM(3, forget_bias=1.0)
  x, c, h = (tf.random.normal([2, n]) for n in (5, 3, 3))
  new_c, new_h = lstm(x, c, h)
  w = tf.concat([lstm.w_input, lstm.w_hidden], 0).numpy()
  gates = np.concatenate([x, h], -1) @ w + lstm.b_gates.numpy()
  i, j, f, o = np.split(gates, 4, axis=-1)
  expected_c = _sigmoid(f + 1.0) * c.numpy() + _sigmoid(i) * np.tanh(j)
  np.testing.assert_allclose(new_c.numpy(), expected_c, atol=1e-5)
  np.testing.assert_allclose(new_h.numpy(),
                             np.tanh(expected_c) * _sigmoid(o), atol=1e-5)
