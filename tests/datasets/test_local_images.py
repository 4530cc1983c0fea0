"""Tests for Omniglot zips/folders and plain image folders, on tiny files."""

import zipfile

import numpy as np
import pytest
from PIL import Image

from spiral_acme.datasets import image_folder
from spiral_acme.datasets import omniglot


def _drawing(seed, side=21):
  """A black-on-white binary drawing like Omniglot's (mode '1')."""
  rng = np.random.default_rng(seed)
  pixels = np.ones((side, side), bool)
  row = rng.integers(4, side - 4)
  pixels[row, 3:-3] = False
  pixels[3:-3, rng.integers(4, side - 4)] = False
  return Image.fromarray(pixels)


def _omniglot_tree(root, stem):
  names = []
  for a, alphabet in enumerate(["Greek", "Latin"]):
    for c in range(2):
      folder = root / stem / alphabet / f"character{c + 1:02d}"
      folder.mkdir(parents=True)
      for d in range(2):
        _drawing(a * 10 + c * 2 + d).save(folder / f"{a}{c}_{d + 1:02d}.png")
        names.append(f"{stem}/{alphabet}/character{c + 1:02d}/"
                     f"{a}{c}_{d + 1:02d}.png")
  return names


def _omniglot_zip(root, stem):
  tree = root / "tree"
  names = _omniglot_tree(tree, stem)
  with zipfile.ZipFile(root / f"{stem}.zip", "w") as archive:
    for name in names:
      archive.write(tree / name, name)


def test_omniglot_zip_and_folder_agree(tmp_path):
  _omniglot_zip(tmp_path / "zips", "images_background")
  _omniglot_tree(tmp_path / "dirs", "images_evaluation")
  _omniglot_tree(tmp_path / "dirs", "images_background")
  from_zip = omniglot.load_omniglot(tmp_path / "zips", canvas_width=16)
  from_dir = omniglot.load_omniglot(tmp_path / "dirs", split="train",
                                    canvas_width=16)
  assert from_zip.images.shape == (8, 16, 16, 1)
  np.testing.assert_allclose(from_zip.images, from_dir.images)
  np.testing.assert_array_equal(from_zip.labels, from_dir.labels)
  assert tuple(from_zip.labels[0]) == ("Greek", "character01")
  assert tuple(from_zip.labels[-1]) == ("Latin", "character02")
  # Black ink on white is kept: white border, dark strokes.
  assert from_zip.images[:, 0].min() > 0.99
  assert from_zip.images.min() < 0.5 and from_zip.images.mean() < 1.0
  evaluation = omniglot.load_omniglot(tmp_path / "dirs", split="evaluation",
                                      canvas_width=16, limit=3, channels=3)
  assert evaluation.images.shape == (3, 16, 16, 3)


def test_omniglot_path_may_be_the_zip_itself(tmp_path):
  _omniglot_zip(tmp_path, "images_background")
  ds = omniglot.load_omniglot(tmp_path / "images_background.zip",
                              canvas_width=8)
  assert len(ds) == 8


def test_omniglot_missing(tmp_path):
  with pytest.raises(FileNotFoundError, match=r"images_evaluation\.zip"):
    omniglot.load_omniglot(tmp_path, split="test")
  with pytest.raises(ValueError, match="valid"):
    omniglot.load_omniglot(tmp_path, split="valid")


def _photo(width, height):
  """A white photo with a dark square in its centre."""
  pixels = np.full((height, width, 3), 255, np.uint8)
  cy, cx, r = height // 2, width // 2, min(width, height) // 8
  pixels[cy - r:cy + r, cx - r:cx + r] = (40, 10, 10)
  pixels[:, :2] = (255, 0, 0)  # Red stripe on the left: cropped away.
  return Image.fromarray(pixels)


def test_image_folder_crops_non_square_and_labels_subfolders(tmp_path):
  _photo(60, 30).save(tmp_path / "a.png")
  (tmp_path / "sub").mkdir()
  _photo(30, 45).save(tmp_path / "sub" / "b.jpg", quality=95)
  (tmp_path / "notes.txt").write_text("not an image")
  ds = image_folder.load_image_folder(tmp_path, canvas_width=12)
  assert ds.images.shape == (2, 12, 12, 3)
  assert ds.images.min() >= 0.0 and ds.images.max() <= 1.0
  np.testing.assert_array_equal(ds.labels, [".", "sub"])
  # The wide image's red stripe is outside the centre crop.
  assert ds.images[0, :, :, 1:].min() < 0.3
  assert ds.images[0, :, 0].min() > 0.95
  # The dark square sits in the middle.
  assert ds.images[:, 6, 6].max() < 0.4
  grey = image_folder.load_image_folder(tmp_path, canvas_width=12, channels=1,
                                        limit=1)
  assert grey.images.shape == (1, 12, 12, 1) and grey.labels is None


def test_large_jpeg_uses_reduced_decoding(tmp_path):
  _photo(400, 300).save(tmp_path / "big.jpg", quality=95)
  square = image_folder.decode_square(tmp_path / "big.jpg", canvas_width=16,
                                      channels=3)
  assert square.shape[0] == square.shape[1] and 32 <= square.shape[0] < 300
  ds = image_folder.load_image_folder(tmp_path, canvas_width=16)
  assert ds.images.shape == (1, 16, 16, 3)
  assert ds.images[0, 8, 8].max() < 0.6 and ds.images[0, 0, 8].min() > 0.9


def test_image_folder_errors(tmp_path):
  with pytest.raises(FileNotFoundError, match="does not exist"):
    image_folder.load_image_folder(tmp_path / "absent")
  with pytest.raises(FileNotFoundError, match="holds no image files"):
    image_folder.load_image_folder(tmp_path)
  (tmp_path / "broken.png").write_bytes(b"not a png")
  with pytest.raises(ValueError, match="broken.png"):
    image_folder.load_image_folder(tmp_path)
