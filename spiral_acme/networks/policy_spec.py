"""What a policy is built for: its action keys and canvas (PolicySpec).

`PolicySpec` is read from an environment's dm_env specs, checks observations
and environments against the policy, and gives the TensorSpecs of the
policy's compiled functions. It is saved with exported policies.
"""

import dataclasses
import math
from typing import Any, Mapping, Optional

import numpy as np
import tensorflow as tf

from spiral_acme.networks import config as config_lib

# DeepMind's sampling order of the heads, with the MuJoCo scene keys
# (`location`, `shape`) after the painting locations, so a scene policy picks
# where, then what, then how big and which colour; other keys follow in spec
# order.
DEEPMIND_HEAD_ORDER = ("flag", "end", "control", "location", "shape", "size",
                       "pressure", "red", "green", "blue")


def _check_positive(name: str, value: int) -> None:
  if not isinstance(value, int) or isinstance(value, bool) or value < 1:
    raise ValueError(f"{name} must be a positive int, got {value!r}.")


@dataclasses.dataclass(frozen=True)
class ActionInfo:
  """One action key: its number of values and, for locations, grid width."""
  key: str
  num_values: int
  grid_width: Optional[int] = None

  def __post_init__(self):
    _check_positive(f"num_values of action {self.key!r}", self.num_values)
    if self.grid_width is not None and (
        self.grid_width < 2 or self.grid_width ** 2 != self.num_values):
      raise ValueError(
          f"Location action {self.key!r} has {self.num_values} values and "
          f"grid_width={self.grid_width}; expected grid_width >= 2 and "
          "num_values == grid_width**2.")

  @property
  def is_location(self) -> bool:
    return self.grid_width is not None


def _shape(x: Any) -> tuple[Optional[int], ...]:
  shape = x.shape if hasattr(x, "shape") else np.shape(x)
  return tuple(shape)


