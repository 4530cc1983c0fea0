"""LibMyPaintConfig: the LibMyPaint environment's arguments as a value.

A frozen, validated, JSON-able record, so launchers, the distributed program
and saved runs can describe an environment without building it. Defaults are
the published TF-Hub agents' configuration (canvas 64, grid 32,
classic/dry_brush, six sizes, colour and pressure on).
"""

import dataclasses
import math
import numbers
import os
from typing import Any, Dict, Mapping, Optional, Tuple

BACKGROUNDS = ("white", "transparent")
MIN_CANVAS_WIDTH = 16


def _check_int(name: str, value: Any, minimum: int) -> int:
  """Returns `value` as a Python int, or raises naming it."""
  if isinstance(value, bool) or not isinstance(value, numbers.Integral):
    raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
  if value < minimum:
    raise ValueError(f"{name} must be >= {minimum}, got {value}")
  return int(value)


def _check_bool(name: str, value: Any) -> None:
  if not isinstance(value, bool):
    raise ValueError(f"{name} must be a bool, got {value!r}")


@dataclasses.dataclass(frozen=True)
class LibMyPaintConfig:
  """Arguments of `LibMyPaint` (see that class for their meaning)."""
  episode_length: int = 20
  canvas_width: int = 64
  grid_width: int = 32
  brush_type: str = "classic/dry_brush"
  brush_sizes: Tuple[float, ...] = (1, 2, 4, 8, 12, 24)
  use_color: bool = True
  use_pressure: bool = True
  use_alpha: bool = False
  background: str = "white"
  discount: float = 1.0
  brushes_basedir: Optional[str] = None
  legacy_move_bug: bool = False
  use_control: bool = True
  first_action_moves: bool = False

  def __post_init__(self):
    for name, minimum in (("episode_length", 2),
                          ("canvas_width", MIN_CANVAS_WIDTH),
                          ("grid_width", 1)):
      object.__setattr__(self, name,
                         _check_int(name, getattr(self, name), minimum))
    if self.grid_width > self.canvas_width:
      raise ValueError(
          f"grid_width must be <= canvas_width ({self.canvas_width}) so grid "
          f"cells map to distinct pixels, got {self.grid_width}")
    if not isinstance(self.brush_type, str) or not self.brush_type:
      raise ValueError(f"brush_type must be a non-empty string such as "
                       f"'classic/dry_brush', got {self.brush_type!r}")
    sizes = self.brush_sizes
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
      raise ValueError(
          f"brush_sizes must be a sequence of radii in pixels, got {sizes!r}")
    if not sizes:
      raise ValueError("brush_sizes must hold at least one radius, got []")
    for size in sizes:
      if (isinstance(size, bool) or not isinstance(size, numbers.Real) or
          not math.isfinite(size) or size <= 0):
        raise ValueError(
            f"brush_sizes must be finite radii > 0 pixels, got {size!r} in "
            f"{list(sizes)}")
    object.__setattr__(self, "brush_sizes", tuple(float(s) for s in sizes))
    for name in ("use_color", "use_pressure", "use_alpha", "legacy_move_bug",
                 "use_control", "first_action_moves"):
      _check_bool(name, getattr(self, name))
    if self.first_action_moves and self.episode_length < 3:
      raise ValueError(
          f"first_action_moves needs episode_length >= 3 so that an action "
          f"after the first can paint, got {self.episode_length}")
    if self.background not in BACKGROUNDS:
      raise ValueError(f"background must be one of {BACKGROUNDS}, got "
                       f"{self.background!r}")
    discount = self.discount
    if (isinstance(discount, bool) or not isinstance(discount, numbers.Real) or
        not 0.0 <= discount <= 1.0):
      raise ValueError(f"discount must be a number in [0, 1], got {discount!r}")
    object.__setattr__(self, "discount", float(discount))
    basedir = self.brushes_basedir
    if basedir is not None:
      if not isinstance(basedir, (str, os.PathLike)):
        raise ValueError(
            f"brushes_basedir must be a path or None, got {basedir!r}")
      object.__setattr__(self, "brushes_basedir", os.fspath(basedir))

  @property
  def num_channels(self) -> int:
    """Canvas channels: RGB or red only, plus alpha with `use_alpha`."""
    return (3 if self.use_color else 1) + (1 if self.use_alpha else 0)

  def make(self) -> "LibMyPaint":  # noqa: F821
    """Builds the environment this config describes."""
    from spiral_acme.environments import libmypaint  # pylint: disable=g-import-not-at-top
    return libmypaint.LibMyPaint.from_config(self)

  def to_dict(self) -> Dict[str, Any]:
    """A JSON-able dict (lists for tuples) that `from_dict` reads back."""
    out = dataclasses.asdict(self)
    out["brush_sizes"] = list(self.brush_sizes)
    return out

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "LibMyPaintConfig":
    """Inverse of `to_dict`; unknown keys raise ValueError."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
      raise ValueError(f"unknown LibMyPaintConfig field(s) {unknown}; "
                       f"expected a subset of {sorted(known)}")
    return cls(**values)
