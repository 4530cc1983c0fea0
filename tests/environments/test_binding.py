"""Tests of the pybind11 libmypaint binding (spiral_acme._libmypaint)."""

import math

import numpy as np
import pytest

from spiral_acme import _libmypaint
from spiral_acme.environments import brushes

WIDTH = 64


@pytest.fixture(scope="module")
def brush_json():
  return brushes.load_brush_json("classic/dry_brush")


def _painter(brush_json, width=WIDTH, background="white"):
  return _libmypaint.Painter(width, brush_json, background)


def _read(painter, channels=3):
  out = np.zeros((painter.width, painter.width, channels), np.uint8)
  painter.read(out)
  return out


def _ink(pixels):
  return float(np.sum(255.0 - pixels.astype(np.float64)))


def _set_brush(painter, size, rgb=(0.0, 0.0, 0.0)):
  import colorsys  # pylint: disable=g-import-not-at-top
  painter.set_base_value("radius_logarithmic", math.log(size))
  for name, value in zip(("color_h", "color_s", "color_v"),
                         colorsys.rgb_to_hsv(*rgb)):
    painter.set_base_value(name, value)


def _horizontal_stroke(painter, size=2.0, pressure=1.0, rgb=(0., 0., 0.)):
  _set_brush(painter, size, rgb)
  painter.move_to(12.0, 32.0)
  painter.bezier_to(32.0, 32.0, 52.0, 32.0, pressure)


def test_new_canvas_is_white_and_transparent_is_clear(brush_json):
  assert np.all(_read(_painter(brush_json)) == 255)
  rgba = _read(_painter(brush_json, background="transparent"), 4)
  assert np.all(rgba == 0)


def test_painted_stroke_inks_its_path_and_not_far_corners(brush_json):
  painter = _painter(brush_json)
  _horizontal_stroke(painter)
  pixels = _read(painter)
  band = pixels[28:37, 16:49]
  assert np.mean(band < 200) > 0.2, "the stroke's path should be inked"
  for corner in (pixels[:8, :8], pixels[:8, -8:], pixels[-8:, :8],
                 pixels[-8:, -8:]):
    assert np.all(corner == 255)


def test_move_changes_nothing(brush_json):
  painter = _painter(brush_json)
  _set_brush(painter, 8.0)
  painter.move_to(40.0, 20.0)
  painter.move_to(5.0, 60.0)
  assert np.all(_read(painter) == 255)
  assert painter.position == (5.0, 60.0)
  assert not painter.painting
  assert painter.pressure == 0.0


def test_legacy_move_bug_records_y_y(brush_json):
  painter = _painter(brush_json)
  painter.move_to(10.0, 40.0, legacy_move_bug=True)
  assert painter.position == (40.0, 40.0)
  painter.move_to(10.0, 40.0)
  assert painter.position == (10.0, 40.0)


def test_stroke_updates_pen_state(brush_json):
  painter = _painter(brush_json)
  _horizontal_stroke(painter, pressure=0.5)
  assert painter.position == (52.0, 32.0)
  assert painter.pressure == pytest.approx(0.5)
  assert painter.painting


def test_larger_size_puts_more_ink(brush_json):
  inks = []
  for size in (1.0, 4.0, 12.0):
    painter = _painter(brush_json)
    _horizontal_stroke(painter, size=size)
    inks.append(_ink(_read(painter)))
  assert inks[0] < inks[1] < inks[2]


def test_pressure_matters(brush_json):
  inks = []
  for pressure in (0.1, 1.0):
    painter = _painter(brush_json)
    _horizontal_stroke(painter, size=4.0, pressure=pressure)
    inks.append(_ink(_read(painter)))
  assert inks[1] > 1.5 * inks[0] > 0


def test_red_colour_gives_reddish_ink(brush_json):
  painter = _painter(brush_json)
  _horizontal_stroke(painter, size=4.0, rgb=(1.0, 0.0, 0.0))
  pixels = _read(painter).astype(np.int32)
  inked = np.any(pixels < 250, axis=-1)
  assert inked.sum() > 20
  red, green, blue = (pixels[..., c][inked] for c in range(3))
  assert np.mean(red) > np.mean(green) + 60
  assert np.mean(red) > np.mean(blue) + 60


def _paint_program(painter):
  _set_brush(painter, 12.0, (0.2, 0.5, 0.9))
  painter.bezier_to(40.0, 5.0, 60.0, 50.0, 0.7)
  _set_brush(painter, 2.0)
  painter.bezier_to(10.0, 60.0, 30.0, 30.0, 0.3)
  painter.move_to(5.0, 5.0)
  painter.bezier_to(20.0, 50.0, 50.0, 60.0, 1.0)
  return _read(painter)


def test_same_actions_after_reset_are_bit_identical(brush_json):
  painter = _painter(brush_json)
  first = _paint_program(painter)
  painter.reset()
  assert np.all(_read(painter) == 255) and painter.position == (0.0, 0.0)
  assert not painter.painting and painter.pressure == 0.0
  second = _paint_program(painter)
  fresh = _paint_program(_painter(brush_json))
  assert np.array_equal(first, second)
  assert np.array_equal(first, fresh)


