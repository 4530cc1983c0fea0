"""The scene program: what a MuJoCo scene episode placed, as 3D data.

Every placed object becomes a `SceneObject` (shape, world position, size,
colour, and the grid cell and bins the action chose). A `SceneProgram` is
the objects plus the environment's configuration. It is SPIRAL's output in
the 3D setting: `to_json` stores it, `to_mjcf` writes a standalone MuJoCo
scene (floor, camera, lights, objects) that opens in MuJoCo's viewer and,
at the episode's width, renders the same pixels as the episode, and
`render(canvas_width=...)` renders it at any resolution.

The environment renders from `scene_xml(config, width, slots=N)`: the same
scene with N hidden object slots that it re-types and re-poses at run time.
"""

import dataclasses
import json
import math
from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np

from spiral_acme.environments import mujoco_scenes_config as config_lib
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig

# Slots placed later sit this much higher, so coplanar faces of objects in
# the same cell do not z-fight.
SLOT_LIFT = 0.002
# Camera: looks at (0, CAMERA_TARGET_Y, 0) from this elevation and distance;
# chosen so the grid's near corners just fit and the grid fills the image.
CAMERA_ELEVATION_DEGREES = 60.0
CAMERA_DISTANCE = 3.6
CAMERA_TARGET_Y = 0.15
CAMERA_FOVY = 40.0
# Directional light direction; the light sits up-stream of the floor centre
# (a light above the centre gives shadow acne on Mesa's rasteriser).
LIGHT_DIRECTION = (-0.3, 0.4, -1.0)
LIGHT_DISTANCE = 5.0
FLOOR_RGBA = (0.55, 0.55, 0.55, 1.0)
# Re-renders at LARGE_WIDTH pixels or more use a shadow map at least this big.
LARGE_WIDTH = 256
LARGE_SHADOW_SIZE = 2048


@dataclasses.dataclass(frozen=True)
class SceneObject:
  """One placed object.

  Attributes:
    shape: one of `SHAPES`.
    position: world (x, y, z) of the geom's centre, metres.
    size: the nominal size, metres (a sphere's radius, a cube's half-side).
    colour: RGB in [0, 1].
    row, col: the grid cell the action chose (row 0: the far edge).
    size_bin: the size action.
    colour_bins: the red, green and blue actions.
  """
  shape: str
  position: Tuple[float, float, float]
  size: float
  colour: Tuple[float, float, float]
  row: int
  col: int
  size_bin: int
  colour_bins: Tuple[int, int, int]

  def __post_init__(self):
    if self.shape not in config_lib.SHAPES:
      raise ValueError(f"SceneObject.shape must be one of "
                       f"{config_lib.SHAPES}, got {self.shape!r}")
    for name, length in (("position", 3), ("colour", 3), ("colour_bins", 3)):
      value = getattr(self, name)
      if len(value) != length:
        raise ValueError(f"SceneObject.{name} must have {length} values, got "
                         f"{value!r}")
      object.__setattr__(self, name, tuple(value))
    if not all(math.isfinite(v) for v in self.position):
      raise ValueError(
          f"SceneObject.position must be finite, got {self.position!r}")
    if not (math.isfinite(self.size) and self.size > 0):
      raise ValueError(f"SceneObject.size must be > 0 metres, got "
                       f"{self.size!r}")
    if not all(0.0 <= c <= 1.0 for c in self.colour):
      raise ValueError(
          f"SceneObject.colour must be in [0, 1], got {self.colour!r}")

  @property
  def geom_size(self) -> Tuple[float, float, float]:
    """MuJoCo's `size` of the geom (unused entries are 0)."""
    return geom_size(self.shape, self.size)

  @property
  def rgba(self) -> Tuple[float, float, float, float]:
    return (*self.colour, 1.0)


def geom_size(shape: str, size: float) -> Tuple[float, float, float]:
  """MuJoCo geom size of a shape with nominal size `size`.

  Spheres have radius `size`; boxes are cubes of half-side `size`; upright
  cylinders have radius and half-height `size`; upright capsules have
  radius 0.7 `size` and a 0.7 `size` half-length (1.4 `size` tall, halved).
  """
  if shape == "sphere":
    return (size, 0.0, 0.0)
  if shape == "box":
    return (size, size, size)
  if shape == "cylinder":
    return (size, size, 0.0)
  return (0.7 * size, 0.7 * size, 0.0)


