"""Tests of the LibMyPaint dm_env environment and its config."""

import collections
import json

import dm_env
from dm_env import specs
import numpy as np
import pytest

from spiral_acme.environments import libmypaint
from spiral_acme.environments.libmypaint import LibMyPaint, LibMyPaintConfig

HUB_KEYS = ["control", "end", "flag", "pressure", "size", "red", "green",
            "blue"]


def _hub(**overrides):
  return LibMyPaintConfig(**overrides).make()


def _action(env, **values):
  """A valid action: zeros, a move unless flag=1, overridden by `values`."""
  action = {key: 0 for key in env.action_spec()}
  action.update(values)
  return action


def _random_actions(env, count, seed):
  rng = np.random.default_rng(seed)
  return [{k: int(rng.integers(s.num_values))
           for k, s in env.action_spec().items()} for _ in range(count)]


def test_hub_action_spec_is_exact():
  spec = _hub().action_spec()
  assert isinstance(spec, collections.OrderedDict)
  assert list(spec) == HUB_KEYS
  counts = [1024, 1024, 2, 10, 6, 20, 20, 20]
  for (key, s), count in zip(spec.items(), counts):
    assert isinstance(s, specs.DiscreteArray)
    assert (s.num_values, s.dtype, s.shape, s.name) == (
        count, np.int32, (), key)


def test_hub_observation_spec_is_exact():
  spec = _hub().observation_spec()
  assert list(spec) == ["canvas", "episode_step", "episode_length",
                        "action_mask"]
  assert (spec["canvas"].shape, spec["canvas"].dtype) == ((64, 64, 3),
                                                          np.float32)
  for key in ("episode_step", "episode_length"):
    assert (spec[key].shape, spec[key].dtype) == ((), np.int32)
  assert isinstance(spec["action_mask"], collections.OrderedDict)
  assert list(spec["action_mask"]) == HUB_KEYS
  for s in spec["action_mask"].values():
    assert (s.shape, s.dtype) == ((), np.float32)


@pytest.mark.parametrize("overrides, keys, channels", [
    (dict(use_pressure=False), ["control", "end", "flag", "size", "red",
                                "green", "blue"], 3),
    (dict(brush_sizes=[3]), ["control", "end", "flag", "pressure", "red",
                             "green", "blue"], 3),
    (dict(use_color=False), ["control", "end", "flag", "pressure", "size"], 1),
    (dict(use_alpha=True), HUB_KEYS, 4),
    (dict(use_color=False, use_alpha=True), HUB_KEYS[:5], 2),
    (dict(use_control=False), HUB_KEYS[1:], 3),
])
def test_spec_variants(overrides, keys, channels):
  env = _hub(**overrides)
  assert list(env.action_spec()) == keys
  assert list(env.observation_spec()["action_mask"]) == keys
  assert env.observation_spec()["canvas"].shape == (64, 64, channels)
  canvas = env.reset().observation["canvas"]
  assert canvas.shape == (64, 64, channels)
  env.observation_spec()["canvas"].validate(canvas)


def test_reset_returns_blank_canvas_and_move_mask():
  env = _hub()
  timestep = env.reset()
  obs = timestep.observation
  assert timestep.step_type == dm_env.StepType.FIRST
  assert np.all(obs["canvas"] == 1.0) and obs["canvas"].dtype == np.float32
  assert obs["episode_step"] == 0 and obs["episode_length"] == 20
  mask = obs["action_mask"]
  assert list(mask) == HUB_KEYS
  assert [float(mask[k]) for k in HUB_KEYS] == [0, 1, 1, 0, 0, 0, 0, 0]
  env.observation_spec()["action_mask"]["end"].validate(mask["end"])


def test_transparent_background_starts_clear():
  env = _hub(background="transparent", use_alpha=True)
  assert np.all(env.reset().observation["canvas"] == 0.0)


