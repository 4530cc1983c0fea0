"""LibMyPaint: SPIRAL's painting environment as a plain `dm_env.Environment`.

Each action draws one quadratic Bezier stroke with a libmypaint brush, or
lifts the pen and moves it. The interface (constructor, ordered-dict specs,
masks, grid mapping, episode length) is DeepMind's, so agents and TF-Hub
modules written for their environment run unchanged. Rewards are always 0:
the agent's discriminator scores the canvas.

Actions are dicts of integer scalars: Python ints, numpy integer scalars and
0-d integer arrays are accepted; bools, floats and arrays with a shape are
rejected with ValueError, as are missing/extra keys and out-of-range values,
and a rejected action leaves the environment unchanged.
"""

import collections
import operator
from typing import Mapping, Optional, Sequence, Tuple

import dm_env
import numpy as np

from spiral_acme import _libmypaint
from spiral_acme.environments import brushes
from spiral_acme.environments import libmypaint_specs
from spiral_acme.environments import strokes as strokes_lib
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig
from spiral_acme.environments.libmypaint_specs import COLOUR_LEVELS
from spiral_acme.environments.libmypaint_specs import PRESSURES

__all__ = ["LibMyPaint", "LibMyPaintConfig", "PRESSURES", "COLOUR_LEVELS"]

# Pressure of every stroke when the agent does not control it.
DEFAULT_PRESSURE = 1.0
# Checked by type first: isinstance against the Mapping ABC is slow per step.
_DICT_TYPES = (dict, collections.OrderedDict)


def _as_index(key: str, value: object, count: int) -> int:
  """An integer scalar (numpy scalar, 0-d array) as int; else ValueError."""
  try:
    if isinstance(value, (bool, np.bool_)):
      raise TypeError
    return operator.index(value)
  except TypeError:
    raise ValueError(
        f"action[{key!r}] must be an integer scalar in [0, {count - 1}], "
        f"got {value!r} of type {type(value).__name__}") from None


