"""Draws a learning benchmark's curve as a PNG (no plotting library needed).

Two panels against environment frames (training minutes under each tick):
L2 over the blank canvas's, and classifier accuracy next to its accuracy on
real targets, with greedy search's values as dashed references.

    python benchmarks/plot_curve.py results/learning_digits.json \\
        results/learning_digits_curve.png
"""

import json
import sys

from PIL import Image
from PIL import ImageDraw

_W, _H, _PAD = 360, 220, 44
_COLOURS = {"agent": (31, 119, 180), "real": (44, 160, 44),
            "greedy": (214, 39, 40), "axis": (0, 0, 0), "grid": (220, 220, 220)}


def _panel(draw, x0, title, xs, minutes, ys, ymax, references):
  """One panel at horizontal offset x0; references: (label, value, colour)."""
  left, top = x0 + _PAD, _PAD // 2 + 14
  width, height = _W - _PAD - 10, _H - _PAD - 30
  xmax = max(xs) or 1

  def point(x, y):
    return (left + width * x / xmax, top + height * (1 - min(y, ymax) / ymax))

  draw.text((left, 4), title, fill=_COLOURS["axis"])
  for i in range(5):
    y = ymax * i / 4
    _, py = point(0, y)
    draw.line([(left, py), (left + width, py)], fill=_COLOURS["grid"])
    draw.text((x0 + 4, py - 6), f"{y:.2f}", fill=_COLOURS["axis"])
  draw.rectangle([left, top, left + width, top + height],
                 outline=_COLOURS["axis"])
  for x, m in zip(xs[::max(1, len(xs) // 4)], minutes[::max(1, len(xs) // 4)]):
    px, _ = point(x, 0)
    draw.text((px - 10, top + height + 4), f"{x / 1000:.0f}k",
              fill=_COLOURS["axis"])
    draw.text((px - 10, top + height + 16), f"{m:.0f}m",
              fill=_COLOURS["axis"])
  for label, value, colour in references:
    _, py = point(0, value)
    for sx in range(int(left), int(left + width), 8):
      draw.line([(sx, py), (sx + 4, py)], fill=colour)
    draw.text((left + width - 70, py - 12), label, fill=colour)
  draw.line([point(x, y) for x, y in zip(xs, ys)], fill=_COLOURS["agent"],
            width=2)


def plot(result: dict, path: str) -> None:
  run = result["conditional"]
  curve = run["curve"]
  xs = [p["frames"] for p in curve]
  minutes = [p["train_minutes"] for p in curve]
  greedy = run["references"]["greedy_search"]
  image = Image.new("RGB", (2 * _W, _H), "white")
  draw = ImageDraw.Draw(image)
  _panel(draw, 0, "L2 / blank canvas (frames, minutes)", xs, minutes,
         [p["l2_ratio_vs_blank"] for p in curve], 1.5,
         [("greedy", greedy["l2_ratio_vs_blank"], _COLOURS["greedy"])])
  _panel(draw, _W, "classifier accuracy", xs, minutes,
         [p["classifier_accuracy"] for p in curve], 1.0,
         [("real", run["real_classifier_accuracy"], _COLOURS["real"]),
          ("greedy", greedy["classifier_accuracy"], _COLOURS["greedy"])])
  image.save(path)


if __name__ == "__main__":
  with open(sys.argv[1]) as f:
    plot(json.load(f), sys.argv[2])
