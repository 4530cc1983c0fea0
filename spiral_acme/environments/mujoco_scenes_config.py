"""MujocoScenesConfig: the MuJoCo scene environment's arguments as a value.

A frozen, validated, JSON-able record, like `LibMyPaintConfig`, so launchers,
saved policies and scene programs can describe the environment without
building it (and without importing MuJoCo). It also holds the action value
tables (shapes, sizes, colour levels) and the floor layout, which the
environment, the scene program and the dataset share.

Defaults are SPIRAL's 3D setting (paper section 4.2): five placements on a
16x16 floor grid, four shapes, three sizes, four bins per colour channel.
The quality defaults (a 512-texel shadow map, 4x multisampling) render about
as fast as the measurements in spiral-reference.md section 2 and look like
MuJoCo's far slower defaults.
"""

import dataclasses
import numbers
from typing import Any, Dict, Mapping, Tuple

# Tag written by `to_dict`, so a saved configuration says which environment
# it describes (LibMyPaint's dicts carry none).
ENVIRONMENT_NAME = "mujoco_scenes"

SHAPES = ("sphere", "box", "cylinder", "capsule")
# Nominal object sizes (a sphere's radius, a cube's half-side) as fractions
# of a grid cell's width: 0.06, 0.09 and 0.12 m on the default 16x16 grid,
# so objects span one to two cells whatever the grid.
SIZE_FRACTIONS = (0.48, 0.72, 0.96)
# Colour of each of the 4 bins per channel.
COLOUR_LEVELS = (0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0)
# The grid covers the floor square [-FLOOR_HALF_WIDTH, FLOOR_HALF_WIDTH]^2.
FLOOR_HALF_WIDTH = 1.0

MIN_CANVAS_WIDTH = 8
MAX_CANVAS_WIDTH = 2048
MAX_OBJECTS = 64
MULTISAMPLES = (0, 2, 4, 8, 16)
# Action keys whose every value the environment can also render after a
# placement (`alternatives`); not `flag` or `location`, whose alternatives
# are a skip or a cell anywhere on the floor.
ALTERNATIVE_KEYS = ("shape", "size", "red", "green", "blue")


def _check_int(name: str, value: Any, minimum: int, maximum: int) -> int:
  """Returns `value` as a Python int in [minimum, maximum], or raises."""
  if isinstance(value, bool) or not isinstance(value, numbers.Integral):
    raise ValueError(
        f"{name} must be an int in [{minimum}, {maximum}], got {value!r}")
  if not minimum <= value <= maximum:
    raise ValueError(
        f"{name} must be in [{minimum}, {maximum}], got {value}")
  return int(value)