def half_height(shape: str, size: float) -> float:
  """Height of the geom's centre above the floor."""
  return 1.4 * size if shape == "capsule" else size


def make_object(config: MujocoScenesConfig, slot: int, shape: int,
                location: int, size: int,
                colour: Tuple[int, int, int]) -> SceneObject:
  """The object an action places in `slot` (validated action indices)."""
  row, col = divmod(location, config.grid_width)
  x, y = config.cell_centre(row, col)
  name = config_lib.SHAPES[shape]
  metres = config.sizes[size]
  z = half_height(name, metres) + SLOT_LIFT * slot
  levels = config_lib.COLOUR_LEVELS
  return SceneObject(name, (x, y, z), metres,
                     tuple(levels[c] for c in colour), row, col, size,
                     tuple(colour))


def _floats(values: Sequence[float]) -> str:
  # repr keeps every digit, so the MJCF reproduces the episode's geoms.
  return " ".join(repr(float(v)) for v in values)


def _camera() -> Tuple[Tuple[float, ...], Tuple[float, ...]]:
  """(pos, xyaxes) of the fixed camera."""
  e = math.radians(CAMERA_ELEVATION_DEGREES)
  pos = (0.0, CAMERA_TARGET_Y - CAMERA_DISTANCE * math.cos(e),
         CAMERA_DISTANCE * math.sin(e))
  return pos, (1.0, 0.0, 0.0, 0.0, math.sin(e), math.cos(e))


