"""Random MuJoCo scenes as reconstruction targets, with their programs.

Needs no download: each target is rendered by the `MujocoScenes` environment
itself from a random scene program of 1 to `max_objects` objects (uniform
shape, size and colour bins, distinct grid cells), seeded. The programs are
kept as the dataset's labels (an object array of `SceneProgram`), so an
evaluation can compare what an agent placed with the truth
(`agents/spiral/program_recovery.py`). Images are RGB scenes on the grey
floor, not ink on white.
"""

from typing import List

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.environments import mujoco_scenes_config as config_lib
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig
from spiral_acme.environments.scene_program import SceneProgram


def random_actions(rng: np.random.Generator, config: MujocoScenesConfig,
                   num_objects: int) -> List[dict]:
  """`num_objects` placing actions in distinct cells, uniform otherwise."""
  cells = rng.choice(config.grid_width ** 2, size=num_objects, replace=False)
  levels = len(config_lib.COLOUR_LEVELS)
  return [dict(flag=1, shape=int(rng.integers(len(config_lib.SHAPES))),
               location=int(cell),
               size=int(rng.integers(len(config_lib.SIZE_FRACTIONS))),
               red=int(rng.integers(levels)), green=int(rng.integers(levels)),
               blue=int(rng.integers(levels)))
          for cell in cells]


def load_mujoco_scenes(*, canvas_width: int = 64, num_scenes: int = 1000,
                       max_objects: int = 5, min_objects: int = 1,
                       grid_width: int = 16, seed: int = 0
                       ) -> dataset.ImageDataset:
  """Renders `num_scenes` random scenes; labels are their SceneProgram.

  Args:
    canvas_width: side of the images (the environment's canvas width).
    num_scenes: how many scenes to render.
    max_objects: most objects in a scene (at most the episode's actions).
    min_objects: fewest objects in a scene (>= 1).
    grid_width: the environment's location grid.
    seed: seeds the scene programs; the same seed gives the same images.
  """
  if not 1 <= min_objects <= max_objects:
    raise ValueError(f"Need 1 <= min_objects <= max_objects, got "
                     f"min_objects={min_objects}, max_objects={max_objects}.")
  if num_scenes < 1:
    raise ValueError(f"num_scenes must be >= 1, got {num_scenes}.")
  if max_objects > grid_width ** 2:
    raise ValueError(f"max_objects={max_objects} does not fit in distinct "
                     f"cells of a {grid_width}x{grid_width} grid.")
  config = MujocoScenesConfig(canvas_width=canvas_width,
                              grid_width=grid_width,
                              episode_length=max_objects + 1)
  env = config.make()
  rng = np.random.default_rng(seed)
  images = np.empty((num_scenes, canvas_width, canvas_width, 3), np.float32)
  programs = np.empty(num_scenes, dtype=object)
  try:
    for i in range(num_scenes):
      count = int(rng.integers(min_objects, max_objects + 1))
      timestep = env.reset()
      for action in random_actions(rng, config, count):
        timestep = env.step(action)
      images[i] = timestep.observation["canvas"]
      programs[i] = env.scene
  finally:
    env.close()
  images.flags.writeable = False
  return dataset.ImageDataset(images, programs, "mujoco_scenes")


def programs_of(ds: dataset.ImageDataset) -> List[SceneProgram]:
  """The scene programs of a `mujoco_scenes` dataset (or its subsets)."""
  if ds.labels is None or not all(isinstance(p, SceneProgram)
                                  for p in ds.labels):
    raise ValueError(f"Dataset {ds.name!r} holds no scene programs; only "
                     "'mujoco_scenes' datasets do.")
  return list(ds.labels)
