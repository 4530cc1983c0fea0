"""Tests for DatasetConfig validation and load_dataset dispatch/caching."""

import time

import numpy as np
import pytest
from PIL import Image

from spiral_acme import datasets
from spiral_acme.datasets import idx


def test_digits_by_name_is_cached_and_fast():
  config = datasets.DatasetConfig("digits", canvas_width=64)
  first = datasets.load_dataset(config)
  start = time.perf_counter()
  again = datasets.load_dataset(datasets.DatasetConfig("digits"))
  assert time.perf_counter() - start < 0.01
  assert again is first
  assert config.name is datasets.DatasetName.DIGITS
  assert first.images.shape == (1797, 64, 64, 1)


def test_limit_and_invert_override():
  ds = datasets.load_dataset(
      datasets.DatasetConfig("digits", canvas_width=16, limit=7, invert=False))
  assert len(ds) == 7 and len(ds.labels) == 7
  # Not inverted: the border is black.
  assert ds.images[:, 0].max() < 0.01


def test_hershey_by_name_with_fonts():
  ds = datasets.load_dataset(datasets.DatasetConfig(
      "hershey", canvas_width=16, channels=3, fonts=["futural"]))
  assert ds.images.shape == (95, 16, 16, 3)
  assert ds.images[:, 0].min() > 0.99


def test_mnist_by_name(tmp_path):
  pixels = np.zeros((3, 6, 6), np.uint8)
  pixels[:, 2:4, 2:4] = 255
  idx.write_idx(tmp_path / "t10k-images-idx3-ubyte", pixels)
  ds = datasets.load_dataset(datasets.DatasetConfig(
      "kmnist", path=str(tmp_path), split="test", canvas_width=12))
  assert ds.images.shape == (3, 12, 12, 1)
  assert ds.images[:, 0].min() > 0.99 and ds.images[:, 6, 6].max() < 0.2


def test_image_folder_by_name(tmp_path):
  Image.new("RGB", (20, 10), (255, 255, 255)).save(tmp_path / "w.png")
  ds = datasets.load_dataset(datasets.DatasetConfig(
      "image_folder", path=str(tmp_path), canvas_width=8, channels=3))
  np.testing.assert_allclose(ds.images, 1.0)


def test_missing_path_is_file_not_found(tmp_path):
  config = datasets.DatasetConfig("omniglot", path=str(tmp_path / "none"))
  with pytest.raises(FileNotFoundError, match="images_background"):
    datasets.load_dataset(config)


def test_unknown_name_lists_known_names():
  with pytest.raises(ValueError, match="celeba.*digits, hershey, mnist"):
    datasets.DatasetConfig("celeba")


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="digits", canvas_width=0), "canvas_width"),
    (dict(name="digits", channels=4), "channels"),
    (dict(name="digits", limit=0), "limit"),
    (dict(name="digits", path="/data"), "reads no files"),
    (dict(name="digits", split="test"), "split"),
    (dict(name="mnist"), "no path given.*train-images-idx3-ubyte"),
    (dict(name="mnist", path="/d", split="valid"), "split"),
    (dict(name="emnist", path="/d"), "emnist_subset"),
    (dict(name="mnist", path="/d", emnist_subset="letters"), "applies only"),
    (dict(name="digits", fonts=("futural",)), "applies only"),
    (dict(name="hershey", transpose=True), "applies only"),
    (dict(name="tfds"), "tfds_name"),
])
def test_config_validation(kwargs, match):
  with pytest.raises(ValueError, match=match):
    datasets.DatasetConfig(**kwargs)


def test_valid_configs():
  datasets.DatasetConfig("emnist", path="/d", emnist_subset="letters",
                         transpose=False, split="test")
  datasets.DatasetConfig("omniglot", path="/d", split="evaluation")
  config = datasets.DatasetConfig("tfds", tfds_name="mnist",
                                  split="train[:10%]")
  assert config.path is None
  assert hash(datasets.DatasetConfig("hershey", fonts=["futural"]))
