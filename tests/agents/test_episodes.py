"""Tests for the replay item layout of agents.spiral.episodes."""

import collections

from dm_env import specs as dm_specs
import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme.agents.spiral import episodes

_W, _C = 6, 3
_NUM_VALUES = collections.OrderedDict([("control", 16), ("end", 16),
                                       ("flag", 2), ("size", 4)])


def _specs():
  observation_spec = collections.OrderedDict([
      ("canvas", dm_specs.Array((_W, _W, _C), np.float32, name="canvas")),
      ("episode_step", dm_specs.Array((), np.int32, name="episode_step")),
      ("action_mask", collections.OrderedDict(
          (k, dm_specs.Array((), np.float32, name=k)) for k in _NUM_VALUES)),
  ])
  action_spec = collections.OrderedDict(
      (k, dm_specs.DiscreteArray(n, dtype=np.int32, name=k))
      for k, n in _NUM_VALUES.items())
  return observation_spec, action_spec


def _initial_state(batch=1):
  return {"lstm_state": {"cell": np.zeros([batch, 7], np.float32),
                         "hidden": np.zeros([batch, 7], np.float32)},
          "prev_action": {k: np.zeros([batch], np.int32)
                          for k in _NUM_VALUES}}


def _shape_and_dtype(signature):
  return tf.nest.map_structure(lambda s: (tuple(s.shape), s.dtype), signature)


def test_encode_observation_round_trips_every_uint8_level():
  levels = np.arange(256, dtype=np.uint8)
  # The environment's canvases are uint8 levels divided by 255 in float32.
  canvas = (levels.astype(np.float32) / np.float32(255.0)).reshape(16, 16, 1)
  assert np.array_equal(canvas.ravel(),
                        np.array([k / 255 for k in range(256)], np.float32))
  encoded = episodes.encode_observation(
      {"canvas": canvas, "action_mask": {"flag": np.float32(1.0)}})
  assert encoded["canvas"].dtype == np.uint8
  np.testing.assert_array_equal(encoded["canvas"].ravel(), levels)
  decoded = episodes.decode_canvas(tf.constant(encoded["canvas"])).numpy()
  assert decoded.dtype == np.float32
  np.testing.assert_array_equal(decoded, canvas)


def test_encode_observation_rounds_to_the_nearest_level():
  canvas = np.array([0.4 / 255, 0.6 / 255, 100.49 / 255, 254.51 / 255],
                    np.float32)
  encoded = episodes.encode_observation({"canvas": canvas, "action_mask": {}})
  np.testing.assert_array_equal(encoded["canvas"], [0, 1, 100, 255])


def test_encode_observation_keeps_only_canvas_and_a_copy_of_the_masks():
  masks = {"flag": np.float32(1.0), "end": np.float32(0.0)}
  observation = {"canvas": np.ones((_W, _W, _C), np.float32),
                 "action_mask": masks,
                 "episode_step": np.int32(3),
                 "noise_sample": np.zeros(10, np.float32)}
  encoded = episodes.encode_observation(observation)
  assert set(encoded) == {"canvas", "action_mask"}
  assert encoded["action_mask"] == masks
  masks["flag"] = np.float32(0.0)
  assert encoded["action_mask"]["flag"] == 1.0


@pytest.mark.parametrize("conditional", [False, True])
def test_episode_signature_shapes(conditional):
  observation_spec, action_spec = _specs()
  num_actions, noise_dim = 9, 10
  signature = episodes.episode_signature(
      observation_spec, action_spec, num_actions=num_actions,
      noise_dim=noise_dim, initial_state=_initial_state(),
      conditional=conditional)
  want_episode = {
      "noise_sample": ((noise_dim,), tf.float32),
      "initial_state": {
          "lstm_state": {"cell": ((7,), tf.float32),
                         "hidden": ((7,), tf.float32)},
          "prev_action": {k: ((), tf.int32) for k in _NUM_VALUES}},
  }
  if conditional:
    want_episode["target"] = ((_W, _W, _C), tf.float32)
  want = {
      "observation": {
          "canvas": ((num_actions + 1, _W, _W, _C), tf.uint8),
          "action_mask": {k: ((num_actions + 1,), tf.float32)
                          for k in _NUM_VALUES},
      },
      "action": {k: ((num_actions,), tf.int32) for k in _NUM_VALUES},
      "extras": {"logits": {k: ((num_actions, n), tf.float32)
                            for k, n in _NUM_VALUES.items()}},
      "episode": want_episode,
  }
  assert _shape_and_dtype(signature) == want


@pytest.mark.parametrize("conditional", [False, True])
def test_canvas_signature_shapes(conditional):
  observation_spec, _ = _specs()
  signature = episodes.canvas_signature(observation_spec,
                                        conditional=conditional)
  want = {"observation": {"canvas": ((_W, _W, _C), tf.uint8)},
          "episode": ({"target": ((_W, _W, _C), tf.float32)}
                      if conditional else {})}
  assert _shape_and_dtype(signature) == want


