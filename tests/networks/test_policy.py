"""Tests of SpiralPolicy: specs, stepping, resets, masks, unroll, tracing."""

import collections
import json

from dm_env import specs
import numpy as np
import pytest
import tensorflow as tf

from spiral_acme.networks import config as config_lib
from spiral_acme.networks import layers
from spiral_acme.networks import policy as policy_lib
from spiral_acme.networks import policy_spec

HUB_VALUES = {"control": 1024, "end": 1024, "flag": 2, "pressure": 10,
              "size": 6, "red": 20, "green": 20, "blue": 20}
SMALL = config_lib.PolicyNetworkConfig.small()


def action_spec(num_values):
  return collections.OrderedDict(
      (k, specs.DiscreteArray(n, name=k)) for k, n in num_values.items())


def observation_spec(width=64, channels=3, keys=HUB_VALUES):
  return collections.OrderedDict(
      canvas=specs.Array((width, width, channels), np.float32, "canvas"),
      episode_step=specs.Array((), np.int32, "episode_step"),
      episode_length=specs.Array((), np.int32, "episode_length"),
      action_mask=collections.OrderedDict(
          (k, specs.Array((), np.float32, k)) for k in keys))


def make_policy(values=None, width=32, channels=3, config=SMALL, **kwargs):
  values = values or {**HUB_VALUES, "control": 256, "end": 256}
  return policy_lib.SpiralPolicy(action_spec(values),
                                 observation_spec(width, channels, values),
                                 config, **kwargs)


def observation(policy, batch, seed=0, lead=()):
  rng = np.random.RandomState(seed)
  shape = list(lead) + [batch]
  obs = {"canvas": rng.rand(*shape, *policy.spec.canvas_shape)
                   .astype(np.float32),
         "noise_sample": rng.randn(*shape, policy.spec.noise_dim)
                         .astype(np.float32),
         "action_mask": {a.key: np.ones(shape, np.float32)
                         for a in policy.spec.actions}}
  if policy.spec.conditional:
    obs["target"] = rng.rand(*shape, *policy.spec.canvas_shape).astype(
        np.float32)
  return obs


def random_state(policy, batch, seed=1):
  rng = np.random.RandomState(seed)
  size = policy.config.lstm_size
  return {"lstm_state": {"cell": rng.randn(batch, size).astype(np.float32),
                         "hidden": rng.randn(batch, size).astype(np.float32)},
          "prev_action": {a.key: rng.randint(0, a.num_values, batch)
                          .astype(np.int32) for a in policy.spec.actions}}


def random_actions(policy, shape, seed=2):
  rng = np.random.RandomState(seed)
  return {a.key: rng.randint(0, a.num_values, shape).astype(np.int32)
          for a in policy.spec.actions}


def _centres(grid, rows, cols):
  """Row-major (row, col) image fractions from per-row and per-col values."""
  return tuple((rows[r], cols[c]) for r in range(grid) for c in range(grid))


def test_default_config_has_deepmind_parameter_count():
  policy = make_policy(HUB_VALUES, width=64,
                       config=config_lib.PolicyNetworkConfig())
  policy.create_variables()
  assert policy_lib.count_parameters(policy) == 1_613_329


@pytest.mark.parametrize("overrides,message", [
    (dict(torso_channels=0), "torso_channels"),
    (dict(action_mlp_sizes=(64, 16)), "action_mlp_sizes"),
    (dict(lstm_size=250), "decoder_base_width"),
    (dict(torso_residual_blocks=-1), "torso_residual_blocks"),
    (dict(location_keys=["end"]), "location_keys"),
    (dict(location_skip=1), "location_skip"),
    (dict(location_readout="yes"), "location_readout"),
    (dict(location_readout=True, location_readout_radius=-1),
     "location_readout_radius must be an int >= 0"),
    (dict(location_readout_radius=1), "needs location_readout=True"),
    (dict(location_readout_pixels=True), "needs location_readout=True"),
    (dict(location_readout=True, location_readout_pixels=1),
     "location_readout_pixels must be a bool"),
    (dict(location_glimpse=-1), "location_glimpse must be an int >= 0"),
    (dict(location_glimpse=8, location_glimpse_radius=True),
     "location_glimpse_radius must be an int >= 0"),
    (dict(location_cell_centres=((0.5, 1.5),)),
     "location_cell_centres must be .row, col. pairs of image fractions"),
    (dict(location_cell_centres=((0.5,),)), "location_cell_centres"),
    (dict(location_cell_centres=((0.5, float("nan")),)),
     "location_cell_centres"),
    (dict(location_cell_centres="middle"), "location_cell_centres"),
    (dict(location_stroke=1), "location_stroke must be 0 .off. or an int >= 2"),
    (dict(location_stroke=True), "location_stroke must be 0"),
    (dict(location_stroke=-4), "location_stroke must be 0"),
    (dict(location_stroke=8, location_keys=("location",)),
     "needs 'end' in location_keys"),
    (dict(location_stroke=8, location_cell_centres=((0.5, 0.5),) * 256),
     "no location_cell_centres"),
])
def test_config_validation(overrides, message):
  with pytest.raises(ValueError, match=message):
    config_lib.PolicyNetworkConfig(**overrides)


