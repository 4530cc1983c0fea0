"""Tests of the MuJoCo scene environment, its config and scene programs."""

import collections
import hashlib
import json
import os
import pathlib
import subprocess
import sys

import dm_env
from dm_env import specs
import numpy as np
import pytest

from spiral_acme.environments import mujoco_rendering
from spiral_acme.environments import scene_program
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEYS = ["flag", "shape", "location", "size", "red", "green", "blue"]
WIDTH = 48


@pytest.fixture(scope="module")
def env():
  environment = MujocoScenesConfig(canvas_width=WIDTH).make()
  yield environment
  environment.close()


def _place(**values):
  action = dict(flag=1, shape=1, location=0, size=1, red=3, green=0, blue=0)
  action.update(values)
  return action


def _skip():
  return {key: 0 for key in KEYS}


def _canvas_after(env, *actions):
  env.reset()
  timestep = None
  for action in actions:
    timestep = env.step(action)
  return timestep.observation["canvas"]


def _changed(env, action):
  """Boolean [W, W] mask of pixels one placement changes on the blank floor."""
  blank = env.reset().observation["canvas"]
  canvas = env.step(action).observation["canvas"]
  return np.any(np.abs(canvas - blank) > 0.02, axis=-1), canvas


def _centroid(mask):
  rows, cols = np.nonzero(mask)
  assert len(rows) > 0, "the placement changed no pixel"
  return rows.mean(), cols.mean()


def test_action_spec_is_exact(env):
  spec = env.action_spec()
  assert isinstance(spec, collections.OrderedDict)
  assert list(spec) == KEYS
  for (key, s), count in zip(spec.items(), [2, 4, 256, 3, 4, 4, 4]):
    assert isinstance(s, specs.DiscreteArray)
    assert (s.num_values, s.dtype, s.shape, s.name) == (
        count, np.int32, (), key)


def test_observation_spec_is_exact(env):
  spec = env.observation_spec()
  assert list(spec) == ["canvas", "episode_step", "episode_length",
                        "action_mask"]
  assert (spec["canvas"].shape, spec["canvas"].dtype) == (
      (WIDTH, WIDTH, 3), np.float32)
  for key in ("episode_step", "episode_length"):
    assert (spec[key].shape, spec[key].dtype) == ((), np.int32)
  assert list(spec["action_mask"]) == KEYS
  timestep = env.reset()
  canvas = timestep.observation["canvas"]
  assert canvas.dtype == np.float32 and canvas.shape == (WIDTH, WIDTH, 3)
  assert 0.0 <= canvas.min() and canvas.max() <= 1.0


def test_grid_width_sets_location_count():
  config = MujocoScenesConfig(canvas_width=16, grid_width=8)
  environment = config.make()
  try:
    assert environment.action_spec()["location"].num_values == 64
  finally:
    environment.close()


def test_episode_runs_five_placements_and_resets(env):
  timestep = env.reset()
  assert timestep.first()
  assert int(timestep.observation["episode_length"]) == 6
  for i in range(5):
    assert int(timestep.observation["episode_step"]) == i
    timestep = env.step(_place(location=17 * i))
    assert timestep.reward == 0.0 and timestep.discount == 1.0
  assert timestep.last()
  assert len(env.scene) == 5
  assert env.step(_place()).first()  # The step after LAST resets.
  assert len(env.scene) == 0


def test_centroid_moves_right_with_col_and_down_with_row(env):
  grid = env.config.grid_width
  cols = [_centroid(_changed(env, _place(location=8 * grid + c))[0])[1]
          for c in (1, 5, 10, 14)]
  rows = [_centroid(_changed(env, _place(location=r * grid + 8))[0])[0]
          for r in (1, 5, 10, 14)]
  assert all(b > a + 1 for a, b in zip(cols, cols[1:])), cols
  assert all(b > a + 1 for a, b in zip(rows, rows[1:])), rows


