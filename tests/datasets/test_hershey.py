"""Tests for the rendered Hershey glyphs."""

import numpy as np
import pytest

from spiral_acme.datasets import hershey

_FONTS = ("futural", "greek")


@pytest.fixture(scope="module")
def glyphs():
  return hershey.load_hershey(canvas_width=32, fonts=_FONTS)


def test_shapes_and_labels(glyphs):
  n = len(glyphs)
  assert glyphs.images.shape == (n, 32, 32, 1)
  assert glyphs.labels.shape == (n, 2)
  assert set(glyphs.labels[:, 0]) == set(_FONTS)
  # 95 printable glyphs per font (the space has no strokes).
  assert n == 2 * 95
  rows = {tuple(row) for row in glyphs.labels}
  assert ("futural", "A") in rows and ("futural", " ") not in rows


def test_dark_pen_on_white_inside_margin(glyphs):
  images = glyphs.images
  assert images.min() >= 0.0 and images.max() <= 1.0
  border = np.concatenate([images[:, :2], images[:, -2:]], axis=1)
  assert border.min() > 0.99
  assert images.mean() < 0.97
  assert (images.reshape(len(images), -1).min(axis=1) < 0.5).all()


def test_glyph_fills_the_box():
  ds = hershey.load_hershey(canvas_width=32, fonts=("futural",), margin=0.1)
  index = [tuple(r) for r in ds.labels].index(("futural", "I"))
  ink_rows = np.nonzero(ds.images[index, :, :, 0].min(axis=1) < 0.5)[0]
  # A vertical bar spans the box from margin to margin.
  assert ink_rows.min() <= 5 and ink_rows.max() >= 26


def test_distinct_glyphs_differ(glyphs):
  labels = [tuple(r) for r in glyphs.labels]
  a = glyphs.images[labels.index(("futural", "A"))]
  o = glyphs.images[labels.index(("futural", "O"))]
  assert np.abs(a - o).mean() > 0.05


def test_three_channels():
  ds = hershey.load_hershey(canvas_width=16, channels=3, fonts=("futural",))
  assert ds.images.shape[1:] == (16, 16, 3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(fonts=("comic_sans",)), "comic_sans"),
    (dict(fonts=()), "non-empty"),
    (dict(margin=0.6), "margin"),
    (dict(pen_width=0.0), "pen_width"),
    (dict(canvas_width=-1), "canvas_width"),
])
def test_bad_arguments(kwargs, match):
  with pytest.raises(ValueError, match=match):
    hershey.load_hershey(**kwargs)