def test_config_round_trips_through_dict():
  assert config_lib.PolicyNetworkConfig.from_dict(SMALL.to_dict()) == SMALL
  centred = config_lib.PolicyNetworkConfig.small(
      location_cell_centres=[[0.25, 0.75], (1, 0)])
  assert centred.location_cell_centres == ((0.25, 0.75), (1.0, 0.0))
  assert config_lib.PolicyNetworkConfig.from_dict(
      json.loads(json.dumps(centred.to_dict()))) == centred
  with pytest.raises(ValueError, match="bogus"):
    config_lib.PolicyNetworkConfig.from_dict({"bogus": 1})


@pytest.mark.parametrize("values,width,channels", [
    ({"control": 64, "end": 64, "flag": 2}, 16, 1),            # no colour
    ({"control": 144, "end": 144, "flag": 2, "size": 3}, 48, 4),  # grid 12
    ({**HUB_VALUES, "control": 256, "end": 256}, 32, 3),
])
def test_general_specs_give_logits_and_actions_in_range(values, width,
                                                        channels):
  policy = make_policy(values, width, channels, seed=3)
  actions, state, extras = policy.step(
      np.zeros([2], np.int32), observation(policy, 2), policy.initial_state(2))
  expected_order = [k for k in policy_spec.DEEPMIND_HEAD_ORDER if k in values]
  assert list(extras["logits"]) == expected_order
  for key, n in values.items():
    assert extras["logits"][key].shape == (2, n)
    assert actions[key].dtype == tf.int32
    assert np.all((actions[key].numpy() >= 0) & (actions[key].numpy() < n))
  assert extras["baseline"].shape == (2,)
  assert list(state["prev_action"]) == list(values)


def test_scene_actions_with_declared_location_key():
  values = {"type": 4, "position": 256, "size": 3, "red": 4}
  config = config_lib.PolicyNetworkConfig.small(
      location_keys=("position",))
  policy = make_policy(values, 32, 3, config=config)
  _, _, extras = policy.step(np.zeros([1], np.int32), observation(policy, 1),
                             policy.initial_state(1))
  assert list(extras["logits"]) == ["size", "red", "type", "position"]
  assert policy.spec.actions[1].grid_width == 16
  names = {v.name for v in policy.variables}
  assert any("position_action_decoder" in n for n in names)
  assert any("type_action_head" in n for n in names)


def test_non_square_location_key_is_rejected():
  with pytest.raises(ValueError, match="'end' has 1000 values"):
    make_policy({"control": 1024, "end": 1000, "flag": 2})


def test_first_step_resets_state_and_previous_actions():
  policy = make_policy()
  obs, actions = observation(policy, 3), random_actions(policy, [3])
  first = np.zeros([3], np.int32)
  _, s1, e1 = policy.step(first, obs, random_state(policy, 3), actions)
  zero = policy.initial_state(3)
  _, s2, e2 = policy.step(first, obs, zero, actions)
  for key in e1["logits"]:
    np.testing.assert_allclose(e1["logits"][key], e2["logits"][key],
                               atol=1e-6)
  np.testing.assert_allclose(s1["lstm_state"]["cell"],
                             s2["lstm_state"]["cell"], atol=1e-6)
  # A MID step does use the state.
  _, _, e3 = policy.step(first + 1, obs, random_state(policy, 3), actions)
  assert np.abs(e3["baseline"] - e2["baseline"]).max() > 1e-4