def _batch_major_item(rng, batch, num_actions, *, conditional):
  """A batch of B episode items laid out as Reverb returns them."""
  steps = num_actions + 1
  data = {
      "observation": {
          "canvas": rng.integers(0, 256, size=(batch, steps, _W, _W, _C),
                                 dtype=np.uint8),
          "action_mask": {k: rng.integers(0, 2, size=(batch, steps)).astype(
              np.float32) for k in _NUM_VALUES},
      },
      "action": {k: rng.integers(0, n, size=(batch, num_actions),
                                 dtype=np.int32)
                 for k, n in _NUM_VALUES.items()},
      "extras": {"logits": {
          k: rng.normal(size=(batch, num_actions, n)).astype(np.float32)
          for k, n in _NUM_VALUES.items()}},
      "episode": {"noise_sample": rng.normal(size=(batch, 10)).astype(
          np.float32), "initial_state": _initial_state(batch)},
  }
  if conditional:
    data["episode"]["target"] = rng.uniform(size=(batch, _W, _W, _C)).astype(
        np.float32)
  return data


@pytest.mark.parametrize("conditional", [False, True])
def test_decode_batch_is_time_major_with_float_canvases(conditional):
  rng = np.random.default_rng(0)
  batch, num_actions = 3, 4
  data = _batch_major_item(rng, batch, num_actions, conditional=conditional)
  decoded = episodes.decode_batch(
      tf.nest.map_structure(tf.constant, data))

  canvas = data["observation"]["canvas"]
  assert decoded.canvases.dtype == tf.float32
  assert decoded.canvases.shape == (num_actions + 1, batch, _W, _W, _C)
  for t in range(num_actions + 1):
    for b in range(batch):
      np.testing.assert_array_equal(
          decoded.canvases[t, b].numpy(),
          canvas[b, t].astype(np.float32) / np.float32(255.0))
  for k in _NUM_VALUES:
    np.testing.assert_array_equal(decoded.action_masks[k].numpy(),
                                  data["observation"]["action_mask"][k].T)
    assert decoded.actions[k].dtype == tf.int32
    np.testing.assert_array_equal(decoded.actions[k].numpy(),
                                  data["action"][k].T)
    np.testing.assert_array_equal(
        decoded.behaviour_logits[k].numpy(),
        np.swapaxes(data["extras"]["logits"][k], 0, 1))
  np.testing.assert_array_equal(decoded.noise_sample.numpy(),
                                data["episode"]["noise_sample"])
  tf.nest.map_structure(
      lambda got, want: np.testing.assert_array_equal(got.numpy(), want),
      decoded.initial_state, data["episode"]["initial_state"])
  if conditional:
    np.testing.assert_array_equal(decoded.target.numpy(),
                                  data["episode"]["target"])
  else:
    assert decoded.target is None


def test_alternatives_are_stored_as_bytes_and_decoded_time_major():
  observation_spec, action_spec = _specs()
  observation_spec["alternatives"] = {
      "size": dm_specs.Array((4, _W, _W, _C), np.float32)}
  signature = episodes.episode_signature(
      observation_spec, action_spec, num_actions=2, noise_dim=3,
      initial_state=_initial_state(), conditional=False)
  assert _shape_and_dtype(signature["observation"]["alternatives"]) == {
      "size": ((3, 4, _W, _W, _C), tf.uint8)}
  rendered = np.random.default_rng(0).integers(
      0, 256, size=(5, 4, _W, _W, _C)).astype(np.float32) / 255.0
  encoded = episodes.encode_observation(
      {"canvas": rendered[:, 0], "action_mask": {},
       "alternatives": {"size": rendered}})
  assert encoded["alternatives"]["size"].dtype == np.uint8
  item = {"observation": {"canvas": encoded["canvas"][None].repeat(2, 0),
                          "action_mask": {},
                          "alternatives": {"size": encoded["alternatives"][
                              "size"][None].repeat(2, 0)}},
          "action": {}, "extras": {"logits": {}},
          "episode": {"noise_sample": np.zeros((2, 3), np.float32),
                      "initial_state": {}}}
  batch = episodes.decode_batch(tf.nest.map_structure(tf.constant, item))
  assert batch.alternatives["size"].shape == (5, 2, 4, _W, _W, _C)
  np.testing.assert_allclose(batch.alternatives["size"][:, 1], rendered,
                             atol=1e-6)
  assert episodes.decode_batch(tf.nest.map_structure(tf.constant, {
      **item, "observation": {k: v for k, v in item["observation"].items()
                              if k != "alternatives"}})).alternatives == {}