def test_episode_is_19_actions_then_last_then_auto_reset():
  env = _hub()
  env.reset()
  actions = _random_actions(env, 19, seed=1)
  for i, action in enumerate(actions):
    timestep = env.step(action)
    assert timestep.reward == 0.0 and timestep.discount == 1.0
    assert timestep.observation["episode_step"] == i + 1
    expected = dm_env.StepType.LAST if i == 18 else dm_env.StepType.MID
    assert timestep.step_type == expected
  assert len(env.strokes) == 19
  timestep = env.step(actions[0])
  assert timestep.step_type == dm_env.StepType.FIRST
  assert env.strokes == () and np.all(timestep.observation["canvas"] == 1.0)


def test_step_before_reset_starts_an_episode_and_discount_is_passed():
  env = _hub(episode_length=3, discount=0.5)
  assert env.step(_action(env)).first()
  assert env.step(_action(env)).discount == 0.5
  assert env.step(_action(env)).last()


def test_grid_index_maps_to_top_left_pixel_of_cell():
  env = _hub()
  env.reset()
  env.step(_action(env, end=33))  # row 1, col 1 -> (2, 2)
  env.step(_action(env, end=5 * 32 + 31))  # row 5, col 31
  assert env.strokes[0].end == (2.0, 2.0)
  assert env.strokes[1].end == (62.0, 10.0)
  odd = _hub(canvas_width=40, grid_width=32)
  odd.reset()
  odd.step(_action(odd, end=2 * 32 + 5))
  assert odd.strokes[0].end == (40 * 5 / 32, 40 * 2 / 32)


def test_paint_records_stroke_and_sets_paint_mask():
  env = _hub()
  env.reset()
  env.step(_action(env, end=10 * 32 + 4))  # move to (8, 20)
  timestep = env.step(_action(env, flag=1, control=4 * 32 + 20,
                              end=16 * 32 + 28, pressure=9, size=3, red=19))
  stroke = env.strokes[-1]
  assert stroke.painted and stroke.start == (8.0, 20.0)
  assert stroke.control == (40.0, 8.0) and stroke.end == (56.0, 32.0)
  assert stroke.start_pressure == 0.0 and stroke.pressure == 1.0
  assert stroke.size == 8.0 and stroke.colour == (1.0, 0.0, 0.0)
  assert all(float(v) == 1.0 for v in timestep.observation["action_mask"]
             .values())
  canvas = timestep.observation["canvas"]
  assert canvas.min() < 0.5 and np.all(canvas[-8:, :8] == 1.0)
  inked = canvas.min(axis=-1) < 0.9
  assert canvas[..., 0][inked].mean() > canvas[..., 1][inked].mean() + 0.2


def test_move_changes_nothing_and_sets_move_mask():
  env = _hub()
  env.reset()
  env.step(_action(env, flag=1, end=500, size=5, pressure=9))
  before = env.step(_action(env, flag=1, end=900, size=5)).observation
  after = env.step(_action(env, flag=0, end=100, size=5)).observation
  np.testing.assert_array_equal(before["canvas"], after["canvas"])
  assert float(after["action_mask"]["control"]) == 0.0
  assert not env.strokes[-1].painted and env.strokes[-1].pressure == 0.0


def test_without_control_strokes_are_straight_lines_from_the_pen():
  env = _hub(use_control=False, use_color=False, use_pressure=False,
             brush_type="deevad/ballpen", brush_sizes=[2])
  env.reset()
  env.step(_action(env, end=10 * 32 + 4))  # move to (8, 20)
  canvas = env.step(_action(env, flag=1, end=16 * 32 + 28)).observation[
      "canvas"][..., 0]  # paint to (56, 32)
  stroke = env.strokes[-1]
  assert stroke.start == (8.0, 20.0) and stroke.end == (56.0, 32.0)
  assert stroke.control == (32.0, 26.0)  # the midpoint: constant speed
  ys, xs = np.nonzero(canvas < 0.95)
  distance = np.abs((xs - 8) * 12 - (ys - 20) * 48) / np.hypot(12, 48)
  assert len(xs) > 40 and distance.max() < 3.0  # ink only along the line
  with pytest.raises(ValueError, match=r"unexpected \['control'\]"):
    env.step(_action(env, flag=1, control=0))