def test_action_mask_hides_previous_actions():
  policy = make_policy()
  obs, actions = observation(policy, 2), random_actions(policy, [2])
  mid = np.ones([2], np.int32)
  state_a, state_b = random_state(policy, 2), random_state(policy, 2)
  state_b["prev_action"]["red"] = (state_a["prev_action"]["red"] + 1) % 20
  obs["action_mask"]["red"] = np.zeros([2], np.float32)
  _, _, ea = policy.step(mid, obs, state_a, actions)
  _, _, eb = policy.step(mid, obs, state_b, actions)
  np.testing.assert_allclose(ea["baseline"], eb["baseline"], atol=1e-6)
  obs["action_mask"]["red"] = np.ones([2], np.float32)
  _, _, ea = policy.step(mid, obs, state_a, actions)
  _, _, eb = policy.step(mid, obs, state_b, actions)
  assert np.abs(ea["baseline"] - eb["baseline"]).max() > 1e-6


def test_heads_are_autoregressive_and_teacher_forcing_matches_sampling():
  policy = make_policy(seed=5)
  obs, state = observation(policy, 4), random_state(policy, 4)
  mid = np.ones([4], np.int32)
  sampled, _, e_sampled = policy.step(mid, obs, state)
  _, _, e_forced = policy.step(mid, obs, state, sampled)
  for key in e_sampled["logits"]:
    np.testing.assert_allclose(e_sampled["logits"][key],
                               e_forced["logits"][key], atol=1e-5)
  other = dict(sampled, flag=1 - sampled["flag"])
  _, _, e_other = policy.step(mid, obs, state, other)
  np.testing.assert_array_equal(e_other["logits"]["flag"],
                                e_forced["logits"]["flag"])
  assert np.abs(e_other["logits"]["end"]
                - e_forced["logits"]["end"]).max() > 1e-6


def test_seeded_sampling_is_reproducible():
  policy = make_policy(seed=11)
  obs, state = observation(policy, 8), random_state(policy, 8)
  a1, _, _ = policy.step(np.ones([8], np.int32), obs, state)
  policy._rng.reset_from_seed(11)
  a2, _, _ = policy.step(np.ones([8], np.int32), obs, state)
  for key in a1:
    np.testing.assert_array_equal(a1[key], a2[key])


def test_sampling_follows_the_softmax():
  policy = make_policy(seed=4)
  sample = policy._sampler(tf.constant(4000))
  logits = tf.constant([[0.0, np.log(3.0), -np.inf, 0.0]] * 4000, tf.float32)
  counts = np.bincount(sample(logits).numpy(), minlength=4) / 4000
  np.testing.assert_allclose(counts, [0.2, 0.6, 0.0, 0.2], atol=0.03)
  peaked = tf.constant([[-50.0] * 9 + [50.0]] * 4000)
  assert np.all(sample(peaked).numpy() == 9)


def test_conditional_policy_reads_the_target():
  policy = make_policy(conditional=True)
  obs, state = observation(policy, 2), random_state(policy, 2)
  actions = random_actions(policy, [2])
  _, _, e1 = policy.step(np.ones([2], np.int32), obs, state, actions)
  obs["target"] = obs["target"][::-1]
  _, _, e2 = policy.step(np.ones([2], np.int32), obs, state, actions)
  assert np.abs(e1["baseline"] - e2["baseline"]).max() > 1e-6
  del obs["target"]
  with pytest.raises(ValueError, match="target"):
    policy.step(np.ones([2], np.int32), obs, state, actions)


def test_wrong_canvas_size_names_the_expected_shape():
  policy = make_policy(width=32)
  obs = observation(policy, 2)
  obs["canvas"] = np.zeros([2, 64, 64, 3], np.float32)
  with pytest.raises(ValueError, match=r"built for .*\[32, 32, 3\]"):
    policy.step(np.ones([2], np.int32), obs, policy.initial_state(2))
  with pytest.raises(ValueError, match=r"\[32, 32, 3\]"):
    policy.compiled_step(np.ones([2], np.int32), obs,
                         policy.initial_state(2))


