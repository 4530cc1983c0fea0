"""Tests of the stroke program: Stroke, render and to_svg."""

import re
from xml.etree import ElementTree

import numpy as np
import pytest

from spiral_acme.environments import strokes
from spiral_acme.environments.libmypaint import LibMyPaintConfig

_SVG = "{http://www.w3.org/2000/svg}"


def _episode(config, seed, paint_probability=0.7):
  """Runs one random episode; returns the environment at its end."""
  env = config.make()
  env.reset()
  rng = np.random.default_rng(seed)
  while True:
    action = {k: int(rng.integers(s.num_values))
              for k, s in env.action_spec().items()}
    action["flag"] = int(rng.random() < paint_probability)
    timestep = env.step(action)
    if timestep.last():
      return env, timestep.observation["canvas"]


def _stroke(**overrides):
  values = dict(start=(0.0, 0.0), control=(10.0, 10.0), end=(20.0, 5.0),
                start_pressure=0.0, pressure=0.5, size=2.0,
                colour=(0.0, 0.5, 1.0), painted=True)
  values.update(overrides)
  return strokes.Stroke(**values)


@pytest.mark.parametrize("overrides", [
    dict(seed=3), dict(seed=4, legacy_move_bug=True),
    dict(seed=5, use_color=False, use_alpha=True, background="transparent"),
])
def test_render_at_own_width_is_bit_identical(overrides):
  seed = overrides.pop("seed")
  env, canvas = _episode(LibMyPaintConfig(**overrides), seed)
  rendered = env.render()
  assert rendered.dtype == np.float32
  np.testing.assert_array_equal(rendered, canvas)


def test_render_at_128_looks_like_the_64_canvas_downsampled():
  # The dry brush jitters its dabs at random (up to 1.4 radii at full
  # pressure) and the jitter is not drawn identically at another resolution,
  # so compare over a few episodes rather than pixel by pixel.
  same, unrelated = [], []
  episodes = [_episode(LibMyPaintConfig(), seed=s) for s in range(4)]
  for i, (env, canvas) in enumerate(episodes):
    big = env.render(canvas_width=128)
    assert big.shape == (128, 128, 3) and big.dtype == np.float32
    down = big.reshape(64, 2, 64, 2, 3).mean(axis=(1, 3))
    ink = (1.0 - canvas).ravel()
    same.append(np.corrcoef(ink, (1.0 - down).ravel())[0, 1])
    other = episodes[(i + 1) % len(episodes)][1]
    unrelated.append(np.corrcoef(ink, (1.0 - other).ravel())[0, 1])
  assert np.mean(same) > 0.7
  assert np.mean(same) > np.mean(unrelated) + 0.4


def test_render_scales_the_brush_radius():
  config = LibMyPaintConfig()
  program = [_stroke(start=(8.0, 32.0), control=(32.0, 32.0),
                     end=(56.0, 32.0), pressure=1.0, colour=(0., 0., 0.))]
  small = 1.0 - strokes.render(program, config, canvas_width=64)
  large = 1.0 - strokes.render(program, config, canvas_width=128)
  # Same relative ink coverage: 4x the pixels at twice the radius.
  assert large.sum() / small.sum() == pytest.approx(4.0, rel=0.35)


def test_render_lifts_the_pen_for_hand_made_jumps():
  config = LibMyPaintConfig()
  program = [_stroke(start=(40.0, 40.0), control=(50.0, 40.0),
                     end=(60.0, 40.0), pressure=1.0, size=2.0,
                     colour=(0., 0., 0.))]
  canvas = strokes.render(program, config)
  assert canvas[36:45, 42:60].min() < 0.5
  assert np.all(canvas[:30, :30] == 1.0), "no line dragged from (0, 0)"


def test_render_rejects_bad_widths():
  with pytest.raises(ValueError, match=">= 16 pixels, got 8"):
    strokes.render([], LibMyPaintConfig(), canvas_width=8)
  with pytest.raises(ValueError, match="must be an int"):
    strokes.render([], LibMyPaintConfig(), canvas_width=64.0)


def test_svg_has_one_path_per_painted_stroke_with_its_style():
  env, _ = _episode(LibMyPaintConfig(), seed=21, paint_probability=0.5)
  program = env.strokes
  painted = [s for s in program if s.painted]
  assert 0 < len(painted) < len(program)
  root = ElementTree.fromstring(env.to_svg())
  assert root.tag == _SVG + "svg" and root.get("width") == "64"
  assert root.find(_SVG + "rect").get("fill") == "#ffffff"
  paths = root.findall(_SVG + "path")
  assert len(paths) == len(painted)
  for path, stroke in zip(paths, painted):
    expected = "#" + "".join(f"{round(c * 255):02x}" for c in stroke.colour)
    assert path.get("stroke") == expected
    assert float(path.get("stroke-width")) == pytest.approx(2 * stroke.size)
    assert float(path.get("stroke-opacity")) == pytest.approx(
        (stroke.start_pressure + stroke.pressure) / 2, abs=1e-5)
    assert path.get("fill") == "none"
    assert path.get("stroke-linecap") == "round"
    numbers = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?",
                                            path.get("d"))]
    assert path.get("d").startswith("M ") and " Q " in path.get("d")
    np.testing.assert_allclose(
        numbers, [*stroke.start, *stroke.control, *stroke.end], atol=1e-4)


def test_svg_colour_of_a_red_stroke_and_transparent_background():
  svg = strokes.to_svg([_stroke(colour=(1.0, 0.0, 0.0)),
                        _stroke(painted=False, pressure=0.0)], 64,
                       "transparent")
  root = ElementTree.fromstring(svg)
  assert root.find(_SVG + "rect") is None
  [path] = root.findall(_SVG + "path")
  assert path.get("stroke") == "#ff0000"
  with pytest.raises(ValueError, match="'white' or 'transparent'"):
    strokes.to_svg([], 64, "black")


@pytest.mark.parametrize("overrides, message", [
    (dict(start=(0.0, float("nan"))), "start must be two finite numbers"),
    (dict(end=(1.0,)), "end must be two finite numbers"),
    (dict(pressure=1.5), r"pressure must be in \[0, 1\], got 1.5"),
    (dict(start_pressure=-0.1), r"start_pressure must be in \[0, 1\]"),
    (dict(size=0.0), "size must be > 0 pixels, got 0.0"),
    (dict(colour=(0.0, 2.0, 0.0)), r"colour must be three values in \[0, 1\]"),
])
def test_stroke_validation(overrides, message):
  with pytest.raises(ValueError, match=message):
    _stroke(**overrides)


def test_stroke_is_frozen():
  with pytest.raises(AttributeError):
    _stroke().size = 3.0  # pytype: disable=not-writable
