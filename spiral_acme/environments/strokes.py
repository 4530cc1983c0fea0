"""The stroke program: what a LibMyPaint episode painted, as vector data.

Every executed action becomes a `Stroke` in the pixel coordinates of the
episode's canvas. The program can be re-rendered at another resolution
(`render`) or written as SVG Bezier paths (`to_svg`), which is the point of
SPIRAL: the agent's output is a program, not only pixels.

Scaling rule for `render`: coordinates and the brush radius are both
multiplied by `canvas_width / config.canvas_width`, so a stroke keeps its
shape and its thickness relative to the canvas. At the episode's own width
the re-rendering is bit-identical. At another width it is the same program
with a fresh draw of the brush's random dab jitter (dry_brush scatters dabs
by up to 1.4 radii at full pressure), so it resembles the original resized
(pixel correlation ~0.8 on random hub episodes) without matching it dab for
dab; large, high-pressure strokes differ most.
"""

import colorsys
import dataclasses
import math
from typing import Optional, Sequence, Tuple
from xml.sax import saxutils

import numpy as np

from spiral_acme import _libmypaint
from spiral_acme.environments import brushes
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

Point = Tuple[float, float]
Colour = Tuple[float, float, float]


@dataclasses.dataclass(frozen=True)
class Stroke:
  """One executed action.

  Attributes:
    start: where the pen was before the action (x, y), pixels.
    control: the quadratic Bezier control point (x, y); equals `end` for moves.
    end: where the action took the pen (x, y).
    start_pressure: the pen's pressure before the action.
    pressure: the pressure at `end` (0 for moves); it changes linearly along
      the stroke.
    size: brush radius in pixels (for moves: the unused size action).
    colour: RGB in [0, 1] (for moves: the unused colour action).
    painted: True for a painted stroke, False for a move.
  """
  start: Point
  control: Point
  end: Point
  start_pressure: float
  pressure: float
  size: float
  colour: Colour
  painted: bool

  def __post_init__(self):
    for name, point in (("start", self.start), ("control", self.control),
                        ("end", self.end)):
      if (len(point) != 2 or not math.isfinite(point[0]) or
          not math.isfinite(point[1])):
        raise ValueError(f"Stroke.{name} must be two finite numbers (x, y), "
                         f"got {point!r}")
    if not 0.0 <= self.start_pressure <= 1.0:
      raise ValueError(f"Stroke.start_pressure must be in [0, 1], got "
                       f"{self.start_pressure!r}")
    if not 0.0 <= self.pressure <= 1.0:
      raise ValueError(
          f"Stroke.pressure must be in [0, 1], got {self.pressure!r}")
    if not self.size > 0.0:
      raise ValueError(f"Stroke.size must be > 0 pixels, got {self.size!r}")
    colour = self.colour
    if (len(colour) != 3 or not 0.0 <= colour[0] <= 1.0 or
        not 0.0 <= colour[1] <= 1.0 or not 0.0 <= colour[2] <= 1.0):
      raise ValueError(
          f"Stroke.colour must be three values in [0, 1], got {colour!r}")


def execute(painter: _libmypaint.Painter, stroke: Stroke, *,
            scale: float = 1.0, legacy_move_bug: bool = False) -> None:
  """Performs `stroke` with `painter`, coordinates and radius times `scale`.

  The environment and `render` both paint through this function, so a
  program re-rendered at its own resolution is bit-identical to the episode.
  """
  end_x, end_y = stroke.end
  if not stroke.painted:
    painter.move_to(end_x * scale, end_y * scale,
                    legacy_move_bug=legacy_move_bug)
    return
  painter.set_base_value("radius_logarithmic", math.log(stroke.size * scale))
  hue, saturation, value = colorsys.rgb_to_hsv(*stroke.colour)
  painter.set_base_value("color_h", hue)
  painter.set_base_value("color_s", saturation)
  painter.set_base_value("color_v", value)
  control_x, control_y = stroke.control
  painter.bezier_to(control_x * scale, control_y * scale, end_x * scale,
                    end_y * scale, stroke.pressure)