def _unroll_inputs(policy, t, b):
  step_types = np.ones([t, b], np.int32)
  step_types[0, 0] = 0
  step_types[2, 1] = 0  # An episode starts inside the unroll.
  return (step_types, observation(policy, b, lead=[t]),
          random_state(policy, b), random_actions(policy, [t, b]))


@pytest.mark.parametrize("compiled,skip,pixels,glimpse,centres,stroke", [
    (False, False, False, 0, False, 0), (True, False, False, 0, False, 0),
    (True, True, False, 0, False, 0), (False, True, True, 0, False, 0),
    (True, True, False, 8, False, 0), (True, True, True, 8, True, 0),
    (False, True, False, 0, False, 4), (True, False, False, 8, False, 6)])
def test_unroll_matches_stepping(compiled, skip, pixels, glimpse, centres,
                                 stroke):
  # Cell centres in perspective: rows and columns squeezed, off the blocks.
  cell_centres = _centres(16, [0.2 + 0.04 * r for r in range(16)],
                          [0.1 + 0.05 * c for c in range(16)])
  policy = make_policy(config=config_lib.PolicyNetworkConfig.small(
      location_skip=skip, location_readout=skip,
      location_readout_pixels=pixels, location_glimpse=glimpse,
      location_cell_centres=cell_centres if centres else (),
      location_stroke=stroke), conditional=skip)
  t, b = 4, 3
  step_types, obs, state, actions = _unroll_inputs(policy, t, b)
  unroll = policy.compiled_unroll if compiled else policy.unroll
  extras, final = unroll(step_types, obs, state, actions)
  for i in range(t):
    obs_t = tf.nest.map_structure(lambda x, i=i: x[i], obs)
    _, state, e = policy.step(step_types[i], obs_t, state,
                              {k: v[i] for k, v in actions.items()})
    for key in e["logits"]:
      np.testing.assert_allclose(extras["logits"][key][i], e["logits"][key],
                                 atol=1e-4)
    np.testing.assert_allclose(extras["baseline"][i], e["baseline"],
                               atol=1e-5)
  tf.nest.map_structure(
      lambda x, y: np.testing.assert_allclose(x, y, atol=1e-5), final, state)


def test_compiled_functions_do_not_retrace():
  policy = make_policy()
  for batch in (2, 2, 5):
    state = policy.initial_state(batch)
    obs = observation(policy, batch)
    _, state, _ = policy.compiled_step(np.zeros([batch], np.int32), obs,
                                       state)
    policy.compiled_step(np.ones([batch], np.int32), obs, state)
  assert policy.trace_count() == 1
  for t, b in ((3, 2), (3, 2), (5, 4)):
    policy.compiled_unroll(*_unroll_inputs(policy, t, b))
  assert policy.trace_count() == 2


def test_unroll_gradients_reach_every_used_variable():
  policy = make_policy()
  step_types, obs, state, actions = _unroll_inputs(policy, 3, 2)
  with tf.GradientTape() as tape:
    extras, _ = policy.unroll(step_types, obs, state, actions)
    loss = tf.reduce_sum(extras["baseline"]) + sum(
        tf.reduce_sum(tf.nn.log_softmax(l)) for l in
        extras["logits"].values())
  grads = tape.gradient(loss, policy.trainable_variables)
  missing = [v.name for v, g in zip(policy.trainable_variables, grads)
             if g is None]
  # The update after the last head feeds nothing, as in DeepMind's agent.
  assert missing and all(
      "blue_residual_mlp" in n or "blue_action_embed" in n for n in missing)