def test_cell_image_positions_are_where_a_placed_sphere_is_drawn(env):
  # The projection of a middle-sized sphere's centre, against the centroid
  # of the pixels its placement changes (shadow included), at 48x48.
  grid = env.config.grid_width
  positions = scene_program.cell_image_positions(env.config)
  assert len(positions) == grid * grid
  for row, col in [(0, 0), (0, 15), (7, 8), (15, 0), (15, 15), (4, 11)]:
    cell = row * grid + col
    mask, _ = _changed(env, _place(shape=0, location=cell, size=1))
    centroid = np.array(_centroid(mask)) + 0.5  # Pixel centres.
    expected = np.array(positions[cell]) * WIDTH
    assert np.all(np.abs(centroid - expected) < 1.0), (row, col, centroid,
                                                      expected)
  # Perspective: far rows are squeezed, and far cells sit closer together.
  rows = [positions[r * grid][0] for r in range(grid)]
  steps = np.diff(rows)
  assert np.all(steps > 0) and steps[0] < steps[-1]
  assert positions[0][0] > 0.1 and positions[-1][0] < 0.95


def test_colour_bins_change_the_objects_colour(env):
  means = {}
  for name, bins in {"red": (3, 0, 0), "green": (0, 3, 0),
                     "blue": (0, 0, 3)}.items():
    action = _place(location=120, size=2, red=bins[0], green=bins[1],
                    blue=bins[2])
    mask, canvas = _changed(env, action)
    means[name] = canvas[mask].mean(axis=0)
  for channel, name in enumerate(("red", "green", "blue")):
    others = [c for c in range(3) if c != channel]
    assert means[name][channel] > means[name][others].max() + 0.2, means


def test_size_bins_change_the_area(env):
  areas = [_changed(env, _place(location=120, size=s))[0].sum()
           for s in range(3)]
  assert areas[0] < areas[1] < areas[2], areas


def test_shapes_render_differently(env):
  canvases = [_changed(env, _place(location=120, size=2, shape=s))[1]
              for s in range(4)]
  for i in range(4):
    for j in range(i + 1, 4):
      assert not np.array_equal(canvases[i], canvases[j])


def test_skip_changes_nothing_and_masks_all_but_flag(env):
  blank = env.reset().observation["canvas"]
  timestep = env.step(_skip())
  np.testing.assert_array_equal(timestep.observation["canvas"], blank)
  mask = timestep.observation["action_mask"]
  assert {k: float(v) for k, v in mask.items()} == {
      k: float(k == "flag") for k in KEYS}
  placed = env.step(_place()).observation
  assert all(float(v) == 1.0 for v in placed["action_mask"].values())
  after_skip = env.step(_skip()).observation["canvas"]
  np.testing.assert_array_equal(after_skip, placed["canvas"])
  assert len(env.scene) == 1


def test_reset_clears_the_scene(env):
  blank = env.reset().observation["canvas"]
  _canvas_after(env, _place(location=3), _place(location=77))
  np.testing.assert_array_equal(env.reset().observation["canvas"], blank)


_ACTIONS = [_place(location=20, shape=0, size=2, red=3, green=1, blue=0),
            _place(location=100, shape=1, size=0, red=0, green=2, blue=3),
            _place(location=20, shape=2, size=1, red=1, green=1, blue=1),
            _skip(),
            _place(location=250, shape=3, size=2, red=2, green=3, blue=0)]


def _digest(canvas: np.ndarray) -> str:
  return hashlib.sha256(np.ascontiguousarray(canvas).tobytes()).hexdigest()


