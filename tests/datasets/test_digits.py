"""Tests for the embedded scikit-learn digits."""

import time

import numpy as np
import pytest

from spiral_acme import datasets
from spiral_acme.datasets import digits


def test_shape_range_and_labels():
  ds = digits.load_digits(canvas_width=32)
  assert ds.images.shape == (1797, 32, 32, 1)
  assert ds.images.dtype == np.float32
  assert ds.images.min() >= 0.0 and ds.images.max() <= 1.0
  assert ds.labels.shape == (1797,)
  np.testing.assert_array_equal(np.unique(ds.labels), np.arange(10))
  assert ds.name == "digits"


def test_dark_ink_on_white():
  ds = digits.load_digits(canvas_width=64)
  border = np.concatenate([ds.images[:, 0], ds.images[:, -1],
                           ds.images[:, :, 0], ds.images[:, :, -1]])
  # The one-pixel padding keeps the border white on every image.
  assert border.min() > 0.99
  assert ds.images.mean() < 0.9
  # Every digit has some dark ink in the middle.
  assert (ds.images.reshape(1797, -1).min(axis=1) < 0.3).all()


def test_not_inverted_keeps_source_polarity():
  light = digits.load_digits(canvas_width=16, invert=False)
  dark = digits.load_digits(canvas_width=16)
  np.testing.assert_allclose(light.images, 1.0 - dark.images, atol=1e-6)


def test_three_channels_replicate_grey():
  ds = digits.load_digits(canvas_width=24, channels=3)
  assert ds.images.shape == (1797, 24, 24, 3)
  np.testing.assert_array_equal(ds.images[..., 0], ds.images[..., 2])


def test_resize_matches_tf_antialiased_bilinear():
  import spiral_acme  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  pixels, _ = digits._raw_digits()
  expected = 1.0 - tf.image.resize(
      pixels[:50], (64, 64), method="bilinear", antialias=True).numpy()
  got = digits.load_digits(canvas_width=64).images[:50]
  np.testing.assert_allclose(got, expected, atol=1e-5)


def test_images_are_read_only():
  ds = digits.load_digits(canvas_width=16)
  with pytest.raises(ValueError):
    ds.images[0, 0, 0, 0] = 0.0


def test_loads_fast_at_64():
  digits.load_digits(canvas_width=16)  # Pay scikit-learn's import once.
  start = time.perf_counter()
  ds = datasets.load_digits(canvas_width=64, channels=3)
  assert time.perf_counter() - start < 1.5
  assert len(ds) == 1797


@pytest.mark.parametrize("kwargs, match", [
    (dict(canvas_width=0), "canvas_width"),
    (dict(channels=2), "channels"),
])
def test_bad_arguments(kwargs, match):
  with pytest.raises(ValueError, match=match):
    digits.load_digits(**kwargs)
