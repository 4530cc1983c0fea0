"""Headless MuJoCo rendering: the OpenGL backend, and one camera's pixels.

MuJoCo reads `MUJOCO_GL` once, when it is imported, so this module sets it
(to "egl", Mesa's CPU rasteriser when there is no GPU) before importing
MuJoCo, unless the user chose a backend. A backend whose libraries are
missing makes MuJoCo fail with `AttributeError: 'NoneType' object has no
attribute 'glGetError'`; `import_mujoco` turns that into a `BackendError`
that names `MUJOCO_GL` and the Debian packages to install.
"""

import functools
import importlib
import os
from typing import Any

import numpy as np

DEFAULT_BACKEND = "egl"
DEBIAN_PACKAGES = {"egl": ("libegl1", "libgl1-mesa-dri", "libgl1"),
                   "osmesa": ("libosmesa6",)}
# The camera every scene is rendered from (named in the MJCF).
CAMERA = "view"
# Object slots live in this geom group; it is switched off while hidden.
HIDDEN_GROUP = 3

if not os.environ.get("MUJOCO_GL"):
  os.environ["MUJOCO_GL"] = DEFAULT_BACKEND


class BackendError(RuntimeError):
  """MuJoCo's OpenGL backend (`MUJOCO_GL`) cannot render on this machine."""


def _backend_error(cause: BaseException) -> BackendError:
  backend = os.environ.get("MUJOCO_GL", "")
  packages = " ".join(DEBIAN_PACKAGES.get(
      backend, DEBIAN_PACKAGES["egl"] + DEBIAN_PACKAGES["osmesa"]))
  return BackendError(
      f"MuJoCo cannot render with MUJOCO_GL={backend!r} ({type(cause).__name__}"
      f": {cause}); use MUJOCO_GL=egl or MUJOCO_GL=osmesa, set before MuJoCo "
      f"is imported, and install the Debian packages: apt-get install {packages}"
      f" (`make install` does it)")


@functools.lru_cache(maxsize=1)
def import_mujoco() -> Any:
  """The `mujoco` module, or a BackendError naming MUJOCO_GL and packages."""
  try:
    return importlib.import_module("mujoco")
  except (AttributeError, ImportError, RuntimeError, OSError) as e:
    raise _backend_error(e) from e


class CameraRenderer:
  """Renders one model's `CAMERA` view to float32 RGB canvases in [0, 1].

  Quality settings and the offscreen buffer are read from the model when the
  renderer is made, so the model's XML must already carry them. Geoms in
  `HIDDEN_GROUP` are not drawn.
  """

  def __init__(self, model: Any, width: int):
    mujoco = import_mujoco()
    self._mujoco = mujoco
    self._model = model
    self._data = mujoco.MjData(model)
    mujoco.mj_forward(model, self._data)  # Places the camera and lights.
    try:
      self._renderer = mujoco.Renderer(model, width, width)
    except (AttributeError, ImportError, OSError) as e:
      raise _backend_error(e) from e
    self._option = mujoco.MjvOption()
    self._option.geomgroup[HIDDEN_GROUP] = 0
    self._pixels = np.empty((width, width, 3), np.uint8)

  @property
  def model(self) -> Any:
    return self._model

  def move_world_geom(self, geom: int, position: Any) -> None:
    """Moves a geom of the world body to `position`, unrotated.

    MuJoCo computes world-body geom poses when the data is made, not in
    `mj_kinematics`, so both the model's and the data's pose are written.
    """
    self._model.geom_pos[geom] = position
    self._data.geom_xpos[geom] = position
    self._data.geom_xmat[geom] = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)

  def render(self) -> np.ndarray:
    """Returns a new f32[W, W, 3] canvas of the current scene."""
    self._renderer.update_scene(self._data, CAMERA, self._option)
    self._renderer.render(out=self._pixels)
    return self._pixels.astype(np.float32) * np.float32(1.0 / 255.0)

  def close(self) -> None:
    renderer, self._renderer = getattr(self, "_renderer", None), None
    if renderer is not None:
      renderer.close()