def test_location_skip_moves_location_logits_with_the_target():
  # One bright square in the target, two places; only the skip reads the
  # feature map, so its logits change where the square moved.
  config = config_lib.PolicyNetworkConfig.small(location_skip=True)
  policy = make_policy(config=config, conditional=True, seed=0)
  names = {v.name for v in policy.create_variables().variables}
  assert any("control_location_skip" in n for n in names)
  assert not any("location_skip" in v.name for v in
                 make_policy(conditional=True).create_variables().variables)
  obs, state = observation(policy, 2), random_state(policy, 2)
  obs["canvas"][:] = 0.0
  obs["target"][:] = 0.0
  obs["target"][0, 4:12, 4:12] = 1.0    # Top left.
  obs["target"][1, 20:28, 20:28] = 1.0  # Bottom right.
  actions = random_actions(policy, [2])
  skip = policy._heads._skips["control"]  # pylint: disable=protected-access
  _, feature_map = policy._torso(  # pylint: disable=protected-access
      obs["canvas"], state["prev_action"],
      {k: tf.constant(v) for k, v in obs["action_mask"].items()},
      obs["noise_sample"], obs["target"])
  grid = skip(feature_map).numpy().reshape(2, 16, 16)
  assert grid.shape == (2, 16, 16)
  # Swapping the two targets swaps the skip's logits.
  _, swapped = policy._torso(  # pylint: disable=protected-access
      obs["canvas"], state["prev_action"],
      {k: tf.constant(v) for k, v in obs["action_mask"].items()},
      obs["noise_sample"], obs["target"][::-1])
  # Noise differs per row, so compare where the squares are, not everything.
  moved = skip(swapped).numpy().reshape(2, 16, 16)
  assert not np.allclose(grid[0, :8, :8], moved[0, :8, :8])
  _, _, extras = policy.step(np.ones([2], np.int32), obs, state, actions)
  assert extras["logits"]["control"].shape == (2, 256)


def test_cell_features_reads_the_chosen_cell():
  # A 4x4 map read on a 4x4 grid: cell a is (row, col) = divmod(a, 4).
  readout = layers.CellFeatures(4, 3)
  feature_map = tf.random.stateless_normal([2, 4, 4, 5], seed=[0, 1])
  cells = tf.constant([6, 13])
  got = readout(feature_map, cells).numpy()
  for n, (row, col) in enumerate([divmod(6, 4), divmod(13, 4)]):
    want = readout._linear(feature_map[n:n + 1, row, col])  # pylint: disable=protected-access
    np.testing.assert_allclose(got[n], want[0], atol=1e-6)
  # A coarser map is resized to the grid first.
  assert readout(feature_map[:, ::2, ::2], cells).shape == (2, 3)


def test_cell_features_with_a_radius_read_the_cells_around():
  readout = layers.CellFeatures(4, 3, radius=1)
  feature_map = tf.random.stateless_normal([2, 4, 4, 5], seed=[0, 1])
  got = readout(feature_map, tf.constant([6, 0])).numpy()
  padded = np.pad(feature_map.numpy(), [(0, 0), (1, 1), (1, 1), (0, 0)])
  for n, (row, col) in enumerate([divmod(6, 4), divmod(0, 4)]):
    # The 3x3 cells centred on (row, col), zeros past the edge, row-major.
    window = padded[n, row:row + 3, col:col + 3].reshape(1, -1)
    want = readout._linear(tf.constant(window))  # pylint: disable=protected-access
    np.testing.assert_allclose(got[n], want[0], atol=1e-5)
  # A change one cell away reaches the readout; two cells away it does not.
  near = feature_map.numpy().copy()
  near[0, 2, 3] += 1.0  # Next to cell 6 = (1, 2).
  far = feature_map.numpy().copy()
  far[0, 3, 0] += 1.0
  cells = tf.constant([6, 0])
  assert not np.allclose(readout(tf.constant(near), cells)[0], got[0])
  np.testing.assert_allclose(readout(tf.constant(far), cells)[0], got[0],
                             atol=1e-6)


def _heads_with(policy, name):
  """The head modules whose variables' names contain `name`."""
  return {v.name.split("/")[2] for v in policy.trainable_variables
          if name in v.name}


def _assert_unroll_trains(policy, name):
  """A teacher-forced unroll's log-likelihood reaches every variable whose
  name contains `name` with a non-zero gradient."""
  step_types, obs, state, actions = _unroll_inputs(policy, 3, 2)
  with tf.GradientTape() as tape:
    extras, _ = policy.unroll(step_types, obs, state, actions)
    loss = sum(tf.reduce_sum(tf.nn.log_softmax(l))
               for l in extras["logits"].values())
  variables = [v for v in policy.trainable_variables if name in v.name]
  grads = tape.gradient(loss, variables)
  assert variables and all(g is not None and np.any(g.numpy() != 0)
                           for g in grads)