def cell_image_positions(config: MujocoScenesConfig
                         ) -> Tuple[Tuple[float, float], ...]:
  """Where each grid cell's centre appears in the canvas, row-major.

  Each entry is (row, col) as fractions of the canvas side from its top-left
  corner (0.5, 0.5 is the middle): the projection, by the fixed camera, of
  the centre of a middle-sized sphere placed in the cell. The camera looks
  down at an angle, so the rows are squeezed towards the image's middle and
  the far ones most: 8 rows fall between image rows 0.24 and 0.87.
  A network that reads "cell (r, c)" from an image-aligned grid is off by
  up to two cells; `PolicyNetworkConfig.location_cell_centres` takes these.
  """
  pos, axes = _camera()
  camera = np.array(pos)
  right = np.array(axes[:3])
  up = np.array(axes[3:])
  back = np.cross(right, up)  # MuJoCo cameras look along -z.
  focal = 0.5 / math.tan(math.radians(CAMERA_FOVY) / 2.0)
  height = half_height("sphere", config.sizes[len(config.sizes) // 2])
  positions = []
  for row in range(config.grid_width):
    for col in range(config.grid_width):
      x, y = config.cell_centre(row, col)
      offset = np.array([x, y, height]) - camera
      depth = -float(offset @ back)
      positions.append((0.5 - focal * float(offset @ up) / depth,
                        0.5 + focal * float(offset @ right) / depth))
  return tuple(positions)


def scene_xml(config: MujocoScenesConfig, canvas_width: int, *,
              objects: Sequence[SceneObject] = (), slots: int = 0) -> str:
  """The MJCF of a scene: floor, camera, light and objects.

  Args:
    config: the environment (quality settings).
    canvas_width: size of the offscreen buffer (the render's width).
    objects: placed objects, one geom each.
    slots: hidden placeholder geoms for the environment to fill at run time.
  """
  quality = (f'shadowsize="{config.shadow_size}" '
             f'offsamples="{config.multisamples}"')
  camera_pos, camera_axes = _camera()
  norm = math.sqrt(sum(d * d for d in LIGHT_DIRECTION))
  light_pos = [-LIGHT_DISTANCE * d / norm for d in LIGHT_DIRECTION]
  shadow = "true" if config.shadows else "false"
  geoms = []
  for i, o in enumerate(objects):
    geoms.append(
        f'    <geom name="object_{i}" type="{o.shape}" '
        f'size="{_floats(o.geom_size)}" pos="{_floats(o.position)}" '
        f'rgba="{_floats(o.rgba)}"/>')
  for i in range(slots):
    geoms.append(f'    <geom name="slot_{i}" type="sphere" size="0.1" '
                 f'group="3" rgba="1 1 1 1"/>')
  body = "\n".join(geoms)
  # The statistic is fixed: MuJoCo derives shadow and clip ranges from it,
  # and computing it from the geoms would make each scene render differently.
  return f"""<mujoco model="spiral_scene">
  <statistic extent="1.5" center="0 0 0"/>
  <visual>
    <global offwidth="{canvas_width}" offheight="{canvas_width}"/>
    <quality {quality}/>
    <map shadowclip="1.5"/>
    <headlight ambient="0.3 0.3 0.3" diffuse="0.2 0.2 0.2" specular="0 0 0"/>
  </visual>
  <worldbody>
    <light name="sun" directional="true" castshadow="{shadow}"
           pos="{_floats(light_pos)}" dir="{_floats(LIGHT_DIRECTION)}"
           diffuse="0.7 0.7 0.7" specular="0.1 0.1 0.1"/>
    <geom name="floor" type="plane" size="4 4 0.1" rgba="{_floats(FLOOR_RGBA)}"/>
    <camera name="view" pos="{_floats(camera_pos)}" xyaxes="{_floats(camera_axes)}"
            fovy="{CAMERA_FOVY}"/>
{body}
  </worldbody>
</mujoco>
"""


@dataclasses.dataclass(frozen=True)
class SceneProgram:
  """The objects an episode placed, in order, and its environment."""
  objects: Tuple[SceneObject, ...]
  config: MujocoScenesConfig

  def __post_init__(self):
    object.__setattr__(self, "objects", tuple(self.objects))

  def __len__(self) -> int:
    return len(self.objects)

  def prefix(self, count: int) -> "SceneProgram":
    """The program of the first `count` objects."""
    return SceneProgram(self.objects[:count], self.config)

  def to_dict(self) -> dict:
    return {"environment": self.config.to_dict(),
            "objects": [dataclasses.asdict(o) for o in self.objects]}

  def to_json(self) -> str:
    return json.dumps(self.to_dict(), indent=1)

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "SceneProgram":
    config = MujocoScenesConfig.from_dict(values["environment"])
    return cls(tuple(SceneObject(**o) for o in values["objects"]), config)

  @classmethod
  def from_json(cls, text: str) -> "SceneProgram":
    return cls.from_dict(json.loads(text))

  def _config_at(self, canvas_width: Optional[int]) -> MujocoScenesConfig:
    """The config at another width: from 256 pixels the shadow map is at
    least 2048 texels (smaller maps leave acne on spheres there)."""
    if canvas_width is None or canvas_width == self.config.canvas_width:
      return self.config
    shadow_size = self.config.shadow_size
    if canvas_width >= LARGE_WIDTH:
      shadow_size = max(shadow_size, LARGE_SHADOW_SIZE)
    return dataclasses.replace(self.config, canvas_width=canvas_width,
                               shadow_size=shadow_size)

  def to_mjcf(self, canvas_width: Optional[int] = None) -> str:
    """A standalone MJCF scene (load with `mujoco.MjModel.from_xml_string`).

    At the episode's width (the default) it renders the episode's pixels;
    `canvas_width` sizes the offscreen buffer for larger renders.
    """
    config = self._config_at(canvas_width)
    return scene_xml(config, config.canvas_width, objects=self.objects)

  def render(self, canvas_width: Optional[int] = None) -> np.ndarray:
    """Renders the program at `canvas_width` (default: the episode's)."""
    # pylint: disable-next=g-import-not-at-top
    from spiral_acme.environments import mujoco_rendering
    width = self._config_at(canvas_width).canvas_width
    mujoco = mujoco_rendering.import_mujoco()
    model = mujoco.MjModel.from_xml_string(self.to_mjcf(width))
    renderer = mujoco_rendering.CameraRenderer(model, width)
    try:
      return renderer.render()
    finally:
      renderer.close()
