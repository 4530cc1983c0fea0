"""Tests for the IDX reader and the MNIST-family loaders, on tiny files."""

import gzip

import numpy as np
import pytest

from spiral_acme.datasets import idx
from spiral_acme.datasets import mnist


def _digits(n=5, side=8):
  """White-on-black images: a vertical bar in column i % side, on black."""
  pixels = np.zeros((n, side, side), np.uint8)
  for i in range(n):
    pixels[i, 1:-1, 2 + i % 3] = 255
  return pixels


def _write_split(folder, prefix, stem, n=5, *, compress=True, labels=True,
                 sep="-"):
  ext = ".gz" if compress else ""
  pixels = _digits(n)
  idx.write_idx(folder / f"{prefix}{stem}-images{sep}idx3-ubyte{ext}", pixels,
                compress=compress)
  if labels:
    idx.write_idx(folder / f"{prefix}{stem}-labels{sep}idx1-ubyte{ext}",
                  np.arange(n, dtype=np.uint8) % 10, compress=compress)
  return pixels


def test_idx_round_trip_all_types(tmp_path):
  for dtype in (np.uint8, np.int8, np.int16, np.int32, np.float32,
                np.float64):
    array = np.arange(24).reshape(2, 3, 4).astype(dtype)
    for compress in (False, True):
      idx.write_idx(tmp_path / "a", array, compress=compress)
      back = idx.read_idx(tmp_path / "a")
      assert back.dtype == array.dtype
      np.testing.assert_array_equal(back, array)
  assert idx.read_idx(tmp_path / "a", limit=1).shape == (1, 3, 4)


def test_idx_rejects_non_idx_and_truncated(tmp_path):
  (tmp_path / "junk").write_bytes(b"PK\x03\x04rest")
  with pytest.raises(ValueError, match="not an IDX file"):
    idx.read_idx(tmp_path / "junk")
  idx.write_idx(tmp_path / "full", np.zeros((4, 5, 5), np.uint8))
  data = (tmp_path / "full").read_bytes()
  (tmp_path / "cut.gz").write_bytes(gzip.compress(data[:-10]))
  with pytest.raises(ValueError, match="truncated"):
    idx.read_idx(tmp_path / "cut.gz")
  with pytest.raises(FileNotFoundError, match="nothere"):
    idx.read_idx(tmp_path / "nothere")


@pytest.mark.parametrize("compress", [True, False])
def test_mnist_train_and_test(tmp_path, compress):
  _write_split(tmp_path, "", "train", 5, compress=compress)
  _write_split(tmp_path, "", "t10k", 3, compress=compress)
  train = mnist.load_idx_dataset(tmp_path, canvas_width=16)
  test = mnist.load_idx_dataset(tmp_path, split="test", canvas_width=16)
  assert train.images.shape == (5, 16, 16, 1)
  assert test.images.shape == (3, 16, 16, 1)
  np.testing.assert_array_equal(train.labels, np.arange(5))
  # Inverted: white border, dark bar.
  assert train.images[:, 0].min() > 0.99
  assert train.images.min() < 0.3 and train.images.mean() < 1.0
  assert train.images.max() <= 1.0


def test_dot_separator_gzip_folder_missing_labels_and_limit(tmp_path):
  (tmp_path / "gzip").mkdir()
  _write_split(tmp_path / "gzip", "", "train", 6, labels=False, sep=".")
  ds = mnist.load_idx_dataset(tmp_path, canvas_width=8, limit=4,
                              channels=3)
  assert ds.images.shape == (4, 8, 8, 3)
  assert ds.labels is None


def test_kmnist_uses_mnist_names(tmp_path):
  _write_split(tmp_path, "", "train", 2)
  ds = mnist.load_idx_dataset(tmp_path, family=mnist.Family.KMNIST,
                              canvas_width=8)
  assert ds.name == "kmnist" and len(ds) == 2


def test_emnist_is_transposed_by_default(tmp_path):
  pixels = _write_split(tmp_path, "emnist-letters-", "train", 3)
  kwargs = dict(family=mnist.Family.EMNIST, subset="letters", canvas_width=8)
  ds = mnist.load_idx_dataset(tmp_path, **kwargs)
  raw = mnist.load_idx_dataset(tmp_path, transpose=False, **kwargs)
  # The stored vertical bar becomes a horizontal one.
  np.testing.assert_allclose(ds.images[..., 0],
                             raw.images[..., 0].transpose(0, 2, 1), atol=1e-6)
  expected = 1.0 - pixels.transpose(0, 2, 1) / 255.0
  np.testing.assert_allclose(ds.images[..., 0], expected, atol=1e-6)


def test_missing_files_name_what_was_expected(tmp_path):
  with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
    mnist.load_idx_dataset(tmp_path)
  with pytest.raises(FileNotFoundError, match="does not exist"):
    mnist.load_idx_dataset(tmp_path / "absent")
  with pytest.raises(FileNotFoundError,
                     match="emnist-digits-test-images-idx3-ubyte"):
    mnist.load_idx_dataset(tmp_path, family=mnist.Family.EMNIST,
                           subset="digits", split="test")


def test_mismatched_labels(tmp_path):
  _write_split(tmp_path, "", "train", 5)
  idx.write_idx(tmp_path / "train-labels-idx1-ubyte.gz",
                np.zeros(4, np.uint8), compress=True)
  with pytest.raises(ValueError, match="labels"):
    mnist.load_idx_dataset(tmp_path)


@pytest.mark.parametrize("kwargs, match", [
    (dict(split="valid"), "valid"),
    (dict(family=mnist.Family.EMNIST), "subset"),
    (dict(family=mnist.Family.EMNIST, subset="bogus"), "bogus"),
    (dict(subset="letters"), "EMNIST only"),
    (dict(limit=0), "limit"),
])
def test_bad_arguments(tmp_path, kwargs, match):
  with pytest.raises(ValueError, match=match):
    mnist.load_idx_dataset(tmp_path, **kwargs)