def test_location_readout_feeds_later_heads_and_trains():
  config = config_lib.PolicyNetworkConfig.small(location_skip=True,
                                                location_readout=True)
  policy = make_policy(config=config, conditional=True, seed=0)
  _assert_unroll_trains(policy, "location_readout")
  assert _heads_with(policy, "location_readout") == {
      "control_location_readout", "end_location_readout"}
  step_types, obs, state, actions = _unroll_inputs(policy, 3, 2)
  # Same actions, a different readout of the chosen `end` cell: the heads
  # sampled after `end` (pressure, size, colours) change; `end` does not.
  obs_t = tf.nest.map_structure(lambda x: x[0], obs)
  first = {k: v[0] for k, v in actions.items()}
  _, _, before = policy.step(step_types[0], obs_t, state, first)
  readout = policy._heads._readouts["end"]  # pylint: disable=protected-access
  readout._linear.b.assign_add(tf.ones_like(readout._linear.b))  # pylint: disable=protected-access
  _, _, after = policy.step(step_types[0], obs_t, state, first)
  np.testing.assert_allclose(before["logits"]["end"], after["logits"]["end"])
  assert not np.allclose(before["logits"]["pressure"],
                         after["logits"]["pressure"])


def test_readout_pixels_let_later_heads_see_the_targets_colour_there():
  config = config_lib.PolicyNetworkConfig.small(
      location_readout=True, location_readout_pixels=True)
  policy = make_policy(config=config, conditional=True, seed=0)
  obs = observation(policy, 1)
  obs["canvas"] = np.zeros_like(obs["canvas"])
  obs["target"] = np.zeros_like(obs["target"])
  state = policy.initial_state(1)
  actions = {k: np.zeros([1], np.int32) for k in obs["action_mask"]}
  # The readout map: the torso's features, then the canvas's and the
  # target's pixels averaged over each of the feature map's cells.
  torso = policy._torso  # pylint: disable=protected-access
  _, feature_map = torso(
      tf.constant(obs["canvas"]), actions,
      {k: tf.constant(v) for k, v in obs["action_mask"].items()},
      tf.constant(obs["noise_sample"]), tf.constant(obs["target"]))
  target = obs["target"].copy()
  target[0, :2, :2] = 1.0  # One cell's corner of the 32 / 8 = 4 px cells.
  readout_map = policy._readout_map(  # pylint: disable=protected-access
      feature_map, tf.constant(obs["canvas"]), tf.constant(target)).numpy()
  channels = feature_map.shape[-1]
  assert readout_map.shape[-1] == channels + 2 * obs["canvas"].shape[-1]
  np.testing.assert_allclose(readout_map[..., :channels], feature_map)
  pixels = readout_map[0, ..., channels + obs["canvas"].shape[-1]:]
  np.testing.assert_allclose(pixels[0, 0], 0.25, atol=1e-6)  # 4 of 16 px.
  assert np.all(pixels.reshape(-1, pixels.shape[-1])[1:] == 0)
  # In the policy, each location readout reads that map.
  policy.step(np.ones([1], np.int32), obs, state, actions)
  for key in ("control", "end"):
    readout = policy._heads._readouts[key]  # pylint: disable=protected-access
    assert readout._linear.w.shape[0] == readout_map.shape[-1]  # pylint: disable=protected-access


def test_pixel_glimpse_reads_the_window_around_the_chosen_cell():
  # An 8x8 image on a 4x4 grid: 2x2-pixel cells, 6x6-pixel windows.
  glimpse = layers.PixelGlimpse(4, 5, radius=1)
  pixels = tf.random.stateless_uniform([2, 8, 8, 3], seed=[0, 1])
  cells = tf.constant([6, 0])
  got = glimpse(pixels, cells).numpy()
  padded = np.pad(pixels.numpy(), [(0, 0), (2, 2), (2, 2), (0, 0)])
  for n, cell in enumerate([6, 0]):
    row, col = divmod(cell, 4)
    # Cell (row, col) spans pixels [2 row, 2 row + 2); the window adds one
    # cell each side (zeros past the edge), flattened row-major.
    window = padded[n, 2 * row:2 * row + 6, 2 * col:2 * col + 6].reshape(1, -1)
    want = tf.nn.relu(glimpse._linear(tf.constant(window)))  # pylint: disable=protected-access
    np.testing.assert_allclose(got[n], want[0], atol=1e-5)
  # A pixel one cell away from cell 6 = (1, 2) changes its glimpse; one two
  # cells away does not.
  near, far = pixels.numpy().copy(), pixels.numpy().copy()
  near[0, 1, 7] += 5.0  # Cell (0, 3).
  far[0, 7, 0] += 5.0  # Cell (3, 0).
  glimpse._linear.b.assign(tf.fill([5], 10.0))  # pylint: disable=protected-access
  base = glimpse(pixels, cells)[0]
  assert not np.allclose(glimpse(tf.constant(near), cells)[0], base)
  np.testing.assert_allclose(glimpse(tf.constant(far), cells)[0], base,
                             atol=1e-6)
  with pytest.raises(ValueError, match="divisible by the grid width 4"):
    glimpse(tf.zeros([1, 10, 10, 3]), tf.constant([0]))


