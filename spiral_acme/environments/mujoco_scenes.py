"""MujocoScenes: SPIRAL's 3D scene setting as a plain `dm_env.Environment`.

Each action places one object on the floor, or skips: `flag` (0 skip, 1
place), `shape` (sphere, box, cylinder, capsule), `location` (a cell of the
`grid_width` x `grid_width` floor grid: (row, col) = divmod(location,
grid_width), column 0 at the image's left, row 0 at its far, top edge),
`size` (3), `red`, `green`, `blue` (4 bins each). The canvas is a fixed
camera's view of the floor, with a shadow-casting light. Rewards are always
0: the agent scores the canvas, as with LibMyPaint.

Rendering follows spiral-reference.md section 2: one pre-built geom per
object slot is re-typed, re-sized, re-coloured and re-posed at run time (and
kept in a hidden geom group until used), so nothing is recompiled per step;
slots are world-body geoms, so moving one writes its pose directly (no
kinematics pass).
`scene` is the episode's `SceneProgram` (JSON, MJCF, re-rendering).

With `config.alternatives`, the observation also holds `alternatives`:
{key: f32[values, W, W, 3]}, the canvas the last step would have made with
each value of that key and its other values unchanged (after a skip, and at
the start, every entry is the canvas), so a learner can score each value.

Actions are dicts of integer scalars; missing, extra, non-integer or
out-of-range values raise ValueError naming the key, the value and the
range, and leave the environment unchanged.
"""

import collections
import operator
from typing import Dict, Mapping, Optional, Tuple

import dm_env
from dm_env import specs
import numpy as np

from spiral_acme.environments import mujoco_rendering
from spiral_acme.environments import mujoco_scenes_config as config_lib
from spiral_acme.environments import scene_program
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig

__all__ = ["MujocoScenes", "MujocoScenesConfig", "action_counts"]

COLOURS = ("red", "green", "blue")
# Keys that matter after a skip (and at the start of an episode).
SKIP_MASK_KEYS = ("flag",)
_GEOM_TYPES = None  # {shape name: mjtGeom value}, filled on first use.


def action_counts(config: MujocoScenesConfig) -> Dict[str, int]:
  """Number of values of each action key, in the action spec's order."""
  return collections.OrderedDict([
      ("flag", 2), ("shape", len(config_lib.SHAPES)),
      ("location", config.grid_width ** 2), ("size", len(config_lib.SIZE_FRACTIONS)),
      *((c, len(config_lib.COLOUR_LEVELS)) for c in COLOURS)])


def _frozen(value, dtype) -> np.ndarray:
  array = np.array(value, dtype=dtype)
  array.flags.writeable = False
  return array


def _as_index(key: str, value: object, count: int) -> int:
  try:
    if isinstance(value, (bool, np.bool_)):
      raise TypeError
    return operator.index(value)
  except TypeError:
    raise ValueError(
        f"action[{key!r}] must be an integer scalar in [0, {count - 1}], "
        f"got {value!r} of type {type(value).__name__}") from None


