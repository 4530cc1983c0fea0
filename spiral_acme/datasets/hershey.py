"""Hershey stroke-font glyphs rendered as pen drawings (Omniglot-like).

The Hershey-Fonts package embeds 32 vector fonts (Latin, Greek, Cyrillic,
Japanese, Gothic, script, symbols). Each glyph is a list of polylines, so
rendering it with a round pen gives a handwriting-like drawing that needs no
download. Each glyph's drawing box is scaled uniformly to fill the canvas
inside a margin and centred; the pen is drawn black on white at 4x resolution
and box-filtered down, which antialiases the strokes. Glyphs without strokes
(the space) or without extent (a lone point) are skipped.
"""

import functools
from typing import Optional, Sequence

import numpy as np
from PIL import Image
from PIL import ImageDraw

from spiral_acme.datasets import dataset
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.DARK_ON_LIGHT
_SUPERSAMPLE = 4
DEFAULT_MARGIN = 0.12  # Fraction of the canvas left blank on each side.
DEFAULT_PEN_WIDTH = 0.04  # Pen diameter as a fraction of the canvas width.


def font_names() -> list[str]:
  """Returns the names of the fonts embedded in the Hershey-Fonts package."""
  from HersheyFonts import HersheyFonts  # pylint: disable=g-import-not-at-top
  return HersheyFonts().default_font_names


def _render_glyph(strokes: Sequence[Sequence[tuple[int, int]]], width: int,
                  margin: float, pen_width: float) -> Optional[np.ndarray]:
  """Draws one glyph black on white; returns `u8[width, width]` or None."""
  points = np.array([p for stroke in strokes for p in stroke], np.float64)
  low, high = points.min(axis=0), points.max(axis=0)
  extent = float((high - low).max())
  if extent == 0.0:
    return None
  big = width * _SUPERSAMPLE
  pen = max(1.0, pen_width * big)
  box = big * (1.0 - 2.0 * margin) - pen
  scale = box / extent
  offset = big / 2.0 - scale * (low + high) / 2.0
  canvas = Image.new("L", (big, big), 255)
  draw = ImageDraw.Draw(canvas)
  radius = pen / 2.0
  for stroke in strokes:
    xy = [tuple(scale * np.asarray(p, np.float64) + offset) for p in stroke]
    if len(xy) > 1:
      draw.line(xy, fill=0, width=int(round(pen)), joint="curve")
    for x, y in (xy[0], xy[-1]):  # Round pen caps.
      draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
  return np.asarray(canvas.reduce(_SUPERSAMPLE))


@functools.lru_cache(maxsize=8)
def _render_fonts(fonts: tuple[str, ...], width: int, margin: float,
                  pen_width: float) -> tuple[np.ndarray, np.ndarray]:
  """Renders every drawable glyph of `fonts`: `u8[N, W, W]` and labels."""
  from HersheyFonts import HersheyFonts  # pylint: disable=g-import-not-at-top
  loader = HersheyFonts()
  pixels, labels = [], []
  for font in fonts:
    loader.load_default_font(font)
    for char, glyph in loader.all_glyphs.items():
      if not glyph.strokes:
        continue
      image = _render_glyph(glyph.strokes, width, margin, pen_width)
      if image is not None:
        pixels.append(image)
        labels.append((font, char))
  return np.stack(pixels), np.array(labels, dtype=str).reshape(-1, 2)


def load_hershey(*, canvas_width: int = 64, channels: int = 1,
                 fonts: Optional[Sequence[str]] = None,
                 margin: float = DEFAULT_MARGIN,
                 pen_width: float = DEFAULT_PEN_WIDTH,
                 invert: bool = False) -> dataset.ImageDataset:
  """Renders Hershey glyphs as dark pen drawings on white.

  Args:
    canvas_width: the side of the output images.
    channels: 1, or 3 to replicate grey into RGB.
    fonts: font names to include (see `font_names()`); None for all 32.
    margin: blank border on each side, as a fraction of the canvas.
    pen_width: pen diameter as a fraction of the canvas width.
    invert: True gives white ink on black (the glyphs are drawn dark on
      white, already the canvas convention).

  Returns:
    An ImageDataset whose labels are `str[N, 2]` rows (font, glyph).
  """
  if canvas_width < 1:
    raise ValueError(f"canvas_width must be positive, got {canvas_width}.")
  if not 0.0 <= margin < 0.5:
    raise ValueError(f"margin must be in [0, 0.5), got {margin}.")
  if not 0.0 < pen_width < 0.5:
    raise ValueError(f"pen_width must be in (0, 0.5), got {pen_width}.")
  known = font_names()
  fonts = tuple(known if fonts is None else fonts)
  unknown = sorted(set(fonts) - set(known))
  if unknown or not fonts:
    raise ValueError(f"Unknown Hershey fonts {unknown or fonts!r}; expected "
                     f"a non-empty selection of {known}.")
  pixels, labels = _render_fonts(fonts, canvas_width, margin, pen_width)
  out = images_lib.to_canvas_images(
      images_lib.uint8_to_float(pixels)[..., None], canvas_width=canvas_width,
      channels=channels, invert=invert)
  return dataset.ImageDataset(out, labels.copy(), "hershey")