def test_location_glimpse_feeds_the_later_heads_the_targets_pixels_there():
  config = config_lib.PolicyNetworkConfig.small(location_glimpse=8)
  policy = make_policy(config=config, conditional=True,
                       seed=0).create_variables()
  obs = observation(policy, 1)
  state = policy.initial_state(1)
  actions = {k: np.zeros([1], np.int32) for k in obs["action_mask"]}
  actions["end"] = np.array([0], np.int32)  # The top-left cell.
  # The torso's path (the LSTM vector) sees the whole target; zero its
  # last layer so only the glimpse can move the logits.
  for v in policy.trainable_variables:
    if "/torso/output/" in v.name:
      v.assign(tf.zeros_like(v))
  _, _, base = policy.step(np.ones([1], np.int32), obs, state, actions)
  far = dict(obs, target=obs["target"].copy())
  far["target"][0, -8:, -8:] = 1.0 - far["target"][0, -8:, -8:]
  _, _, after_far = policy.step(np.ones([1], np.int32), far, state, actions)
  near = dict(obs, target=obs["target"].copy())
  near["target"][0, :2, :2] = 1.0 - near["target"][0, :2, :2]
  _, _, after_near = policy.step(np.ones([1], np.int32), near, state,
                                 actions)
  for key in ("pressure", "size", "red"):
    np.testing.assert_allclose(after_far["logits"][key],
                               base["logits"][key], atol=1e-6)
    assert not np.allclose(after_near["logits"][key], base["logits"][key])
  # The heads before `end` have no glimpse.
  np.testing.assert_allclose(after_near["logits"]["flag"],
                             base["logits"]["flag"], atol=1e-6)
  glimpses = {v.name.split("/")[2] for v in policy.trainable_variables
              if "location_glimpse" in v.name}
  assert glimpses == {"control_location_glimpse", "end_location_glimpse"}


def test_sample_at_cells_reads_the_map_where_each_cell_is_drawn():
  # A 4x4 map whose value at pixel (i, j) is 10 i + j; pixel i's centre is
  # at fraction (i + 0.5) / 4.
  values = 10.0 * np.arange(4)[:, None] + np.arange(4)[None, :]
  feature_map = tf.constant(np.stack([values, -values], -1)[None],
                            tf.float32)
  # Cell rows drawn at pixel rows 1, 1.5, 2.5 and 3; columns at 0, 3, 1, 2.
  rows = [(r + 0.5) / 4 for r in (1, 1.5, 2.5, 3)]
  cols = [(c + 0.5) / 4 for c in (0, 3, 1, 2)]
  got = layers.sample_at_cells(feature_map, 4, _centres(4, rows, cols))
  assert got.shape == (1, 4, 4, 2)
  want = (10.0 * np.array([1, 1.5, 2.5, 3])[:, None] +
          np.array([0, 3, 1, 2])[None, :])
  np.testing.assert_allclose(got[0, ..., 0], want, atol=1e-5)
  np.testing.assert_allclose(got[0, ..., 1], -want, atol=1e-5)
  # Past the edge pixels' centres it clamps to the edge.
  edge = layers.sample_at_cells(feature_map, 1, ((0.0, 1.0),))
  np.testing.assert_allclose(edge[0, 0, 0], [3.0, -3.0], atol=1e-6)


