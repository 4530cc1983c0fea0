"""Tests for ImageDataset and the shared image conventions."""

import numpy as np
import pytest

from spiral_acme.datasets import dataset
from spiral_acme.datasets import images as images_lib


def _dataset(n=10, width=8):
  pixels = np.linspace(0, 1, n * width * width, dtype=np.float32)
  return dataset.ImageDataset(pixels.reshape(n, width, width, 1),
                              np.arange(n), "toy")


def test_len_and_properties():
  ds = _dataset()
  assert len(ds) == 10
  assert ds.canvas_width == 8 and ds.channels == 1


def test_sample_is_seeded_and_shaped():
  ds = _dataset()
  a = ds.sample(16, np.random.default_rng(3))
  b = ds.sample(16, np.random.default_rng(3))
  assert a.shape == (16, 8, 8, 1)
  np.testing.assert_array_equal(a, b)


def test_sample_without_replacement_is_distinct():
  ds = _dataset()
  batch = ds.sample(10, np.random.default_rng(0), replace=False)
  assert len({float(img.sum()) for img in batch}) == 10
  with pytest.raises(ValueError, match="without replacement"):
    ds.sample(11, np.random.default_rng(0), replace=False)


@pytest.mark.parametrize("held_out, count", [(3, 3), (0.2, 2), (0.5, 5)])
def test_split_partitions(held_out, count):
  ds = _dataset()
  rest, held = ds.split(held_out, seed=1)
  assert len(held) == count and len(rest) == 10 - count
  np.testing.assert_array_equal(
      np.sort(np.concatenate([rest.labels, held.labels])), np.arange(10))
  # Labels follow their images.
  np.testing.assert_array_equal(held.images, ds.images[held.labels])
  again = ds.split(held_out, seed=1)[1]
  np.testing.assert_array_equal(again.labels, held.labels)
  assert not np.array_equal(ds.split(held_out, seed=2)[1].labels,
                            held.labels) or count == 5


@pytest.mark.parametrize("held_out", [0, 10, 0.0, 1.0, 0.01, "3", True])
def test_split_rejects_bad_sizes(held_out):
  with pytest.raises(ValueError, match="held"):
    _dataset().split(held_out)


def test_rejects_bad_images_and_labels():
  with pytest.raises(ValueError, match="float32"):
    dataset.ImageDataset(np.zeros((2, 4, 4, 1), np.float64))
  with pytest.raises(ValueError, match="shape"):
    dataset.ImageDataset(np.zeros((2, 4, 5, 1), np.float32))
  with pytest.raises(ValueError, match="labels"):
    dataset.ImageDataset(np.zeros((2, 4, 4, 1), np.float32), np.arange(3))


def test_resize_preserves_constant_images():
  ones = np.ones((2, 13, 7, 3), np.float32)
  out = images_lib.resize(ones, 64, 5)
  assert out.shape == (2, 64, 5, 3)
  np.testing.assert_allclose(out, 1.0, atol=1e-6)


def test_to_channels_luma_and_replication():
  rgb = np.zeros((1, 2, 2, 3), np.float32)
  rgb[..., 1] = 1.0
  np.testing.assert_allclose(images_lib.to_channels(rgb, 1), 0.587, atol=1e-6)
  grey = np.full((1, 2, 2, 1), 0.25, np.float32)
  assert images_lib.to_channels(grey, 3).shape == (1, 2, 2, 3)


def test_to_canvas_rejects_out_of_range_pixels():
  bad = np.full((1, 4, 4, 1), 255.0, np.float32)
  with pytest.raises(ValueError, match=r"\[0, 1\]"):
    images_lib.to_canvas_images(bad, canvas_width=8, channels=1, invert=False)


def test_center_crop_square():
  image = np.arange(6 * 10).reshape(6, 10)
  crop = images_lib.center_crop_square(image)
  assert crop.shape == (6, 6)
  np.testing.assert_array_equal(crop, image[:, 2:8])