def test_deterministic_across_resets_and_processes(env):
  first = _canvas_after(env, *_ACTIONS)
  second = _canvas_after(env, *_ACTIONS)
  np.testing.assert_array_equal(first, second)
  script = (
      "import hashlib, json, sys, numpy as np\n"
      "from spiral_acme.environments.mujoco_scenes_config import "
      "MujocoScenesConfig\n"
      f"env = MujocoScenesConfig(canvas_width={WIDTH}).make()\n"
      "env.reset()\n"
      "for a in json.loads(sys.argv[1]):\n"
      "  ts = env.step(a)\n"
      "c = np.ascontiguousarray(ts.observation['canvas'])\n"
      "print(hashlib.sha256(c.tobytes()).hexdigest())\n")
  out = subprocess.run([sys.executable, "-c", script, json.dumps(_ACTIONS)],
                       cwd=ROOT, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
  assert out.stdout.split()[-1] == _digest(first)


def test_scene_program_json_round_trip(env):
  _canvas_after(env, *_ACTIONS)
  program = env.scene
  assert [o.shape for o in program.objects] == [
      "sphere", "box", "cylinder", "capsule"]
  first = program.objects[0]
  assert (first.row, first.col) == divmod(20, 16)
  assert first.colour_bins == (3, 1, 0) and first.size_bin == 2
  text = program.to_json()
  restored = scene_program.SceneProgram.from_json(text)
  assert restored == program
  assert json.loads(text)["environment"]["environment"] == "mujoco_scenes"


def test_mjcf_round_trip_renders_the_same_pixels(env):
  canvas = _canvas_after(env, *_ACTIONS)
  mujoco = mujoco_rendering.import_mujoco()
  model = mujoco.MjModel.from_xml_string(env.scene.to_mjcf())
  assert model.ngeom == 1 + 4  # Floor and the placed objects.
  renderer = mujoco_rendering.CameraRenderer(model, WIDTH)
  try:
    np.testing.assert_array_equal(renderer.render(), canvas)
  finally:
    renderer.close()
  np.testing.assert_array_equal(env.render(), canvas)
  large = env.render(canvas_width=96)
  assert large.shape == (96, 96, 3) and large.dtype == np.float32


def test_mujoco_gl_defaults_to_egl():
  script = ("import os\nos.environ.pop('MUJOCO_GL', None)\n"
            "from spiral_acme.environments import mujoco_scenes\n"
            "print(os.environ['MUJOCO_GL'])\n")
  environ = {k: v for k, v in os.environ.items() if k != "MUJOCO_GL"}
  out = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                       capture_output=True, text=True, check=True,
                       env={**environ, "PYTHONPATH": str(ROOT)})
  assert out.stdout.strip() == "egl"


@pytest.mark.parametrize("action, message", [
    (_place(location=256), r"action\['location'\] = 256 is out of range; "
                           r"valid values are 0 to 255"),
    (_place(shape=-1), r"action\['shape'\] = -1 is out of range; valid "
                       r"values are 0 to 3"),
    (_place(red=4), r"action\['red'\] = 4 is out of range; valid values "
                    r"are 0 to 3"),
    (_place(size=1.5), r"action\['size'\] must be an integer scalar in "
                       r"\[0, 2\], got 1.5"),
    ({k: 0 for k in KEYS if k != "blue"}, r"missing \['blue'\]"),
    ({**_skip(), "alpha": 0}, r"unexpected \['alpha'\]"),
])
def test_bad_actions_raise_and_change_nothing(env, action, message):
  env.reset()
  before = env.step(_place()).observation["canvas"]
  with pytest.raises(ValueError, match=message):
    env.step(action)
  assert len(env.scene) == 1
  np.testing.assert_array_equal(env.step(_skip()).observation["canvas"],
                                before)


@pytest.mark.parametrize("overrides, message", [
    (dict(episode_length=1), "episode_length must be in"),
    (dict(episode_length=1000), "episode_length must be in"),
    (dict(canvas_width=4), "canvas_width must be in"),
    (dict(canvas_width=16, grid_width=32), "grid_width must be <= "
                                           "canvas_width"),
    (dict(grid_width=1), "grid_width must be in"),
    (dict(shadow_size=500), "shadow_size must be a power of two"),
    (dict(multisamples=3), "multisamples must be one of"),
    (dict(shadows="yes"), "shadows must be a bool"),
    (dict(discount=1.5), "discount must be a number in"),
    (dict(canvas_width=True), "canvas_width must be an int"),
    (dict(alternatives=("location",)), "alternatives holds 'location'"),
    (dict(alternatives=("flag",)), "alternatives holds 'flag'"),
    (dict(alternatives=("shape", "shape")), "names a key twice"),
    (dict(alternatives="shape"), "alternatives must be a tuple"),
])
def test_impossible_configs_are_refused(overrides, message):
  with pytest.raises(ValueError, match=message):
    MujocoScenesConfig(**overrides)