def test_location_layers_read_the_cell_centres():
  # Cells drawn in reverse order: cell a is read where cell 15 - a would be
  # on the image-aligned grid.
  grid = 4
  aligned = _centres(grid, [(r + 0.5) / 4 for r in range(4)],
                     [(c + 0.5) / 4 for c in range(4)])
  reverse = aligned[::-1]
  feature_map = tf.random.stateless_normal([2, 4, 4, 5], seed=[0, 1])
  skip = layers.FeatureMapLogits(grid, cell_centres=reverse)
  plain = layers.FeatureMapLogits(grid)
  got = skip(feature_map)
  plain._conv = skip._conv  # pylint: disable=protected-access
  np.testing.assert_allclose(got, plain(feature_map)[:, ::-1], atol=1e-5)
  readout = layers.CellFeatures(grid, 3, cell_centres=reverse)
  plain_readout = layers.CellFeatures(grid, 3)
  cells = tf.constant([6, 0])
  got = readout(feature_map, cells)
  plain_readout._linear = readout._linear  # pylint: disable=protected-access
  np.testing.assert_allclose(got, plain_readout(feature_map, 15 - cells),
                             atol=1e-5)


def test_pixel_glimpse_with_cell_centres_reads_the_window_where_drawn():
  # An 8x8 image on a 4x4 grid (2x2-pixel cells, 6x6-pixel windows). Cell 5
  # is drawn centred on pixel corner (3, 6): the window is pixels 0-5 by
  # 3-8 (column 8 is past the edge: zeros).
  centres = [(0.5, 0.5)] * 16
  centres[5] = (3 / 8, 6 / 8)
  glimpse = layers.PixelGlimpse(4, 5, radius=1, cell_centres=centres)
  pixels = tf.random.stateless_uniform([2, 8, 8, 3], seed=[0, 1])
  got = glimpse(pixels, tf.constant([5, 0])).numpy()
  padded = np.pad(pixels.numpy(), [(0, 0), (0, 0), (0, 1), (0, 0)])
  window = padded[0, 0:6, 3:9].reshape(1, -1)
  want = tf.nn.relu(glimpse._linear(tf.constant(window)))  # pylint: disable=protected-access
  np.testing.assert_allclose(got[0], want[0], atol=1e-5)
  # Cell 0 is drawn in the middle: pixels 1-6 both ways.
  window = pixels.numpy()[1, 1:7, 1:7].reshape(1, -1)
  want = tf.nn.relu(glimpse._linear(tf.constant(window)))  # pylint: disable=protected-access
  np.testing.assert_allclose(got[1], want[0], atol=1e-5)


def test_cell_centres_must_cover_the_location_grid():
  config = config_lib.PolicyNetworkConfig.small(
      location_skip=True, location_cell_centres=((0.5, 0.5),) * 4)
  with pytest.raises(ValueError, match="has 4 cells; the location key "
                     "'end' has a 16x16 grid .256 cells"):
    make_policy(config=config, conditional=True)



def test_location_stroke_reads_from_the_pen_the_previous_end():
  config = config_lib.PolicyNetworkConfig.small(location_stroke=4)
  policy = make_policy(config=config, conditional=True, seed=0)
  obs = observation(policy, 2)
  actions = random_actions(policy, [2])
  state = policy.initial_state(2)
  moved = dict(state, prev_action=dict(state["prev_action"],
                                       end=tf.constant([37, 200])))
  mid, first = np.ones([2], np.int32), np.zeros([2], np.int32)
  _, _, at_origin = policy.step(mid, obs, state, actions)
  _, _, at_pen = policy.step(mid, obs, moved, actions)
  _, _, restarted = policy.step(first, obs, moved, actions)
  # Mid-episode the pen moves the stroke heads' logits; an episode's first
  # step starts at cell 0 whatever the state says.
  for key in ("end", "control"):
    assert not np.allclose(at_origin["logits"][key], at_pen["logits"][key])
    np.testing.assert_allclose(restarted["logits"][key],
                               at_origin["logits"][key], atol=1e-5)
  assert _heads_with(policy, "location_stroke") == {
      "end_location_stroke", "control_location_stroke"}
  _assert_unroll_trains(policy, "location_stroke")


def test_location_stroke_needs_an_end_action():
  config = config_lib.PolicyNetworkConfig.small(
      location_stroke=4, location_keys=("end", "location"))
  values = {"flag": 2, "location": 64, "size": 3}
  with pytest.raises(ValueError, match="needs an `end` location action"):
    make_policy(values, config=config)
