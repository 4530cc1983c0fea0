"""Tests for prepared tfds datasets, with tfds's mock data (no download)."""

import numpy as np
import pytest

import spiral_acme  # pylint: disable=unused-import
import tensorflow_datasets as tfds

from spiral_acme.datasets import images as images_lib
from spiral_acme.datasets import tfds_source


def _mock(num_examples=6):
  return tfds.testing.mock_data(num_examples=num_examples,
                                policy=tfds.testing.MockPolicy.USE_CODE)


def test_mnist_mock_is_inverted_with_labels(tmp_path):
  with _mock():
    ds = tfds_source.load_tfds("mnist", data_dir=tmp_path, canvas_width=16)
    raw = tfds.as_numpy(tfds.load("mnist", split="train", data_dir=tmp_path,
                                  download=False))
    first = next(iter(raw))
  assert ds.images.shape == (6, 16, 16, 1)
  assert ds.images.min() >= 0.0 and ds.images.max() <= 1.0
  assert ds.labels.dtype == np.int64 and ds.labels.shape == (6,)
  assert ds.labels[0] == first["label"]
  expected = images_lib.to_canvas_images(
      first["image"][None], canvas_width=16, channels=1, invert=True)
  np.testing.assert_allclose(ds.images[0], expected[0], atol=1e-6)


def test_invert_override_limit_and_channels(tmp_path):
  with _mock():
    kept = tfds_source.load_tfds("mnist", data_dir=tmp_path, canvas_width=8,
                                 invert=False, limit=2, channels=3)
    flipped = tfds_source.load_tfds("mnist", data_dir=tmp_path,
                                    canvas_width=8, limit=2, channels=3)
  assert kept.images.shape == (2, 8, 8, 3)
  np.testing.assert_allclose(kept.images, 1.0 - flipped.images, atol=1e-6)


def test_polarity_by_base_name():
  light = images_lib.Polarity.LIGHT_ON_DARK
  assert tfds_source.polarity("emnist/letters") == light
  assert tfds_source.polarity("mnist:3.0.1") == light
  assert tfds_source.polarity("omniglot") != light
  assert tfds_source.polarity("celeb_a_hq/64") != light


def test_unprepared_dataset_is_file_not_found(tmp_path):
  with pytest.raises(FileNotFoundError, match="not hold the prepared"):
    tfds_source.load_tfds("mnist", data_dir=tmp_path)


def test_unknown_dataset(tmp_path):
  with pytest.raises(ValueError, match="no_such_dataset"):
    tfds_source.load_tfds("no_such_dataset", data_dir=tmp_path)


def test_registry_dispatches_to_tfds(tmp_path):
  from spiral_acme import datasets  # pylint: disable=g-import-not-at-top
  config = datasets.DatasetConfig("tfds", tfds_name="mnist",
                                  path=str(tmp_path), canvas_width=8, limit=3)
  with _mock():
    ds = datasets.load_dataset(config)
  assert ds.images.shape == (3, 8, 8, 1) and len(ds.labels) == 3
