"""Checks of user-given values, each failing with one line naming the value.

Launchers call these on their flags before any work starts; `name` is what
the user typed (a flag name without dashes), so the message reads
`num_samples=0: expected an int >= 1`. Each helper returns the value
normalised (a Python int or float), so it can be used inline:

    steps = validation.positive_int("num_steps", FLAGS.num_steps)
"""

import math
import numbers
from typing import Any, Optional

from spiral_acme.environments.libmypaint_config import MIN_CANVAS_WIDTH


def _fail(name: str, value: Any, expected: str) -> ValueError:
  return ValueError(f"{name}={value!r}: expected {expected}")


def _integer(name: str, value: Any, expected: str) -> int:
  if isinstance(value, bool) or not isinstance(value, numbers.Integral):
    raise _fail(name, value, expected)
  return int(value)


def int_at_least(name: str, value: Any, minimum: int) -> int:
  """Returns `value` if it is an int >= `minimum`, else raises naming it."""
  expected = f"an int >= {minimum}"
  if _integer(name, value, expected) < minimum:
    raise _fail(name, value, expected)
  return int(value)


def positive_int(name: str, value: Any) -> int:
  """An int >= 1 (a count of steps, samples, environments, ...)."""
  return int_at_least(name, value, 1)


def non_negative_int(name: str, value: Any) -> int:
  """An int >= 0 (a seed, an index)."""
  return int_at_least(name, value, 0)


def finite_positive(name: str, value: Any) -> float:
  """A finite real number > 0 (a learning rate, a time budget)."""
  if (isinstance(value, bool) or not isinstance(value, numbers.Real) or
      not math.isfinite(value) or value <= 0):
    raise _fail(name, value, "a finite number > 0")
  return float(value)


def finite_non_negative(name: str, value: Any) -> float:
  """A finite real number >= 0 (a loss weight, an entropy cost)."""
  if (isinstance(value, bool) or not isinstance(value, numbers.Real) or
      not math.isfinite(value) or value < 0):
    raise _fail(name, value, "a finite number >= 0")
  return float(value)


def canvas_width(name: str, value: Any, minimum: int = MIN_CANVAS_WIDTH,
                 maximum: Optional[int] = None) -> int:
  """A canvas side in pixels, `minimum` <= value (<= `maximum` if given).

  The default minimum is LibMyPaint's: the painter and the stroke
  re-renderer (`strokes.render`, used by `outputs.write_samples`) refuse
  smaller canvases.
  """
  expected = (f"a canvas width in pixels, an int >= {minimum}"
              + ("" if maximum is None else f" and <= {maximum}"))
  width = _integer(name, value, expected)
  if width < minimum or (maximum is not None and width > maximum):
    raise _fail(name, value, expected)
  return width
