"""Flat tensor names of DeepMind's hub signatures, for a given PolicySpec.

DeepMind's `step` signature takes `step_type`, `observation/canvas`,
`observation/noise_sample`, `observation/action_mask/<k>`,
`observation/episode_step`, `observation/episode_length`,
`state/lstm_state/{cell,hidden}` and `state/prev_action/<k>`, and returns
`action/<k>` and `state/...`. Ours add `observation/target` (conditional),
`action/<k>` inputs (teacher forcing), and `logits/<k>` / `baseline` outputs,
and leave the batch dimension dynamic.
"""

from typing import Any, Mapping, Optional

import tensorflow as tf

from spiral_acme.networks import policy_spec

Nest = Any


def step_input_signature(spec: policy_spec.PolicySpec, lstm_size: int, *,
                         teacher_forced: bool = False,
                         ) -> dict[str, tf.TensorSpec]:
  """Named TensorSpecs of the `step` (or `teacher_forced_step`) inputs."""

  def ts(name, shape, dtype=tf.float32):
    return tf.TensorSpec([None, *shape], dtype, name=name)

  canvas = list(spec.canvas_shape)
  specs = {"step_type": ts("step_type", [], tf.int32),
           "observation/canvas": ts("observation/canvas", canvas),
           "observation/noise_sample": ts("observation/noise_sample",
                                          [spec.noise_dim]),
           "observation/episode_step": ts("observation/episode_step", [],
                                          tf.int32),
           "observation/episode_length": ts("observation/episode_length", [],
                                            tf.int32)}
  if spec.conditional:
    specs["observation/target"] = ts("observation/target", canvas)
  for part in ("cell", "hidden"):
    name = f"state/lstm_state/{part}"
    specs[name] = ts(name, [lstm_size])
  for a in spec.actions:
    for name, dtype in ((f"observation/action_mask/{a.key}", tf.float32),
                        (f"state/prev_action/{a.key}", tf.int32)):
      specs[name] = ts(name, [], dtype)
    if teacher_forced:
      specs[f"action/{a.key}"] = ts(f"action/{a.key}", [], tf.int32)
  return specs


def flatten_state(state: Nest) -> dict[str, Any]:
  flat = {f"state/lstm_state/{k}": v for k, v in state["lstm_state"].items()}
  flat.update({f"state/prev_action/{k}": v
               for k, v in state["prev_action"].items()})
  return flat


def unflatten_state(flat: Mapping[str, Any],
                    spec: policy_spec.PolicySpec) -> Nest:
  return {"lstm_state": {k: flat[f"state/lstm_state/{k}"]
                         for k in ("cell", "hidden")},
          "prev_action": {a.key: flat[f"state/prev_action/{a.key}"]
                          for a in spec.actions}}


def flatten_step_inputs(spec: policy_spec.PolicySpec, step_type: Any,
                        observation: Mapping[str, Any], state: Nest,
                        actions: Optional[Mapping[str, Any]] = None,
                        ) -> dict[str, Any]:
  """Nested step arguments -> signature inputs (episode counters default 0)."""
  flat = {"step_type": step_type,
          "observation/canvas": observation["canvas"],
          "observation/noise_sample": observation["noise_sample"]}
  zeros = tf.zeros_like(tf.convert_to_tensor(step_type, tf.int32))
  for key in ("episode_step", "episode_length"):
    flat[f"observation/{key}"] = observation.get(key, zeros)
  if spec.conditional:
    flat["observation/target"] = observation["target"]
  for a in spec.actions:
    flat[f"observation/action_mask/{a.key}"] = (
        observation["action_mask"][a.key])
    if actions is not None:
      flat[f"action/{a.key}"] = actions[a.key]
  flat.update(flatten_state(state))
  return flat


def unflatten_step_inputs(flat: Mapping[str, Any],
                          spec: policy_spec.PolicySpec) -> tuple[Nest, ...]:
  """Signature inputs -> (step_type, observation, state, actions or None)."""
  observation = {"canvas": flat["observation/canvas"],
                 "noise_sample": flat["observation/noise_sample"],
                 "action_mask": {a.key: flat[f"observation/action_mask/{a.key}"]
                                 for a in spec.actions}}
  if spec.conditional:
    observation["target"] = flat["observation/target"]
  actions = None
  if f"action/{spec.actions[0].key}" in flat:
    actions = {a.key: flat[f"action/{a.key}"] for a in spec.actions}
  return (flat["step_type"], observation, unflatten_state(flat, spec),
          actions)


def flatten_step_outputs(actions: Mapping[str, Any], state: Nest,
                         extras: Nest) -> dict[str, Any]:
  flat = {f"action/{k}": v for k, v in actions.items()}
  flat.update(flatten_state(state))
  flat.update({f"logits/{k}": v for k, v in extras["logits"].items()})
  flat["baseline"] = extras["baseline"]
  return flat


def unflatten_step_outputs(flat: Mapping[str, Any],
                           spec: policy_spec.PolicySpec) -> tuple[Nest, ...]:
  """Signature outputs -> (actions, new_state, extras), keys in spec order."""
  actions = {a.key: flat[f"action/{a.key}"] for a in spec.actions}
  extras = {"logits": {a.key: flat[f"logits/{a.key}"]
                       for a in spec.head_order},
            "baseline": flat["baseline"]}
  return actions, unflatten_state(flat, spec), extras
