"""DeepMind checkpoint names of a SpiralPolicy's variables, and weight copy.

Our modules carry DeepMind's sub-module names where they can; the rest is
this table: per-key torso embeddings are `torso/linear`, `linear_1`, ... in
action-spec order, the two conditioning MLPs are `mlp` / `mlp_1`, the torso
output is the next `linear_<n>`, the baseline is `head/linear`, and our LSTM
splits DeepMind's `w_gates` [input + hidden, 4H] into its two row blocks.
"""

from typing import Mapping, Optional

import numpy as np
import tensorflow as tf

from spiral_acme.networks import policy as policy_lib

# (variable, first row, last row) of a DeepMind tensor; rows None = whole.
Slot = tuple[tf.Variable, Optional[int], Optional[int]]


def _relative_name(policy: policy_lib.SpiralPolicy, v: tf.Variable) -> str:
  name = v.name[:-2] if v.name.endswith(":0") else v.name
  prefix = policy.name + "/"
  if not name.startswith(prefix):
    raise ValueError(f"Variable {v.name!r} is not under {prefix!r}.")
  return name[len(prefix):]


def deepmind_slots(policy: policy_lib.SpiralPolicy) -> dict[str, list[Slot]]:
  """Maps each DeepMind checkpoint name to the variable slots it fills."""
  env_keys = [a.key for a in policy.spec.actions]
  torso_names = {"action_mlp": "mlp", "noise_mlp": "mlp_1",
                 "output": f"linear_{len(env_keys)}"}
  for i, key in enumerate(env_keys):
    torso_names[f"{key}_embed"] = "linear" if i == 0 else f"linear_{i}"
  by_name = {_relative_name(policy, v): v for v in policy.variables}
  input_rows = by_name["lstm/w_input"].shape[0]
  slots: dict[str, list[Slot]] = {}
  for name, v in by_name.items():
    first, _, rest = name.partition("/")
    rows = (None, None)
    if first == "torso":
      sub, _, leaf = rest.partition("/")
      dm_name = f"default/torso/{torso_names.get(sub, sub)}/{leaf}"
    elif first == "heads":
      dm_name = f"default/head/autoregressive_heads/{rest}"
    elif first == "baseline":
      dm_name = f"default/head/linear/{rest}"
    elif name == "lstm/w_input":
      dm_name, rows = "default/lstm/w_gates", (0, input_rows)
    elif name == "lstm/w_hidden":
      dm_name, rows = "default/lstm/w_gates", (input_rows, None)
    elif name == "lstm/b_gates":
      dm_name = "default/lstm/b_gates"
    else:
      raise ValueError(f"No DeepMind name for variable {name!r}.")
    slots.setdefault(dm_name, []).append((v, *rows))
  return slots


def _expected_shape(slot_list: list[Slot]) -> tuple[int, ...]:
  if len(slot_list) == 1 and slot_list[0][1] is None:
    return tuple(slot_list[0][0].shape)
  first = slot_list[0][0].shape
  rows = sum(v.shape[0] for v, _, _ in slot_list)
  return (rows, *first[1:])


def assign_deepmind_weights(policy: policy_lib.SpiralPolicy,
                            values: Mapping[str, np.ndarray], *,
                            source: str = "checkpoint") -> None:
  """Copies DeepMind-named arrays into `policy` after checking all of them.

  Raises:
    ValueError: listing every missing, unexpected and misshaped variable.
  """
  slots = deepmind_slots(policy)
  missing = sorted(set(slots) - set(values))
  unexpected = sorted(set(values) - set(slots))
  misshaped = sorted(
      f"{n} {list(np.shape(values[n]))} (expected "
      f"{list(_expected_shape(slots[n]))})"
      for n in set(slots) & set(values)
      if tuple(np.shape(values[n])) != _expected_shape(slots[n]))
  if missing or unexpected or misshaped:
    lines = [f"{source} does not fit the SPIRAL policy "
             f"(spec {policy.spec.num_values}, canvas "
             f"{list(policy.spec.canvas_shape)}):"]
    for title, items in (("missing", missing), ("unexpected", unexpected),
                         ("misshaped", misshaped)):
      if items:
        lines.append(f"  {len(items)} {title}: " + ", ".join(items))
    raise ValueError("\n".join(lines))
  for name, slot_list in slots.items():
    value = np.asarray(values[name], np.float32)
    for variable, start, stop in slot_list:
      variable.assign(value if start is None else value[start:stop])


def deepmind_weights(policy: policy_lib.SpiralPolicy) -> dict[str, np.ndarray]:
  """The policy's weights under DeepMind's names (inverse of assignment)."""
  out = {}
  for name, slot_list in deepmind_slots(policy).items():
    parts = sorted(slot_list, key=lambda s: s[1] or 0)
    out[name] = np.concatenate([v.numpy() for v, _, _ in parts], axis=0) \
        if len(parts) > 1 else parts[0][0].numpy()
  return out