def test_config_dict_round_trip():
  config = MujocoScenesConfig(canvas_width=32, grid_width=8, shadows=False,
                              alternatives=("shape", "blue"))
  values = json.loads(json.dumps(config.to_dict()))
  assert MujocoScenesConfig.from_dict(values) == config
  with pytest.raises(ValueError, match=r"unknown MujocoScenesConfig field"):
    MujocoScenesConfig.from_dict({**values, "brush_type": "x"})
  with pytest.raises(ValueError, match="environment must be 'mujoco_scenes'"):
    MujocoScenesConfig.from_dict({**values, "environment": "libmypaint"})


def test_alternatives_are_the_canvases_of_every_value():
  config = MujocoScenesConfig(canvas_width=32, grid_width=8,
                              alternatives=("shape", "red"))
  alt_env, plain = config.make(), MujocoScenesConfig(
      canvas_width=32, grid_width=8).make()
  try:
    spec = alt_env.observation_spec()["alternatives"]
    assert {k: s.shape for k, s in spec.items()} == {
        "shape": (4, 32, 32, 3), "red": (4, 32, 32, 3)}
    assert "alternatives" not in plain.observation_spec()
    first = alt_env.reset().observation["alternatives"]
    for rendered in first.values():  # Nothing placed: every entry is blank.
      np.testing.assert_array_equal(rendered[2], plain.reset().observation[
          "canvas"])
    # Second placement: the first object stays as placed in every entry.
    action = _place(shape=2, location=27, red=1)
    alt_env.step(_place(location=0))
    observation = alt_env.step(action).observation
    for key, rendered in observation["alternatives"].items():
      for value in range(4):
        expected = _canvas_after(plain, _place(location=0),
                                 {**action, key: value})
        np.testing.assert_array_equal(rendered[value], expected)
      assert len({rendered[v].tobytes() for v in range(4)}) == 4
    np.testing.assert_array_equal(observation["canvas"],
                                  observation["alternatives"]["shape"][2])
    # The scene keeps what was placed, and a skip changes nothing.
    assert [o.shape for o in alt_env.scene.objects][-1] == "cylinder"
    skipped = alt_env.step(_skip()).observation
    for rendered in skipped["alternatives"].values():
      for value in range(4):
        np.testing.assert_array_equal(rendered[value], skipped["canvas"])
  finally:
    alt_env.close()
    plain.close()


def test_missing_backend_names_mujoco_gl_and_packages(tmp_path):
  # A stand-in `mujoco` that fails the way MuJoCo does without libOSMesa.
  fake = tmp_path / "mujoco"
  fake.mkdir()
  (fake / "__init__.py").write_text(
      "raise AttributeError(\"'NoneType' object has no attribute "
      "'glGetError'\")\n")
  script = ("from spiral_acme.environments.mujoco_scenes_config import "
            "MujocoScenesConfig\nMujocoScenesConfig().make()\n")
  out = subprocess.run(
      [sys.executable, "-c", script], cwd=ROOT, capture_output=True,
      text=True, env={**os.environ, "MUJOCO_GL": "osmesa",
                      "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
  assert out.returncode != 0
  last = out.stderr.strip().splitlines()[-1]
  assert last.startswith("spiral_acme.environments.mujoco_rendering."
                         "BackendError: MuJoCo cannot render with "
                         "MUJOCO_GL='osmesa'")
  assert "glGetError" in last and "libosmesa6" in last


def test_unknown_backend_names_mujoco_gl():
  script = ("from spiral_acme.environments.mujoco_scenes_config import "
            "MujocoScenesConfig\nMujocoScenesConfig().make()\n")
  out = subprocess.run(
      [sys.executable, "-c", script], cwd=ROOT, capture_output=True,
      text=True, env={**os.environ, "MUJOCO_GL": "glitter",
                      "PYTHONPATH": str(ROOT)})
  assert out.returncode != 0
  last = out.stderr.strip().splitlines()[-1]
  assert "MUJOCO_GL='glitter'" in last and "libegl1" in last


def test_step_types(env):
  assert env.reset().step_type == dm_env.StepType.FIRST
  assert env.step(_skip()).step_type == dm_env.StepType.MID