def test_reset_restores_json_base_values(brush_json):
  painter = _painter(brush_json)
  original = painter.get_base_value("radius_logarithmic")
  painter.set_base_value("radius_logarithmic", 2.5)
  assert painter.get_base_value("radius_logarithmic") == pytest.approx(2.5)
  painter.reset()
  assert painter.get_base_value("radius_logarithmic") == pytest.approx(original)


@pytest.mark.parametrize("width", [16, 40, 100])
def test_any_width_from_16(brush_json, width):
  painter = _painter(brush_json, width=width)
  _set_brush(painter, 2.0)
  far = width - 4.0
  painter.move_to(far - 8.0, far)
  painter.bezier_to(far - 4.0, far, far, far, 1.0)
  pixels = _read(painter)
  assert pixels.shape == (width, width, 3)
  assert np.any(pixels[-8:, -14:] < 200), "ink near the far corner"
  assert np.all(pixels[:4, :4] == 255)


def test_read_channels_agree(brush_json):
  painter = _painter(brush_json)
  _horizontal_stroke(painter, size=4.0, rgb=(0.1, 0.8, 0.3))
  rgb, red, rgba = _read(painter, 3), _read(painter, 1), _read(painter, 4)
  np.testing.assert_array_equal(red[..., 0], rgb[..., 0])
  np.testing.assert_array_equal(rgba[..., :3], rgb)
  assert np.all(rgba[..., 3] == 255)


def test_float_read_is_bytes_over_255(brush_json):
  painter = _painter(brush_json, background="transparent")
  _horizontal_stroke(painter, size=4.0, rgb=(0.3, 0.6, 0.9), pressure=0.6)
  for channels in (1, 3, 4):
    as_bytes = _read(painter, channels)
    as_floats = np.zeros(as_bytes.shape, np.float32)
    painter.read(as_floats)
    np.testing.assert_array_equal(
        as_floats, as_bytes.astype(np.float32) / np.float32(255))
  assert 0 < as_floats[..., 3].max() <= 1.0


def test_transparent_background_gets_alpha_where_painted(brush_json):
  painter = _painter(brush_json, background="transparent")
  _horizontal_stroke(painter, size=4.0, rgb=(0.0, 0.0, 1.0))
  rgba = _read(painter, 4)
  painted = rgba[..., 3] > 0
  assert painted.sum() > 20 and np.all(rgba[:8, :8] == 0)
  assert np.mean(rgba[..., 2][painted]) > 200  # straight (unpremultiplied)


def test_setting_names_come_from_libmypaint():
  names = _libmypaint.setting_names()
  assert {"radius_logarithmic", "color_h", "color_s", "color_v"} <= set(names)
  assert len(names) == len(set(names))


@pytest.mark.parametrize("out, message", [
    (np.zeros((64, 64, 3), np.float64), "uint8 or float32.*float64"),
    (np.zeros((32, 32, 3), np.uint8), r"\(64, 64, C\).*got \(32, 32, 3\)"),
    (np.zeros((64, 64, 2), np.uint8), "C in"),
    (np.zeros((64, 64), np.uint8), r"got \(64, 64\)"),
    (np.zeros((64, 64, 6), np.uint8)[..., ::2], "C-contiguous"),
])
def test_read_rejects_bad_buffers(brush_json, out, message):
  with pytest.raises(ValueError, match=message):
    _painter(brush_json).read(out)


def test_read_rejects_read_only_buffer(brush_json):
  out = np.zeros((64, 64, 3), np.uint8)
  out.flags.writeable = False
  with pytest.raises(ValueError, match="writeable"):
    _painter(brush_json).read(out)


def test_bad_construction_and_arguments(brush_json):
  with pytest.raises(ValueError, match="width must be >= 16.*got 8"):
    _libmypaint.Painter(8, brush_json)
  with pytest.raises(ValueError, match="'white' or 'transparent'.*'grey'"):
    _libmypaint.Painter(64, brush_json, "grey")
  with pytest.raises(ValueError, match="could not parse the brush JSON"):
    _libmypaint.Painter(64, "{not json")
  painter = _painter(brush_json)
  with pytest.raises(ValueError, match="unknown brush setting 'radius'"):
    painter.set_base_value("radius", 1.0)
  with pytest.raises(ValueError,
                     match=r"pressure must be in \[0, 1\], got 1.5"):
    painter.bezier_to(1.0, 1.0, 2.0, 2.0, 1.5)
  with pytest.raises(ValueError, match="end x must be finite"):
    painter.bezier_to(1.0, 1.0, float("nan"), 2.0, 0.5)
  with pytest.raises(ValueError, match="y must be finite"):
    painter.move_to(1.0, float("inf"))
  assert np.all(_read(painter) == 255)
