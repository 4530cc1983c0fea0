"""The generated `mujoco_scenes` dataset: seeded scenes that keep programs."""

import numpy as np
import pytest

from spiral_acme.datasets import DatasetConfig
from spiral_acme.datasets import load_dataset
from spiral_acme.datasets import mujoco_scenes
from spiral_acme.environments.scene_program import SceneProgram


def _config(**overrides):
  values = dict(canvas_width=24, channels=3, limit=12, max_objects=3, seed=5)
  values.update(overrides)
  return DatasetConfig("mujoco_scenes", **values)


def test_scenes_hold_one_to_n_objects_and_their_programs():
  ds = load_dataset(_config())
  assert ds.images.shape == (12, 24, 24, 3) and ds.images.dtype == np.float32
  assert ds.name == "mujoco_scenes"
  programs = mujoco_scenes.programs_of(ds)
  assert all(isinstance(p, SceneProgram) for p in programs)
  counts = [len(p) for p in programs]
  assert min(counts) >= 1 and max(counts) <= 3 and len(set(counts)) > 1
  for program in programs:
    cells = [(o.row, o.col) for o in program.objects]
    assert len(set(cells)) == len(cells)  # Distinct cells.
  # Each image is its program rendered.
  np.testing.assert_array_equal(programs[0].render(), ds.images[0])


def test_seed_fixes_the_scenes():
  a = mujoco_scenes.load_mujoco_scenes(canvas_width=16, num_scenes=4,
                                       max_objects=2, seed=1)
  b = mujoco_scenes.load_mujoco_scenes(canvas_width=16, num_scenes=4,
                                       max_objects=2, seed=1)
  c = mujoco_scenes.load_mujoco_scenes(canvas_width=16, num_scenes=4,
                                       max_objects=2, seed=2)
  np.testing.assert_array_equal(a.images, b.images)
  assert list(a.labels) == list(b.labels)
  assert not np.array_equal(a.images, c.images)


def test_split_keeps_programs_with_their_images():
  ds = load_dataset(_config())
  rest, held_out = ds.split(4, seed=0)
  for image, program in zip(held_out.images, held_out.labels):
    match = [i for i, p in enumerate(ds.labels) if p == program]
    np.testing.assert_array_equal(ds.images[match[0]], image)
  assert len(rest) == 8


@pytest.mark.parametrize("overrides, message", [
    (dict(channels=1), "channels must be 3"),
    (dict(path="/tmp"), "reads no files; expected no path"),
])
def test_bad_scene_configs_are_refused(overrides, message):
  with pytest.raises(ValueError, match=message):
    _config(**overrides)


def test_max_objects_only_for_scenes():
  with pytest.raises(ValueError, match="max_objects=3 applies only to"):
    DatasetConfig("digits", max_objects=3)


def test_min_above_max_is_refused():
  with pytest.raises(ValueError, match="min_objects <= max_objects"):
    mujoco_scenes.load_mujoco_scenes(max_objects=1, min_objects=2)


def test_programs_of_needs_scene_labels():
  ds = load_dataset(DatasetConfig("digits", canvas_width=8))
  with pytest.raises(ValueError, match="holds no scene programs"):
    mujoco_scenes.programs_of(ds)