class LibMyPaint(dm_env.Environment):
  """Paints with libmypaint strokes; see the module docstring."""

  def __init__(self, episode_length: int, canvas_width: int, grid_width: int,
               brush_type: str, brush_sizes: Sequence[float], use_color: bool,
               use_pressure: bool = True, use_alpha: bool = False,
               background: str = "white", discount: float = 1.0,
               brushes_basedir: Optional[str] = None, *,
               legacy_move_bug: bool = False, use_control: bool = True,
               first_action_moves: bool = False):
    """Builds the environment.

    Args:
      episode_length: timesteps per episode including the first, so an
        episode takes `episode_length - 1` actions (20 -> 19).
      canvas_width: canvas side in pixels (>= 16).
      grid_width: side of the location grid (1..canvas_width); cell (row,
        col) maps to pixel (canvas_width * col / grid_width, ... * row / ...).
      brush_type: brush file name without `.myb`, e.g. "classic/dry_brush".
      brush_sizes: brush radii in pixels, chosen by the `size` action.
      use_color: add red/green/blue actions and an RGB canvas.
      use_pressure: add the pressure action (else pressure is 1.0).
      use_alpha: add an alpha channel to the canvas.
      background: "white" or "transparent".
      discount: discount of every non-first timestep.
      brushes_basedir: directory searched first for the brush.
      legacy_move_bug: reproduce DeepMind's move defect: after a move to
        (x, y) the next stroke starts at (y, y).
      use_control: add the Bezier `control` action (DeepMind's interface).
        Without it every stroke is a straight line: its control point is
        the midpoint of the pen and the end, so the pen moves at constant
        speed, and the policy has one 256-way head fewer to learn.
      first_action_moves: the first action only places the pen at its
        `end` (its flag and the other keys are ignored, and the next
        observation's mask says so), so no stroke drags from the top-left
        corner where the pen starts.
    """
    self._config = LibMyPaintConfig(
        episode_length=episode_length, canvas_width=canvas_width,
        grid_width=grid_width, brush_type=brush_type,
        brush_sizes=brush_sizes, use_color=use_color,
        use_pressure=use_pressure, use_alpha=use_alpha,
        background=background, discount=discount,
        brushes_basedir=brushes_basedir, legacy_move_bug=legacy_move_bug,
        use_control=use_control, first_action_moves=first_action_moves)
    config = self._config
    self._painter = _libmypaint.Painter(
        config.canvas_width,
        brushes.load_brush_json(config.brush_type, config.brushes_basedir),
        config.background)
    self._action_spec = libmypaint_specs.action_spec(config)
    self._observation_spec = libmypaint_specs.observation_spec(config)
    self._num_values = libmypaint_specs.action_counts(config)
    (self._paint_mask, self._move_mask,
     self._place_mask) = libmypaint_specs.action_masks(config)
    grid, width = config.grid_width, config.canvas_width
    rows, cols = np.divmod(np.arange(grid * grid), grid)
    self._points = list(zip((width * cols / grid).tolist(),
                            (width * rows / grid).tolist()))
    self._sizes = list(config.brush_sizes)
    self._pressures = PRESSURES.tolist()
    self._levels = COLOUR_LEVELS.tolist()
    frozen = libmypaint_specs.frozen
    self._steps = [frozen(i, np.int32) for i in range(config.episode_length)]
    self._length = frozen(config.episode_length, np.int32)
    # Key order of every observation; the values are filled in per step.
    self._observation_template = collections.OrderedDict(
        (key, None) for key in self._observation_spec)
    self._observation_template["episode_length"] = self._length
    self._clear_episode()
    self._reset_next_step = True

  def _clear_episode(self) -> None:
    """Episode state at the start: no strokes, pen up at the top-left."""
    self._strokes = []
    self._episode_step = 0
    self._mask = self._move_mask
    self._pen = (0.0, 0.0)
    self._pen_pressure = 0.0

  @classmethod
  def from_config(cls, config: LibMyPaintConfig) -> "LibMyPaint":
    values = config.to_dict()
    keyword_only = {key: values.pop(key)
                    for key in ("legacy_move_bug", "use_control",
                                "first_action_moves")}
    return cls(**values, **keyword_only)

  @property
  def config(self) -> LibMyPaintConfig:
    return self._config

  @property
  def strokes(self) -> Tuple[strokes_lib.Stroke, ...]:
    """The stroke program of the current episode, one per action."""
    return tuple(self._strokes)

  def observation_spec(self):
    return self._observation_spec

  def action_spec(self):
    return self._action_spec

  def reset(self) -> dm_env.TimeStep:
    self._painter.reset()
    self._clear_episode()
    self._reset_next_step = False
    return dm_env.restart(self._observation())

  def step(self, action: Mapping[str, object]) -> dm_env.TimeStep:
    if self._reset_next_step:
      return self.reset()
    values = self._validate(action)
    stroke = self._to_stroke(values)
    strokes_lib.execute(self._painter, stroke,
                        legacy_move_bug=self._config.legacy_move_bug)
    self._strokes.append(stroke)
    if stroke.painted:
      self._pen, self._mask = stroke.end, self._paint_mask
    else:
      x, y = stroke.end
      self._pen = (y, y) if self._config.legacy_move_bug else (x, y)
      self._mask = self._move_mask
      if self._places_pen():
        self._mask = self._place_mask
    self._pen_pressure = stroke.pressure
    self._episode_step += 1
    step_type = dm_env.StepType.MID
    if self._episode_step == self._config.episode_length - 1:
      step_type = dm_env.StepType.LAST
      self._reset_next_step = True
    return dm_env.TimeStep(step_type, 0.0, self._config.discount,
                           self._observation())

  def _validate(self, action: Mapping[str, object]) -> Mapping[str, int]:
    """Returns the action as ints, or raises ValueError without side effects."""
    is_dict = type(action) in _DICT_TYPES  # pylint: disable=unidiomatic-typecheck
    if not is_dict and not isinstance(action, Mapping):
      raise ValueError(f"action must be a mapping with keys "
                       f"{list(self._num_values)}, got {type(action).__name__}")
    if action.keys() != self._num_values.keys():
      missing = [k for k in self._num_values if k not in action]
      extra = sorted(str(k) for k in action if k not in self._num_values)
      raise ValueError(
          f"action keys do not match the action spec: missing {missing}, "
          f"unexpected {extra}; expected {list(self._num_values)}")
    values = {}
    for key, count in self._num_values.items():
      value = action[key]
      if type(value) is int:  # pylint: disable=unidiomatic-typecheck
        index = value
      else:
        index = _as_index(key, value, count)
      if not 0 <= index < count:
        raise ValueError(f"action[{key!r}] = {index} is out of range; valid "
                         f"values are 0 to {count - 1}")
      values[key] = index
    return values

  def _places_pen(self) -> bool:
    """Whether this step's action only places the pen (see __init__)."""
    return self._config.first_action_moves and self._episode_step == 0

  def _to_stroke(self, values: Mapping[str, int]) -> strokes_lib.Stroke:
    end = self._points[values["end"]]
    painted = values["flag"] == 1 and not self._places_pen()
    if not painted:
      control = end
    elif "control" in values:
      control = self._points[values["control"]]
    else:
      control = ((self._pen[0] + end[0]) / 2, (self._pen[1] + end[1]) / 2)
    pressure = 0.0
    if painted:
      pressure = (self._pressures[values["pressure"]]
                  if "pressure" in values else DEFAULT_PRESSURE)
    size = self._sizes[values["size"]] if "size" in values else self._sizes[0]
    colour = (0.0, 0.0, 0.0)
    if "red" in values:
      levels = self._levels
      colour = (levels[values["red"]], levels[values["green"]],
                levels[values["blue"]])
    return strokes_lib.Stroke(self._pen, control, end, self._pen_pressure,
                              pressure, size, colour, painted)

  def _observation(self):
    observation = self._observation_template.copy()
    observation["canvas"] = strokes_lib.read_canvas(self._painter,
                                                    self._config.num_channels)
    observation["episode_step"] = self._steps[self._episode_step]
    observation["action_mask"] = self._mask.copy()
    return observation

  def render(self, canvas_width: Optional[int] = None) -> np.ndarray:
    """Re-renders this episode's strokes at `canvas_width` (float32)."""
    return strokes_lib.render(self._strokes, self._config,
                              canvas_width=canvas_width)

  def to_svg(self) -> str:
    """This episode's painted strokes as an SVG document."""
    return strokes_lib.to_svg(self._strokes, self._config.canvas_width,
                              self._config.background)
