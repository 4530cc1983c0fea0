"""Tests of the shared image helpers."""

import numpy as np
from PIL import Image
import pytest

from spiral_acme import images


def _images(count, height=4, width=5, channels=3, seed=0):
  return np.random.default_rng(seed).random((count, height, width, channels))


def test_image_grid_places_images_between_borders():
  batch = _images(5)
  grid = images.image_grid(batch, ncols=3)
  assert grid.dtype == np.uint8 and grid.shape == (2 * 5 + 1, 3 * 6 + 1, 3)
  expected = np.round(batch * 255).astype(np.uint8)
  for i in range(5):
    row, col = divmod(i, 3)
    top, left = 1 + row * 5, 1 + col * 6
    np.testing.assert_array_equal(grid[top:top + 4, left:left + 5],
                                  expected[i])
  assert np.all(grid[0] == 128) and np.all(grid[:, 0] == 128)
  assert np.all(grid[6:10, 13:18] == 128), "the unused cell is border colour"


def test_image_grid_default_columns_and_border_options():
  grid = images.image_grid(_images(4), border=0)
  assert grid.shape == (8, 10, 3)
  grid = images.image_grid(_images(2), border=2, border_colour=(255, 0, 0))
  assert grid.shape == (8, 16, 3)
  np.testing.assert_array_equal(grid[0, 0], [255, 0, 0])


def test_grey_and_rgba_become_rgb():
  grey = images.image_grid(np.full((1, 2, 2, 1), 0.5), border=0)
  assert np.all(grey == 128)
  rgba = np.zeros((1, 2, 2, 4))
  rgba[..., 0] = 1.0
  rgba[..., 3] = 0.5  # half-transparent red on white
  alpha = 128 / 255  # 0.5 stored as uint8
  expected = round(255 * (1 - alpha))
  np.testing.assert_array_equal(images.image_grid(rgba, border=0)[0, 0],
                                [255, expected, expected])


@pytest.mark.parametrize("batch, message", [
    (np.full((1, 2, 2, 3), 1.5), r"must lie in \[0, 1\].*1.5"),
    (np.full((1, 2, 2, 3), -0.1), r"must lie in \[0, 1\]"),
    (np.full((1, 2, 2, 3), np.nan), "NaN"),
    (np.zeros((2, 2, 3)), r"\[N >= 1, H, W, C\].*\(2, 2, 3\)"),
    (np.zeros((1, 2, 2, 2)), "1, 3 or 4 channels, got 2"),
    (np.zeros((1, 2, 2, 3), np.int64), "uint8 or float"),
])
def test_image_grid_rejects_bad_images(batch, message):
  with pytest.raises(ValueError, match=message):
    images.image_grid(batch)


def test_image_grid_rejects_bad_ncols():
  with pytest.raises(ValueError, match="ncols must be a positive int, got 0"):
    images.image_grid(_images(2), ncols=0)


def test_pair_grid_puts_each_target_left_of_its_painting():
  targets, paintings = _images(3, seed=1), _images(3, seed=2)
  grid = images.pair_grid(targets, paintings, pairs_per_row=3, border=0)
  assert grid.shape == (4, 30, 3)
  for i in range(3):
    np.testing.assert_array_equal(
        grid[:, 10 * i:10 * i + 5], np.round(targets[i] * 255).astype(np.uint8))
    np.testing.assert_array_equal(
        grid[:, 10 * i + 5:10 * i + 10],
        np.round(paintings[i] * 255).astype(np.uint8))
  with pytest.raises(ValueError, match="same"):
    images.pair_grid(_images(3), _images(2))


def test_save_png_round_trips(tmp_path):
  picture = (np.arange(60).reshape(4, 5, 3) * 4).astype(np.uint8)
  path = images.save_png(tmp_path / "sub" / "a.png", picture)
  np.testing.assert_array_equal(np.asarray(Image.open(path)), picture)
  grey = images.save_png(tmp_path / "g.png", np.full((3, 3, 1), 1.0))
  assert np.all(np.asarray(Image.open(grey)) == 255)
  with pytest.raises(ValueError, match=r"\[H, W, 3\].*\(3, 3, 2\)"):
    images.save_png(tmp_path / "bad.png", np.zeros((3, 3, 2), np.uint8))


def test_save_gif_writes_every_frame(tmp_path):
  frames = [np.full((6, 6, 3), v, np.uint8) for v in (0, 120, 250)]
  path = images.save_gif(tmp_path / "a.gif", frames, duration_ms=50)
  with Image.open(path) as gif:
    assert gif.n_frames == 3
    assert gif.info["duration"] == 50
    gif.seek(2)
    assert np.asarray(gif.convert("RGB"))[0, 0, 0] >= 245
  with pytest.raises(ValueError, match="duration_ms must be a positive int"):
    images.save_gif(tmp_path / "b.gif", frames, duration_ms=0)
  with pytest.raises(ValueError, match="at least one"):
    images.save_gif(tmp_path / "c.gif", [])
  with pytest.raises(ValueError, match="same size"):
    images.save_gif(tmp_path / "d.gif", [frames[0], np.zeros((2, 2, 3))])