def test_first_action_moves_places_the_pen_without_ink():
  env = _hub(first_action_moves=True, use_control=False, use_color=False,
             brush_type="deevad/ballpen", brush_sizes=[2])
  env.reset()
  first = env.step(_action(env, flag=1, end=10 * 32 + 4, pressure=9))
  assert np.all(first.observation["canvas"] == 1.0)  # flag=1 paints nothing
  assert not env.strokes[0].painted and env.strokes[0].end == (8.0, 20.0)
  # Only `end` took effect, so only it is scored.
  assert {k: float(v) for k, v in first.observation["action_mask"].items()
          } == {"end": 1.0, "flag": 0.0, "pressure": 0.0}
  second = env.step(_action(env, flag=1, end=16 * 32 + 28, pressure=9))
  assert env.strokes[1].painted and env.strokes[1].start == (8.0, 20.0)
  ys, xs = np.nonzero(second.observation["canvas"][..., 0] < 0.95)
  assert xs.min() >= 8 - 3 and ys.min() >= 20 - 3  # nothing from (0, 0)
  assert float(second.observation["action_mask"]["flag"]) == 1.0
  # Later moves keep DeepMind's move mask; a new episode places again.
  third = env.step(_action(env, flag=0, end=0))
  assert float(third.observation["action_mask"]["flag"]) == 1.0
  env.reset()
  env.step(_action(env, flag=1, end=5))
  assert not env.strokes[0].painted


def test_by_default_the_first_stroke_starts_at_the_top_left():
  env = _hub(use_control=False, use_color=False,
             brush_type="deevad/ballpen", brush_sizes=[2])
  env.reset()
  env.step(_action(env, flag=1, end=16 * 32 + 28, pressure=9))
  assert env.strokes[0].painted and env.strokes[0].start == (0.0, 0.0)


def test_same_actions_give_identical_canvases():
  env = _hub()
  actions = _random_actions(env, 19, seed=7)

  def run(e):
    e.reset()
    return [e.step(a).observation["canvas"] for a in actions]

  first, again, other = run(env), run(env), run(_hub())
  for a, b, c in zip(first, again, other):
    assert np.array_equal(a, b) and np.array_equal(a, c)
  assert first[-1].min() < 1.0


def test_observations_are_not_aliased_between_steps():
  env = _hub()
  first = env.reset().observation
  second = env.step(_action(env, flag=1, end=700, size=5)).observation
  assert first["canvas"] is not second["canvas"]
  assert np.all(first["canvas"] == 1.0)
  with pytest.raises(ValueError):
    first["action_mask"]["end"][...] = 0.0


def test_accepts_numpy_integer_scalars_and_0d_arrays():
  env = _hub()
  env.reset()
  action = _action(env, end=np.int64(40), flag=np.array(1, np.int32),
                   size=np.uint8(2))
  env.step(action)
  assert env.strokes[-1].end == (16.0, 2.0) and env.strokes[-1].painted


@pytest.mark.parametrize("change, message", [
    (dict(end=1024), r"action\['end'\] = 1024 is out of range.*0 to 1023"),
    (dict(flag=-1), r"action\['flag'\] = -1 is out of range.*0 to 1"),
    (dict(red=20), r"action\['red'\] = 20 is out of range.*0 to 19"),
    (dict(size=2.0), r"action\['size'\] must be an integer.*\[0, 5\].*2.0"),
    (dict(flag=True), r"action\['flag'\] must be an integer.*True"),
    (dict(end=np.array([3])), r"action\['end'\] must be an integer.*\[3\]"),
    (dict(extra=1), r"unexpected \['extra'\]"),
])
def test_bad_actions_raise_and_change_nothing(change, message):
  env = _hub()
  env.reset()
  env.step(_action(env, flag=1, end=300, size=4))
  before = (len(env.strokes), env.strokes[-1])
  canvas = env.render()
  with pytest.raises(ValueError, match=message):
    env.step(_action(env, **{"flag": 1, "end": 900, **change}))
  assert (len(env.strokes), env.strokes[-1]) == before
  timestep = env.step(_action(env))
  assert timestep.observation["episode_step"] == 2
  np.testing.assert_array_equal(timestep.observation["canvas"], canvas)


def test_missing_key_and_non_mapping_are_rejected():
  env = _hub()
  env.reset()
  action = _action(env)
  del action["blue"]
  with pytest.raises(ValueError, match=r"missing \['blue'\]"):
    env.step(action)
  with pytest.raises(ValueError, match="must be a mapping"):
    env.step([0] * 8)


