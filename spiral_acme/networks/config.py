"""What a SPIRAL policy network is: its widths and depths, and its specs.

`PolicyNetworkConfig` defaults are DeepMind's "default" agent (the published
hub modules, 1,613,329 parameters for the hub action spec); `small()` is a
narrow variant for CPU-only training, where the learner is the bottleneck.
`PolicySpec` is what a policy was built for (action keys, canvas) and checks
inputs and environments against it. No TensorFlow here.
"""

import dataclasses
import math
from typing import Any, Mapping, Optional

import numpy as np

# DeepMind's sampling order of the heads; other keys follow in spec order.
DEEPMIND_HEAD_ORDER = ("flag", "end", "control", "size", "pressure", "red",
                       "green", "blue")


def _check_positive(name: str, value: int) -> None:
  if not isinstance(value, int) or isinstance(value, bool) or value < 1:
    raise ValueError(f"PolicyNetworkConfig.{name} must be a positive int, "
                     f"got {value!r}.")


def _check_sizes(name: str, sizes: tuple[int, ...]) -> None:
  if not isinstance(sizes, tuple) or not sizes:
    raise ValueError(f"PolicyNetworkConfig.{name} must be a non-empty tuple "
                     f"of positive ints, got {sizes!r}.")
  for size in sizes:
    _check_positive(name, size)


@dataclasses.dataclass(frozen=True)
class PolicyNetworkConfig:
  """Every width and depth of the policy network.

  Torso: canvas (+ target) + coordinate planes -> `first_conv_kernel` conv
  with `torso_channels`; previous actions embedded (`action_embed_size` each,
  masked) -> MLP `action_mlp_sizes`; noise -> MLP `noise_mlp_sizes`; the sum
  of both MLPs is added to every pixel; stride-2 convs until the feature map
  is at most `torso_target_width` wide; residual stack; linear
  `torso_output_size`. Core: LSTM `lstm_size`. Heads: per action key a head,
  an embedding of the chosen action (`head_embed_size`) and a residual MLP
  (`head_residual_mlp_sizes` then back to `lstm_size`). Location keys decode
  the LSTM output reshaped to `decoder_base_width`² cells into the grid.
  """

  # Torso.
  torso_channels: int = 32
  first_conv_kernel: int = 5
  strided_conv_kernel: int = 4
  torso_target_width: int = 8
  torso_residual_blocks: int = 8
  torso_residual_hidden: int = 32
  action_embed_size: int = 16
  action_mlp_sizes: tuple[int, ...] = (64, 32, 32)
  noise_dim: int = 10
  noise_mlp_sizes: tuple[int, ...] = (64, 32, 32)
  torso_output_size: int = 256
  # Core.
  lstm_size: int = 256
  lstm_forget_bias: float = 1.0
  # Autoregressive heads.
  head_embed_size: int = 16
  head_residual_mlp_sizes: tuple[int, ...] = (16, 32)
  decoder_base_width: int = 4
  decoder_channels: int = 32
  decoder_residual_blocks: int = 8
  decoder_residual_hidden: int = 32
  decoder_kernel: int = 3
  # Action keys whose values index a square grid (decoded spatially).
  location_keys: tuple[str, ...] = ("control", "end")

  def __post_init__(self):
    for name in ("torso_channels", "first_conv_kernel", "strided_conv_kernel",
                 "torso_target_width", "torso_residual_hidden",
                 "action_embed_size", "noise_dim", "torso_output_size",
                 "lstm_size", "head_embed_size", "decoder_base_width",
                 "decoder_channels", "decoder_residual_hidden",
                 "decoder_kernel"):
      _check_positive(name, getattr(self, name))
    for name in ("torso_residual_blocks", "decoder_residual_blocks"):
      value = getattr(self, name)
      if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"PolicyNetworkConfig.{name} must be an int >= 0, "
                         f"got {value!r}.")
    for name in ("action_mlp_sizes", "noise_mlp_sizes",
                 "head_residual_mlp_sizes"):
      _check_sizes(name, getattr(self, name))
    # Both conditioning MLPs are added to the first conv's feature map.
    for name in ("action_mlp_sizes", "noise_mlp_sizes"):
      if getattr(self, name)[-1] != self.torso_channels:
        raise ValueError(
            f"PolicyNetworkConfig.{name} must end with torso_channels="
            f"{self.torso_channels} (it is added to every pixel of the first "
            f"conv), got {getattr(self, name)!r}.")
    cells = self.decoder_base_width ** 2
    if self.lstm_size % cells:
      raise ValueError(
          f"PolicyNetworkConfig.lstm_size={self.lstm_size} must be divisible "
          f"by decoder_base_width**2={cells}: location heads reshape the LSTM "
          "output to [base, base, lstm_size / base**2].")
    if not isinstance(self.lstm_forget_bias, (int, float)):
      raise ValueError("PolicyNetworkConfig.lstm_forget_bias must be a "
                       f"number, got {self.lstm_forget_bias!r}.")
    if (not isinstance(self.location_keys, tuple)
        or not all(isinstance(k, str) for k in self.location_keys)):
      raise ValueError("PolicyNetworkConfig.location_keys must be a tuple of "
                       f"str, got {self.location_keys!r}.")

  @classmethod
  def small(cls, **overrides: Any) -> "PolicyNetworkConfig":
    """A narrow network (~15x fewer FLOPs) for CPU-only training and tests."""
    fields = dict(
        torso_channels=16, torso_residual_blocks=2, torso_residual_hidden=16,
        action_embed_size=8, action_mlp_sizes=(32, 16),
        noise_mlp_sizes=(32, 16), torso_output_size=128, lstm_size=128,
        head_embed_size=8, head_residual_mlp_sizes=(16,),
        decoder_channels=16, decoder_residual_blocks=1,
        decoder_residual_hidden=16)
    fields.update(overrides)
    return cls(**fields)

  def to_dict(self) -> dict[str, Any]:
    """A JSON-friendly dict (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(self).items()}

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "PolicyNetworkConfig":
    """Inverse of `to_dict`; unknown keys are an error."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
      raise ValueError(f"Unknown PolicyNetworkConfig fields {unknown}; "
                       f"expected a subset of {sorted(known)}.")
    return cls(**{k: tuple(v) if isinstance(v, list) else v
                  for k, v in values.items()})


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
                     config: PolicyNetworkConfig, *,
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