def render(strokes: Sequence[Stroke], config: LibMyPaintConfig, *,
           canvas_width: Optional[int] = None) -> np.ndarray:
  """Paints `strokes` on a fresh canvas of `canvas_width` pixels.

  Args:
    strokes: a program recorded on a canvas of `config.canvas_width`.
    config: the environment configuration (brush, background, channels).
    canvas_width: output width (>= 16); defaults to `config.canvas_width`.

  Returns:
    float32 [canvas_width, canvas_width, C] in [0, 1], C as the
    environment's observation.
  """
  width = config.canvas_width if canvas_width is None else canvas_width
  if isinstance(width, bool) or not isinstance(width, (int, np.integer)):
    raise ValueError(f"canvas_width must be an int >= 16, got {width!r}")
  if width < 16:
    raise ValueError(f"canvas_width must be >= 16 pixels, got {width}")
  scale = width / config.canvas_width
  painter = _libmypaint.Painter(
      int(width),
      brushes.load_brush_json(config.brush_type, config.brushes_basedir),
      config.background)
  for stroke in strokes:
    if stroke.painted:
      x, y = painter.position
      tolerance = 1e-3 * max(1.0, scale)
      if (abs(x - stroke.start[0] * scale) > tolerance or
          abs(y - stroke.start[1] * scale) > tolerance):
        # A hand-made program may jump; lift the pen to its start first.
        painter.move_to(stroke.start[0] * scale, stroke.start[1] * scale)
    execute(painter, stroke, scale=scale,
            legacy_move_bug=config.legacy_move_bug)
  return read_canvas(painter, config.num_channels)


def read_canvas(painter: _libmypaint.Painter, num_channels: int) -> np.ndarray:
  """The painter's canvas as a new float32 [W, W, num_channels] in [0, 1].

  Channels: 1 = red, 2 = red + alpha, 3 = RGB, 4 = RGBA. The binding writes
  floats directly (8-bit values / 255), so this is one pass over the pixels.
  """
  width = painter.width
  if num_channels == 2:
    rgba = np.empty((width, width, 4), np.float32)
    painter.read(rgba)
    return rgba[..., [0, 3]]
  if num_channels not in (1, 3, 4):
    raise ValueError(f"num_channels must be 1, 2, 3 or 4, got {num_channels}")
  canvas = np.empty((width, width, num_channels), np.float32)
  painter.read(canvas)
  return canvas


def _hex_colour(colour: Colour) -> str:
  return "#" + "".join(f"{int(round(c * 255)):02x}" for c in colour)


def _num(value: float) -> str:
  return f"{value:.6g}"


def to_svg(strokes: Sequence[Stroke], canvas_width: int,
           background: str = "white") -> str:
  """Writes the painted strokes as an SVG document.

  Each painted stroke is one `<path d="M start Q control end">` with
  round caps, `stroke-width` = 2 * size (the brush diameter), its colour as
  `#rrggbb`, and `stroke-opacity` = the stroke's mean pressure
  (start_pressure + pressure) / 2, since the brush's ink opacity grows with
  pressure. Moves draw nothing. A white background becomes a white rect.
  """
  if background not in ("white", "transparent"):
    raise ValueError(
        f"background must be 'white' or 'transparent', got {background!r}")
  if isinstance(canvas_width, bool) or canvas_width < 1:
    raise ValueError(f"canvas_width must be a positive int, got "
                     f"{canvas_width!r}")
  w = _num(canvas_width)
  lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{w}" '
      f'viewBox="0 0 {w} {w}">',
  ]
  if background == "white":
    lines.append(f'<rect x="0" y="0" width="{w}" height="{w}" fill="#ffffff"/>')
  for stroke in strokes:
    if not stroke.painted:
      continue
    d = (f"M {_num(stroke.start[0])} {_num(stroke.start[1])} "
         f"Q {_num(stroke.control[0])} {_num(stroke.control[1])} "
         f"{_num(stroke.end[0])} {_num(stroke.end[1])}")
    opacity = (stroke.start_pressure + stroke.pressure) / 2.0
    lines.append(
        f"<path d={saxutils.quoteattr(d)} fill=\"none\" "
        f"stroke=\"{_hex_colour(stroke.colour)}\" "
        f"stroke-width=\"{_num(2.0 * stroke.size)}\" "
        f"stroke-opacity=\"{_num(opacity)}\" "
        'stroke-linecap="round" stroke-linejoin="round"/>')
  lines.append("</svg>")
  return "\n".join(lines) + "\n"
