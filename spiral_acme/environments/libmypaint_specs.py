"""The LibMyPaint environment's specs, masks and action value tables.

Kept apart from the environment so agents, fakes and tests can build the
exact specs of a configuration without a brush or the C++ extension.
"""

import collections
from typing import Dict, Tuple

from dm_env import specs
import numpy as np

from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

# Values of the pressure and colour actions.
PRESSURES = np.linspace(0.1, 1.0, 10)
COLOUR_LEVELS = np.linspace(0.0, 1.0, 20)
# Keys that matter after a move (or a reset): the rest are masked out.
MOVE_MASK_KEYS = ("end", "flag")
# The only key that matters in the first action with `first_action_moves`.
PLACE_MASK_KEYS = ("end",)


def frozen(value, dtype) -> np.ndarray:
  """A read-only 0-d array, safe to share between observations."""
  array = np.array(value, dtype=dtype)
  array.flags.writeable = False
  return array


def action_counts(config: LibMyPaintConfig) -> Dict[str, int]:
  """Number of values of each action key, in the action spec's key order."""
  locations = config.grid_width ** 2
  counts = [("end", locations), ("flag", 2)]
  if config.use_control:
    counts.insert(0, ("control", locations))
  if config.use_pressure:
    counts.append(("pressure", len(PRESSURES)))
  if len(config.brush_sizes) > 1:
    counts.append(("size", len(config.brush_sizes)))
  if config.use_color:
    counts += [(c, len(COLOUR_LEVELS)) for c in ("red", "green", "blue")]
  return collections.OrderedDict(counts)


def action_spec(config: LibMyPaintConfig) -> "collections.OrderedDict":
  """OrderedDict of int32 DiscreteArray, keys as `action_counts`."""
  return collections.OrderedDict(
      (key, specs.DiscreteArray(n, dtype=np.int32, name=key))
      for key, n in action_counts(config).items())


def observation_spec(config: LibMyPaintConfig) -> "collections.OrderedDict":
  """canvas, episode_step, episode_length, action_mask (in that order)."""
  width = config.canvas_width
  return collections.OrderedDict([
      ("canvas", specs.Array((width, width, config.num_channels), np.float32,
                             name="canvas")),
      ("episode_step", specs.Array((), np.int32, name="episode_step")),
      ("episode_length", specs.Array((), np.int32, name="episode_length")),
      ("action_mask", collections.OrderedDict(
          (key, specs.Array((), np.float32, name=key))
          for key in action_counts(config))),
  ])


def action_masks(config: LibMyPaintConfig) -> Tuple[Dict, Dict, Dict]:
  """(paint, move, place) masks: read-only float32 scalars per action key.

  The place mask follows the first action with `first_action_moves`: that
  action only places the pen, so its flag is ignored too.
  """
  one, zero = frozen(1.0, np.float32), frozen(0.0, np.float32)
  keys = list(action_counts(config))

  def mask(ones):
    return collections.OrderedDict(
        (key, one if key in ones else zero) for key in keys)

  return mask(keys), mask(MOVE_MASK_KEYS), mask(PLACE_MASK_KEYS)
