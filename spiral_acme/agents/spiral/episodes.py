"""The layout of one episode in replay, shared by the adder and the learner.

Canvases are stored as uint8: the environment renders into an 8-bit surface,
so `canvas == uint8 / 255` exactly and storing bytes loses nothing while
taking a quarter of the memory of float32.

Episode item (T actions, T + 1 observations):

    observation: {canvas: u8[T+1, W, W, C], action_mask: {k: f32[T+1]},
                  alternatives: {k: u8[T+1, n_k, W, W, C]}}  (if the
                  environment renders them, e.g. MuJoCo scenes)
    action:      {k: i32[T]}
    extras:      {logits: {k: f32[T, n_k]}}
    episode:     {noise_sample: f32[D], initial_state: ..., target: f32[W,W,C]}

Canvas item (the final canvas, for the discriminator):

    observation: {canvas: u8[W, W, C]}
    episode:     {target: f32[W, W, C]}   (conditional runs only)
"""

from typing import Any, Mapping, NamedTuple, Optional

import dm_env
import numpy as np
import tensorflow as tf

Nest = Any


def encode_observation(observation: Mapping[str, Any]) -> Mapping[str, Any]:
  """Keeps what the learner needs, with the canvas as exact uint8."""
  encoded = {
      "canvas": _to_bytes(observation["canvas"]),
      "action_mask": dict(observation["action_mask"]),
  }
  if "alternatives" in observation:
    encoded["alternatives"] = {k: _to_bytes(v) for k, v in
                               observation["alternatives"].items()}
  return encoded


def _to_bytes(canvas: Any) -> np.ndarray:
  return np.rint(np.asarray(canvas) * 255.0).astype(np.uint8)


def decode_canvas(canvas: tf.Tensor) -> tf.Tensor:
  return tf.cast(canvas, tf.float32) / 255.0


def _spec(shape, dtype) -> tf.TensorSpec:
  return tf.TensorSpec(shape=tuple(shape), dtype=dtype)


def episode_signature(observation_spec: Mapping[str, Any],
                      action_spec: Mapping[str, dm_env.specs.DiscreteArray],
                      *, num_actions: int, noise_dim: int,
                      initial_state: Nest, conditional: bool) -> Nest:
  """The Reverb signature of an episode item.

  Args:
    observation_spec: the environment's observation spec.
    action_spec: the environment's action spec.
    num_actions: actions per episode (episode_length - 1 for LibMyPaint).
    noise_dim: size of the noise sample.
    initial_state: the policy's initial state for batch size 1 (its shapes
      without the batch dimension form the signature).
    conditional: whether a target image is stored.
  """
  canvas = observation_spec["canvas"]
  steps = num_actions + 1
  episode = {
      "noise_sample": _spec([noise_dim], tf.float32),
      "initial_state": tf.nest.map_structure(
          lambda x: _spec(x.shape[1:], x.dtype), initial_state),
  }
  if conditional:
    episode["target"] = _spec(canvas.shape, tf.float32)
  observation = {
      "canvas": _spec((steps,) + canvas.shape, tf.uint8),
      "action_mask": {k: _spec([steps], tf.float32)
                      for k in observation_spec["action_mask"]},
  }
  if "alternatives" in observation_spec:
    observation["alternatives"] = {
        k: _spec((steps,) + tuple(s.shape), tf.uint8)
        for k, s in observation_spec["alternatives"].items()}
  return {
      "observation": observation,
      "action": {k: _spec([num_actions], tf.int32) for k in action_spec},
      "extras": {"logits": {k: _spec([num_actions, s.num_values], tf.float32)
                            for k, s in action_spec.items()}},
      "episode": episode,
  }


def canvas_signature(observation_spec: Mapping[str, Any], *,
                     conditional: bool) -> Nest:
  canvas = observation_spec["canvas"]
  episode = {"target": _spec(canvas.shape, tf.float32)} if conditional else {}
  return {"observation": {"canvas": _spec(canvas.shape, tf.uint8)},
          "episode": episode}


class EpisodeBatch(NamedTuple):
  """A time-major batch of B episodes with T actions each."""
  canvases: tf.Tensor  # f32[T+1, B, W, W, C]
  action_masks: Mapping[str, tf.Tensor]  # {k: f32[T+1, B]}
  actions: Mapping[str, tf.Tensor]  # {k: i32[T, B]}
  behaviour_logits: Mapping[str, tf.Tensor]  # {k: f32[T, B, n_k]}
  noise_sample: tf.Tensor  # f32[B, D]
  initial_state: Nest  # [B, ...]
  target: Optional[tf.Tensor]  # f32[B, W, W, C] or None
  # {k: f32[T+1, B, n_k, W, W, C]}: every value of k rendered ({} if none).
  alternatives: Mapping[str, tf.Tensor] = {}


def _time_major(x: tf.Tensor) -> tf.Tensor:
  perm = [1, 0] + list(range(2, x.shape.rank))
  return tf.transpose(x, perm)


def decode_batch(data: Nest) -> EpisodeBatch:
  """Turns a batch-major batch of episode items into an `EpisodeBatch`."""
  observation = data["observation"]
  episode = data["episode"]
  return EpisodeBatch(
      canvases=decode_canvas(_time_major(observation["canvas"])),
      action_masks={k: _time_major(v)
                    for k, v in observation["action_mask"].items()},
      actions={k: _time_major(v) for k, v in data["action"].items()},
      behaviour_logits={k: _time_major(v)
                        for k, v in data["extras"]["logits"].items()},
      noise_sample=episode["noise_sample"],
      initial_state=episode["initial_state"],
      target=episode.get("target"),
      alternatives={k: decode_canvas(_time_major(v)) for k, v in
                    observation.get("alternatives", {}).items()})
