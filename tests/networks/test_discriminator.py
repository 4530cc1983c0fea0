"""Tests for the DCGAN critic and spectral normalisation."""

import numpy as np
import pytest

import spiral_acme  # pylint: disable=unused-import
import tensorflow as tf

from spiral_acme.networks import discriminator as disc
from spiral_acme.networks import spectral_norm as sn

Mode = disc.DiscriminatorMode


def _images(seed, shape=(3, 16, 16, 1)):
  return tf.constant(np.random.default_rng(seed).random(shape), tf.float32)


def _make(mode=Mode.UNCONDITIONAL, **kwargs):
  tf.random.set_seed(0)
  return disc.Discriminator(disc.DiscriminatorConfig.small(mode=mode,
                                                           **kwargs))


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("width, channels", [(16, 1), (24, 3)])
def test_output_shape_and_flatten_size(mode, width, channels):
  d = _make(mode)
  canvas = _images(0, (5, width, width, channels))
  target = None if mode == Mode.UNCONDITIONAL else _images(1, canvas.shape)
  scores = d(canvas, target)
  assert scores.shape == (5,) and scores.dtype == tf.float32
  assert np.isfinite(scores.numpy()).all()
  # 3 stride-2 convs: ceil(24 / 8) = 3, ceil(16 / 8) = 2; 64 channels last.
  side = -(-width // 8)
  assert d.flatten_size(width, width) == side * side * 64
  assert d._linear.w.shape == (side * side * 64, 1)


def test_default_config_is_dcgan_64():
  config = disc.DiscriminatorConfig()
  assert config.channels == (64, 128, 256, 512)
  assert config.min_canvas_width == 16
  assert disc.DiscriminatorConfig(mode="complement").mode == Mode.COMPLEMENT


@pytest.mark.parametrize("kwargs, match", [
    (dict(channels=()), "channels"),
    (dict(channels=(8, 0)), "channels"),
    (dict(leaky_relu_slope=1.0), "leaky_relu_slope"),
    (dict(power_iterations=0), "power_iterations"),
    (dict(mode="sideways"), "sideways"),
])
def test_config_validation(kwargs, match):
  with pytest.raises(ValueError, match=match):
    disc.DiscriminatorConfig(**kwargs)


def test_too_small_image_is_a_clear_error():
  d = disc.Discriminator(disc.DiscriminatorConfig(channels=(8, 8, 8, 8)))
  with pytest.raises(ValueError, match=r"too small.*>= 16"):
    d(_images(0, (1, 8, 8, 1)))


def test_input_shape_is_fixed_after_first_call():
  d = _make()
  d(_images(0))
  with pytest.raises(ValueError, match="built for"):
    d(_images(0, (3, 32, 32, 1)))


def test_unconditional_rejects_target():
  with pytest.raises(ValueError, match="takes no target"):
    _make()(_images(0), _images(1))


@pytest.mark.parametrize("mode", [Mode.CONDITIONAL, Mode.COMPLEMENT])
def test_conditional_modes_check_target(mode):
  d = _make(mode)
  with pytest.raises(ValueError, match="needs a target"):
    d(_images(0))
  with pytest.raises(ValueError, match=r"\(3, 16, 16, 3\).*\(3, 16, 16, 1\)"):
    d(_images(0), _images(1, (3, 16, 16, 3)))
  with pytest.raises(ValueError, match="canvas must be"):
    d(_images(0)[0], _images(1)[0])


def test_conditional_depends_on_target():
  d = _make(Mode.CONDITIONAL)
  canvas = _images(0)
  a, b = d(canvas, _images(1)).numpy(), d(canvas, _images(2)).numpy()
  assert np.abs(a - b).min() > 1e-6
  assert d._convs[0].w.shape[2] == 2  # Canvas and target as channels.


def _replace_half(images, seed, *, left):
  other = _images(seed, images.shape).numpy()
  out = images.numpy().copy()
  half = images.shape[2] // 2
  if left:
    out[:, :, :half] = other[:, :, :half]
  else:
    out[:, :, half:] = other[:, :, half:]
  return tf.constant(out)


@pytest.mark.parametrize("width", [16, 17])
def test_complement_sees_only_target_left_and_canvas_right(width):
  d = _make(Mode.COMPLEMENT)
  canvas, target = _images(0, (3, width, width, 1)), _images(1, (3, width,
                                                                  width, 1))
  base = d(canvas, target).numpy()
  same = lambda c, t: np.testing.assert_allclose(d(c, t).numpy(), base,
                                                 atol=1e-6)
  differs = lambda c, t: np.abs(d(c, t).numpy() - base).min() > 1e-6
  same(_replace_half(canvas, 5, left=True), target)
  same(canvas, _replace_half(target, 6, left=False))
  assert differs(_replace_half(canvas, 7, left=False), target)
  assert differs(canvas, _replace_half(target, 8, left=True))
  # A real example scored against itself is the real image.
  composite = tf.concat([target[:, :, :width // 2],
                         canvas[:, :, width // 2:]], axis=2)
  plain = disc.Discriminator(d.config, name="plain")
  plain(composite, composite)
  for mine, theirs in zip(d.variables, plain.variables):
    theirs.assign(mine)
  np.testing.assert_allclose(plain(composite, composite).numpy(), base,
                             atol=1e-6)


@pytest.mark.parametrize("spectral_norm", [False, True])
def test_gradients_reach_every_trainable_variable(spectral_norm):
  d = _make(Mode.CONDITIONAL, spectral_norm=spectral_norm)
  canvas, target = _images(0), _images(1)
  with tf.GradientTape() as tape:
    tape.watch(canvas)
    loss = tf.reduce_sum(d(canvas, target, is_training=True))
  variables = d.trainable_variables
  assert len(variables) == 2 * 4  # w and b of 3 convs and the linear layer.
  grads = tape.gradient(loss, variables + (canvas,))
  for var, grad in zip(variables + (canvas,), grads):
    assert grad is not None, var.name
    assert float(tf.reduce_sum(tf.abs(grad))) > 0.0, var.name
  # The power-iteration vectors are state, not trainable.
  us = [v for v in d.variables if "/u:" in v.name]
  assert len(us) == (4 if spectral_norm else 0)
  assert all(not v.trainable for v in us)


def test_spectral_norm_converges_to_unit_singular_value():
  tf.random.set_seed(1)
  weight = tf.constant(np.random.default_rng(0).normal(
      size=(4, 4, 3, 8)).astype(np.float32) * 3.0)
  norm = sn.SpectralNorm(power_iterations=1)
  for _ in range(60):
    normalised = norm(weight, is_training=True)
  singular = np.linalg.svd(normalised.numpy().reshape(-1, 8),
                           compute_uv=False)
  assert singular[0] == pytest.approx(1.0, abs=1e-3)
  # More iterations per call get there in one call.
  deep = sn.SpectralNorm(power_iterations=50)
  singular = np.linalg.svd(deep(weight, is_training=True).numpy().reshape(
      -1, 8), compute_uv=False)
  assert singular[0] == pytest.approx(1.0, abs=1e-3)


def test_spectral_norm_updates_u_only_when_training():
  weight = tf.constant(np.random.default_rng(2).normal(
      size=(6, 5)).astype(np.float32))
  norm = sn.SpectralNorm(power_iterations=1)
  first = norm(weight, is_training=False).numpy()
  u0 = norm.u.numpy().copy()
  again = norm(weight, is_training=False).numpy()
  np.testing.assert_array_equal(norm.u.numpy(), u0)
  np.testing.assert_array_equal(first, again)
  norm(weight, is_training=True)
  assert np.abs(norm.u.numpy() - u0).max() > 1e-6


def test_discriminator_u_frozen_at_eval_and_updated_in_training():
  d = _make(spectral_norm=True, power_iterations=2)
  canvas = _images(0)
  d(canvas)
  us = [v for v in d.variables if "/u:" in v.name]
  before = [u.numpy().copy() for u in us]
  d(canvas, is_training=False)
  for u, b in zip(us, before):
    np.testing.assert_array_equal(u.numpy(), b)
  d(canvas, is_training=True)
  # The final layer's u is [1, 1] (one output), always +-1; the convs' move.
  moved = [np.abs(u.numpy() - b).max() > 0 for u, b in zip(us, before)
           if u.shape[1] > 1]
  assert len(moved) == 3 and all(moved)


def test_spectral_norm_rejects_bad_input():
  with pytest.raises(ValueError, match="power_iterations"):
    sn.SpectralNorm(power_iterations=0)
  with pytest.raises(ValueError, match="rank"):
    sn.SpectralNorm()(tf.ones([3]))


def test_works_inside_tf_function():
  d = _make(Mode.COMPLEMENT, spectral_norm=True)
  canvas, target = _images(0), _images(1)
  eager = d(canvas, target).numpy()
  step = tf.function(lambda c, t: d(c, t))
  np.testing.assert_allclose(step(canvas, target).numpy(), eager, atol=1e-5)