@dataclasses.dataclass(frozen=True)
class PolicySpec:
  """The action keys (in action-spec order) and canvas a policy is built for.
  """
  actions: tuple[ActionInfo, ...]
  canvas_shape: tuple[int, int, int]
  noise_dim: int
  conditional: bool = False

  def __post_init__(self):
    keys = [a.key for a in self.actions]
    if not keys or len(set(keys)) != len(keys):
      raise ValueError(f"PolicySpec needs distinct action keys, got {keys}.")
    if (len(self.canvas_shape) != 3
        or self.canvas_shape[0] != self.canvas_shape[1]
        or min(self.canvas_shape) < 1):
      raise ValueError("The canvas must be square [W, W, C], got shape "
                       f"{self.canvas_shape}.")
    _check_positive("noise_dim", self.noise_dim)

  @property
  def canvas_width(self) -> int:
    return self.canvas_shape[0]

  @property
  def num_values(self) -> dict[str, int]:
    return {a.key: a.num_values for a in self.actions}

  @property
  def head_order(self) -> tuple[ActionInfo, ...]:
    """DeepMind's order restricted to our keys, then the rest in spec order."""
    by_key = {a.key: a for a in self.actions}
    known = [by_key[k] for k in DEEPMIND_HEAD_ORDER if k in by_key]
    return tuple(known) + tuple(
        a for a in self.actions if a.key not in DEEPMIND_HEAD_ORDER)

  @classmethod
  def from_env_specs(cls, action_spec: Mapping[str, Any],
                     observation_spec: Mapping[str, Any],
                     config: config_lib.PolicyNetworkConfig, *,
                     conditional: bool = False) -> "PolicySpec":
    """Reads DiscreteArray actions and the canvas shape from dm_env specs."""
    actions = []
    for key, spec in action_spec.items():
      num_values = getattr(spec, "num_values", None)
      if num_values is None:
        raise ValueError(f"action_spec[{key!r}] must be a DiscreteArray "
                         f"(with num_values), got {spec!r}.")
      grid = None
      if key in config.location_keys:
        grid = math.isqrt(num_values)
        if grid * grid != num_values:
          raise ValueError(
              f"Location action {key!r} has {num_values} values, which is "
              "not grid_width**2 for any grid; remove it from "
              "PolicyNetworkConfig.location_keys or fix the spec.")
      actions.append(ActionInfo(key, int(num_values), grid))
    if "canvas" not in observation_spec:
      raise ValueError("observation_spec has no 'canvas'; got keys "
                       f"{sorted(observation_spec)}.")
    canvas_shape = tuple(int(d) for d in observation_spec["canvas"].shape)
    if conditional and "target" in observation_spec:
      target_shape = tuple(observation_spec["target"].shape)
      if target_shape != canvas_shape:
        raise ValueError(f"observation_spec['target'] has shape "
                         f"{target_shape}; expected the canvas shape "
                         f"{canvas_shape}.")
    return cls(tuple(actions), canvas_shape, config.noise_dim, conditional)

  def check_observation(self, observation: Mapping[str, Any],
                        batch_dims: int) -> None:
    """Raises ValueError if `observation` does not fit this policy."""
    expected = {"canvas": self.canvas_shape,
                "noise_sample": (self.noise_dim,)}
    if self.conditional:
      expected["target"] = self.canvas_shape
    for key, shape in expected.items():
      if key not in observation:
        raise ValueError(f"observation has no {key!r} (keys: "
                         f"{sorted(observation)}); this policy needs it.")
      got = _shape(observation[key])
      if len(got) != batch_dims + len(shape) or any(
          g is not None and g != s for g, s in zip(got[batch_dims:], shape)):
        raise ValueError(
            f"observation[{key!r}] has shape {list(got)}; this policy was "
            f"built for {batch_dims} batch dimension(s) followed by "
            f"{list(shape)}.")
    masks = observation.get("action_mask", {})
    missing = [a.key for a in self.actions if a.key not in masks]
    if missing:
      raise ValueError(f"observation['action_mask'] lacks keys {missing}; "
                       f"expected {[a.key for a in self.actions]}.")

  def select_observation(self, observation: Mapping[str, Any],
                         batch_dims: int) -> dict[str, Any]:
    """Checks `observation` and keeps, as tensors, what the network reads."""
    self.check_observation(observation, batch_dims)
    keys = ("canvas", "noise_sample") + (
        ("target",) if self.conditional else ())
    selected = {k: tf.convert_to_tensor(observation[k], tf.float32)
                for k in keys}
    selected["action_mask"] = {
        a.key: tf.convert_to_tensor(observation["action_mask"][a.key],
                                    tf.float32)
        for a in self.actions}
    return selected

  def zero_observation(self, batch_size: int) -> dict[str, Any]:
    """A blank observation batch (all masks on)."""
    canvas = tf.zeros([batch_size, *self.canvas_shape])
    observation = {"canvas": canvas,
                   "noise_sample": tf.zeros([batch_size, self.noise_dim]),
                   "action_mask": {a.key: tf.ones([batch_size])
                                   for a in self.actions}}
    if self.conditional:
      observation["target"] = canvas
    return observation

  def observation_signature(self, batch: list) -> dict[str, Any]:
    """TensorSpecs of `select_observation`'s output, batch dims first."""
    canvas = tf.TensorSpec(batch + list(self.canvas_shape), tf.float32)
    signature = {"canvas": canvas,
                 "noise_sample": tf.TensorSpec(batch + [self.noise_dim]),
                 "action_mask": {a.key: tf.TensorSpec(batch)
                                 for a in self.actions}}
    if self.conditional:
      signature["target"] = canvas
    return signature

  def action_signature(self, batch: list) -> dict[str, tf.TensorSpec]:
    return {a.key: tf.TensorSpec(batch, tf.int32) for a in self.actions}

  def state_signature(self, lstm_size: int) -> dict[str, Any]:
    return {"lstm_state": {"cell": tf.TensorSpec([None, lstm_size]),
                           "hidden": tf.TensorSpec([None, lstm_size])},
            "prev_action": self.action_signature([None])}

  def check_compatible(self, action_spec: Mapping[str, Any],
                       observation_spec: Mapping[str, Any]) -> None:
    """Raises ValueError naming every mismatch with an environment's specs."""
    problems = []
    env_values = {k: getattr(v, "num_values", None)
                  for k, v in action_spec.items()}
    ours = self.num_values
    for key in sorted(set(ours) - set(env_values)):
      problems.append(f"policy action {key!r} is not in the environment")
    for key in sorted(set(env_values) - set(ours)):
      problems.append(f"environment action {key!r} is not in the policy")
    for key in sorted(set(ours) & set(env_values)):
      if ours[key] != env_values[key]:
        problems.append(f"action {key!r} has {env_values[key]} values in the "
                        f"environment, {ours[key]} in the policy")
    canvas = observation_spec.get("canvas")
    env_canvas = None if canvas is None else tuple(canvas.shape)
    if env_canvas != self.canvas_shape:
      problems.append(f"environment canvas shape {env_canvas}, policy built "
                      f"for {self.canvas_shape}")
    if problems:
      raise ValueError("Policy and environment do not match: "
                       + "; ".join(problems) + ".")

  def to_dict(self) -> dict[str, Any]:
    return {"actions": [dataclasses.asdict(a) for a in self.actions],
            "canvas_shape": list(self.canvas_shape),
            "noise_dim": self.noise_dim, "conditional": self.conditional}

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "PolicySpec":
    return cls(tuple(ActionInfo(**a) for a in values["actions"]),
               tuple(values["canvas_shape"]), int(values["noise_dim"]),
               bool(values["conditional"]))