class MujocoScenes(dm_env.Environment):
  """Places objects in a MuJoCo scene; see the module docstring."""

  def __init__(self, config: MujocoScenesConfig = MujocoScenesConfig()):
    if not isinstance(config, MujocoScenesConfig):
      raise ValueError(f"config must be a MujocoScenesConfig, got "
                       f"{type(config).__name__}")
    self._config = config
    mujoco = mujoco_rendering.import_mujoco()
    global _GEOM_TYPES
    if _GEOM_TYPES is None:
      _GEOM_TYPES = {name: int(getattr(mujoco.mjtGeom, f"mjGEOM_{name.upper()}"))
                     for name in config_lib.SHAPES}
    model = mujoco.MjModel.from_xml_string(scene_program.scene_xml(
        config, config.canvas_width, slots=config.max_objects))
    self._model = model
    self._slots = [mujoco.mj_name2id(model, mujoco.mjtObj.mjOBJ_GEOM,
                                     f"slot_{i}")
                   for i in range(config.max_objects)]
    self._renderer = mujoco_rendering.CameraRenderer(model, config.canvas_width)
    self._counts = action_counts(config)
    self._action_spec = collections.OrderedDict(
        (k, specs.DiscreteArray(n, dtype=np.int32, name=k))
        for k, n in self._counts.items())
    width = config.canvas_width
    self._observation_spec = collections.OrderedDict([
        ("canvas", specs.Array((width, width, 3), np.float32, name="canvas")),
        ("episode_step", specs.Array((), np.int32, name="episode_step")),
        ("episode_length", specs.Array((), np.int32, name="episode_length")),
        ("action_mask", collections.OrderedDict(
            (k, specs.Array((), np.float32, name=k)) for k in self._counts)),
    ])
    if config.alternatives:
      self._observation_spec["alternatives"] = collections.OrderedDict(
          (k, specs.Array((self._counts[k], width, width, 3), np.float32,
                          name=f"alternatives/{k}"))
          for k in config.alternatives)
    one, zero = _frozen(1.0, np.float32), _frozen(0.0, np.float32)
    self._place_mask = collections.OrderedDict((k, one) for k in self._counts)
    self._skip_mask = collections.OrderedDict(
        (k, one if k in SKIP_MASK_KEYS else zero) for k in self._counts)
    self._steps = [_frozen(i, np.int32) for i in range(config.episode_length)]
    self._length = _frozen(config.episode_length, np.int32)
    self._hide_all()
    self._blank = self._renderer.render()
    self._blank.flags.writeable = False
    self._clear_episode()
    self._reset_next_step = True

  @classmethod
  def from_config(cls, config: MujocoScenesConfig) -> "MujocoScenes":
    return cls(config)

  @property
  def config(self) -> MujocoScenesConfig:
    return self._config

  @property
  def scene(self) -> scene_program.SceneProgram:
    """The objects placed so far this episode, as a scene program."""
    return scene_program.SceneProgram(tuple(self._objects), self._config)

  def observation_spec(self):
    return self._observation_spec

  def action_spec(self):
    return self._action_spec

  def _clear_episode(self) -> None:
    self._objects = []
    self._episode_step = 0
    self._mask = self._skip_mask
    self._canvas = self._blank
    self._alternatives = self._unchanged_alternatives()

  def _hide_all(self) -> None:
    self._model.geom_group[self._slots] = mujoco_rendering.HIDDEN_GROUP

  def reset(self) -> dm_env.TimeStep:
    self._hide_all()
    self._clear_episode()
    self._reset_next_step = False
    return dm_env.restart(self._observation())

  def step(self, action: Mapping[str, object]) -> dm_env.TimeStep:
    if self._reset_next_step:
      return self.reset()
    values = self._validate(action)
    if values["flag"] == 1:
      placed = self._make_object(len(self._objects), values)
      self._show(len(self._objects), placed)
      self._canvas = self._renderer.render()
      self._canvas.flags.writeable = False
      self._alternatives = self._render_alternatives(values)
      self._objects.append(placed)
      self._mask = self._place_mask
    else:
      self._mask = self._skip_mask
      self._alternatives = self._unchanged_alternatives()
    self._episode_step += 1
    step_type = dm_env.StepType.MID
    if self._episode_step == self._config.episode_length - 1:
      step_type = dm_env.StepType.LAST
      self._reset_next_step = True
    return dm_env.TimeStep(step_type, 0.0, self._config.discount,
                           self._observation())

  def _show(self, slot: int, placed: scene_program.SceneObject) -> None:
    """Turns slot `slot`'s geom into `placed` and makes it visible."""
    geom, model = self._slots[slot], self._model
    model.geom_type[geom] = _GEOM_TYPES[placed.shape]
    model.geom_size[geom] = placed.geom_size
    model.geom_rgba[geom] = placed.rgba
    model.geom_group[geom] = 0
    self._renderer.move_world_geom(geom, placed.position)

  def _unchanged_alternatives(self) -> Dict[str, np.ndarray]:
    return {k: np.broadcast_to(self._canvas, (self._counts[k],) +
                               self._canvas.shape)
            for k in self._config.alternatives}

  def _render_alternatives(self, values: Mapping[str, int]
                           ) -> Dict[str, np.ndarray]:
    """{key: f32[n, W, W, 3]}: the just-placed object with each value of
    `key` (the others as chosen); leaves the slot as placed."""
    slot = len(self._objects)
    result = {}
    for key in self._config.alternatives:
      canvases = np.empty((self._counts[key],) + self._canvas.shape,
                          np.float32)
      for value in range(self._counts[key]):
        if value == values[key]:
          canvases[value] = self._canvas
          continue
        self._show(slot, self._make_object(slot, {**values, key: value}))
        canvases[value] = self._renderer.render()
      result[key] = canvases
    if result:
      self._show(slot, self._make_object(slot, values))
    return result

  def _make_object(self, slot: int, values: Mapping[str, int]
                   ) -> scene_program.SceneObject:
    return scene_program.make_object(
        self._config, slot, values["shape"], values["location"],
        values["size"], tuple(values[c] for c in COLOURS))

  def _validate(self, action: Mapping[str, object]) -> Dict[str, int]:
    """The action as ints, or ValueError without side effects."""
    if not isinstance(action, Mapping):
      raise ValueError(f"action must be a mapping with keys "
                       f"{list(self._counts)}, got {type(action).__name__}")
    if action.keys() != self._counts.keys():
      missing = [k for k in self._counts if k not in action]
      extra = sorted(str(k) for k in action if k not in self._counts)
      raise ValueError(
          f"action keys do not match the action spec: missing {missing}, "
          f"unexpected {extra}; expected {list(self._counts)}")
    values = {}
    for key, count in self._counts.items():
      index = _as_index(key, action[key], count)
      if not 0 <= index < count:
        raise ValueError(f"action[{key!r}] = {index} is out of range; valid "
                         f"values are 0 to {count - 1}")
      values[key] = index
    return values

  def _observation(self):
    return collections.OrderedDict([
        ("canvas", self._canvas.copy()),
        ("episode_step", self._steps[self._episode_step]),
        ("episode_length", self._length),
        ("action_mask", self._mask.copy()),
        *((("alternatives", {k: v.copy() for k, v in
                             self._alternatives.items()}),)
          if self._config.alternatives else ()),
    ])

  def render(self, canvas_width: Optional[int] = None) -> np.ndarray:
    """Re-renders this episode's scene at `canvas_width` (float32)."""
    return self.scene.render(canvas_width)

  def close(self) -> None:
    self._renderer.close()

  def __del__(self):
    renderer = getattr(self, "_renderer", None)
    if renderer is not None:
      renderer.close()