def test_legacy_move_bug_changes_where_the_next_stroke_starts():
  canvases = {}
  for legacy in (False, True):
    env = _hub(legacy_move_bug=legacy)
    env.reset()
    env.step(_action(env, end=20 * 32 + 4))  # move to (8, 40)
    canvases[legacy] = env.step(
        _action(env, flag=1, control=24 * 32 + 24, end=28 * 32 + 28, size=3,
                pressure=9)).observation["canvas"]
    start = env.strokes[-1].start
    assert start == ((40.0, 40.0) if legacy else (8.0, 40.0))
  assert not np.array_equal(canvases[False], canvases[True])
  assert canvases[False][38:43, 6:11].min() < canvases[True][38:43, 6:11].min()


@pytest.mark.parametrize("width", [16, 40, 100])
def test_canvas_widths(width):
  env = _hub(canvas_width=width, grid_width=min(32, width))
  env.reset()
  for action in _random_actions(env, 5, seed=width):
    action["flag"] = 1
    canvas = env.step(action).observation["canvas"]
  assert canvas.shape == (width, width, 3) and canvas.min() < 0.9


@pytest.mark.parametrize("overrides, error, message", [
    (dict(canvas_width=8), ValueError, "canvas_width must be >= 16, got 8"),
    (dict(grid_width=0), ValueError, "grid_width must be >= 1, got 0"),
    (dict(canvas_width=32, grid_width=40), ValueError,
     r"grid_width must be <= canvas_width \(32\).*got 40"),
    (dict(canvas_width=64.0), ValueError, "canvas_width must be an int"),
    (dict(episode_length=1), ValueError, "episode_length must be >= 2"),
    (dict(brush_sizes=[]), ValueError, "at least one radius"),
    (dict(brush_sizes=[1, -2]), ValueError, r"> 0 pixels, got -2"),
    (dict(background="black"), ValueError, "background must be one of"),
    (dict(discount=1.5), ValueError, r"discount must be a number in \[0, 1\]"),
    (dict(use_color=1), ValueError, "use_color must be a bool"),
    (dict(use_control="no"), ValueError,
     "use_control must be a bool, got 'no'"),
    (dict(first_action_moves=1), ValueError,
     "first_action_moves must be a bool, got 1"),
    (dict(first_action_moves=True, episode_length=2), ValueError,
     "first_action_moves needs episode_length >= 3.*got 2"),
    (dict(brush_type="classic/nope"), FileNotFoundError,
     r"brush 'classic/nope' not found.*Brushes that exist"),
])
def test_impossible_configurations(overrides, error, message):
  with pytest.raises(error, match=message):
    _hub(**overrides)


def test_constructor_matches_deepmind_signature_and_config():
  env = LibMyPaint(20, 64, 32, "classic/dry_brush", [1, 2, 4, 8, 12, 24],
                   True, legacy_move_bug=True)
  assert env.config == LibMyPaintConfig(legacy_move_bug=True)
  with pytest.raises(TypeError):
    LibMyPaint(20, 64, 32, "classic/dry_brush", [1], True, True, False,
               "white", 1.0, None, True)  # legacy_move_bug is keyword-only


def test_config_round_trips_through_json():
  config = LibMyPaintConfig(canvas_width=40, brush_sizes=(2, 3.5),
                            use_pressure=False, discount=0.9,
                            brushes_basedir="/tmp", legacy_move_bug=True,
                            use_control=False, first_action_moves=True)
  restored = LibMyPaintConfig.from_dict(json.loads(json.dumps(
      config.to_dict())))
  assert restored == config
  assert config.make().config == config
  with pytest.raises(ValueError, match=r"unknown LibMyPaintConfig field.*"
                     r"\['canvas'\]"):
    LibMyPaintConfig.from_dict({"canvas": 64})


def test_module_constants():
  np.testing.assert_allclose(libmypaint.PRESSURES, np.linspace(0.1, 1, 10))
  np.testing.assert_allclose(libmypaint.COLOUR_LEVELS, np.linspace(0, 1, 20))