@dataclasses.dataclass(frozen=True)
class MujocoScenesConfig:
  """Arguments of `MujocoScenes`.

  Attributes:
    episode_length: timesteps per episode including the first, so an
      episode places at most `episode_length - 1` objects (6 -> 5).
    canvas_width: side of the rendered canvas in pixels.
    grid_width: side of the floor's location grid (`grid_width**2` cells).
    shadows: render the light's shadows.
    shadow_size: side of the shadow map in texels (a power of two); 512
      looks like MuJoCo's default 4096 at 64-128 pixels, use >= 2048 at 256.
    multisamples: offscreen multisampling (0 for jagged, fast edges).
    discount: discount of every non-first timestep.
    alternatives: action keys (of `ALTERNATIVE_KEYS`) whose every value is
      also rendered after each placement, with the step's other values kept:
      the observation's `alternatives[key]` holds one canvas per value (the
      chosen value's is the canvas). A learner can then score every value of
      the key, not just the one drawn. Each costs `values - 1` extra renders
      per placement.
  """
  episode_length: int = 6
  canvas_width: int = 64
  grid_width: int = 16
  shadows: bool = True
  shadow_size: int = 512
  multisamples: int = 4
  discount: float = 1.0
  alternatives: Tuple[str, ...] = ()

  def __post_init__(self):
    for name, low, high in (
        ("episode_length", 2, MAX_OBJECTS + 1),
        ("canvas_width", MIN_CANVAS_WIDTH, MAX_CANVAS_WIDTH),
        ("grid_width", 2, MAX_CANVAS_WIDTH),
        ("shadow_size", 64, 16384)):
      object.__setattr__(self, name,
                         _check_int(name, getattr(self, name), low, high))
    if self.grid_width > self.canvas_width:
      raise ValueError(
          f"grid_width must be <= canvas_width ({self.canvas_width}) so "
          f"neighbouring cells can render differently, got {self.grid_width}")
    if self.shadow_size & (self.shadow_size - 1):
      raise ValueError(f"shadow_size must be a power of two (e.g. 512), got "
                       f"{self.shadow_size}")
    if not isinstance(self.shadows, bool):
      raise ValueError(f"shadows must be a bool, got {self.shadows!r}")
    if self.multisamples not in MULTISAMPLES or isinstance(
        self.multisamples, bool):
      raise ValueError(f"multisamples must be one of {MULTISAMPLES}, got "
                       f"{self.multisamples!r}")
    discount = self.discount
    if (isinstance(discount, bool) or not isinstance(discount, numbers.Real) or
        not 0.0 <= discount <= 1.0):
      raise ValueError(f"discount must be a number in [0, 1], got {discount!r}")
    object.__setattr__(self, "discount", float(discount))
    alternatives = self.alternatives
    if isinstance(alternatives, str) or not isinstance(alternatives,
                                                       (tuple, list)):
      raise ValueError(f"alternatives must be a tuple of action keys from "
                       f"{ALTERNATIVE_KEYS}, got {alternatives!r}")
    for key in alternatives:
      if key not in ALTERNATIVE_KEYS:
        raise ValueError(f"alternatives holds {key!r}; expected keys from "
                         f"{ALTERNATIVE_KEYS}")
    if len(set(alternatives)) != len(alternatives):
      raise ValueError(f"alternatives names a key twice: {alternatives!r}")
    object.__setattr__(self, "alternatives", tuple(alternatives))

  @property
  def num_channels(self) -> int:
    """The canvas is always RGB."""
    return 3

  @property
  def max_objects(self) -> int:
    """Objects an episode can place: one per action."""
    return self.episode_length - 1

  @property
  def cell_width(self) -> float:
    """Side of a grid cell on the floor, metres."""
    return 2.0 * FLOOR_HALF_WIDTH / self.grid_width

  @property
  def sizes(self) -> Tuple[float, ...]:
    """The size action's nominal sizes in metres."""
    return tuple(f * self.cell_width for f in SIZE_FRACTIONS)

  def cell_centre(self, row: int, col: int) -> Tuple[float, float]:
    """World (x, y) of a grid cell's centre; row 0 is the far (+y) edge."""
    cell = 2.0 * FLOOR_HALF_WIDTH / self.grid_width
    return (-FLOOR_HALF_WIDTH + (col + 0.5) * cell,
            FLOOR_HALF_WIDTH - (row + 0.5) * cell)

  def make(self) -> "MujocoScenes":  # noqa: F821
    """Builds the environment this config describes (imports MuJoCo)."""
    from spiral_acme.environments import mujoco_scenes  # pylint: disable=g-import-not-at-top
    return mujoco_scenes.MujocoScenes.from_config(self)

  def to_dict(self) -> Dict[str, Any]:
    """A JSON-able dict, tagged with the environment's name."""
    return {"environment": ENVIRONMENT_NAME, **dataclasses.asdict(self)}

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "MujocoScenesConfig":
    """Inverse of `to_dict`; unknown keys or another tag raise ValueError."""
    values = dict(values)
    tag = values.pop("environment", ENVIRONMENT_NAME)
    if tag != ENVIRONMENT_NAME:
      raise ValueError(f"environment must be {ENVIRONMENT_NAME!r} for a "
                       f"MujocoScenesConfig, got {tag!r}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
      raise ValueError(f"unknown MujocoScenesConfig field(s) {unknown}; "
                       f"expected a subset of {sorted(known)}")
    return cls(**values)


def is_scene_config_dict(values: Mapping[str, Any]) -> bool:
  """Whether a saved environment dict describes MuJoCo scenes."""
  return values.get("environment") == ENVIRONMENT_NAME
