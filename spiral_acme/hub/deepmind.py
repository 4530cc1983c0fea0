"""Reads DeepMind's TF1 Hub SPIRAL modules into a `SpiralPolicy`.

TF2 cannot `hub.load` TF1 modules, so we read the variable checkpoint
(`variables/variables`), infer the action spec and network widths from the
variable shapes (the canvas shape from `saved_model.pb`'s `step` signature),
build a `SpiralPolicy` and copy every weight by its DeepMind name.
"""

import math
import pathlib
from typing import Any, Optional, Union

from dm_env import specs
import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2

from spiral_acme.hub import names
from spiral_acme.networks import config as config_lib
from spiral_acme.networks import policy as policy_lib
from spiral_acme.networks import policy_spec

PathLike = Union[str, pathlib.Path]
MODULE_FILES = ("tfhub_module.pb", "saved_model.pb",
                "variables/variables.index")
_TORSO = "default/torso/"
_HEADS = "default/head/autoregressive_heads/"
# The environment of DeepMind's published LibMyPaint agents. They were
# trained with DeepMind's (y, y) move defect, so painting with them should
# reproduce it (`LibMyPaintConfig.legacy_move_bug`).
HUB_ENV_CONFIG = {
    "episode_length": 20, "canvas_width": 64, "grid_width": 32,
    "brush_type": "classic/dry_brush", "brush_sizes": [1, 2, 4, 8, 12, 24],
    "use_color": True, "use_pressure": True, "use_alpha": False,
    "background": "white", "discount": 1.0, "legacy_move_bug": True}
_HUB_NUM_VALUES = {"control": 1024, "end": 1024, "flag": 2, "pressure": 10,
                   "size": 6, "red": 20, "green": 20, "blue": 20}
# LibMyPaint's and FluidPaint's action-spec orders, merged.
_ENV_ORDER = ("control", "end", "flag", "pressure", "speed", "size", "red",
              "green", "blue", "alpha")


def check_module_dir(path: PathLike) -> pathlib.Path:
  """Returns `path` if it holds a TF1 Hub module, else raises naming it."""
  path = pathlib.Path(path)
  if not path.is_dir():
    raise FileNotFoundError(
        f"No DeepMind hub module at {str(path)!r}: the directory does not "
        f"exist. Expected a directory holding {list(MODULE_FILES)}.")
  missing = [f for f in MODULE_FILES if not (path / f).is_file()]
  if missing:
    raise FileNotFoundError(
        f"{str(path)!r} is not a TF1 Hub module: it lacks {missing} "
        f"(expected {list(MODULE_FILES)}).")
  return path


def hub_env_config(spec: policy_spec.PolicySpec) -> Optional[dict[str, Any]]:
  """HUB_ENV_CONFIG if `spec` is the hub agents' spec, else None (unknown)."""
  if spec.num_values == _HUB_NUM_VALUES and spec.canvas_shape == (64, 64, 3):
    return dict(HUB_ENV_CONFIG)
  return None


def _count(shapes: dict[str, list[int]], prefix: str) -> int:
  return sum(1 for n in shapes if n.startswith(prefix) and n.endswith("/w"))


def _infer(shapes: dict[str, list[int]], canvas_shape: list[int]) -> tuple[
    dict[str, specs.DiscreteArray], config_lib.PolicyNetworkConfig]:
  """Action spec and network config implied by the checkpoint's shapes.

  Missing variables fall back to DeepMind's defaults; the full comparison
  after building the policy reports them.
  """
  default = config_lib.PolicyNetworkConfig()

  def dim(name: str, axis: int, fallback: int) -> int:
    return shapes[name][axis] if name in shapes else fallback

  lstm_size = dim("default/lstm/b_gates", 0, 4 * default.lstm_size) // 4
  keys = sorted(n[len(_HEADS):-len("_action_embed/w")] for n in shapes
                if n.startswith(_HEADS) and n.endswith("_action_embed/w"))
  keys.sort(key=lambda k: _ENV_ORDER.index(k) if k in _ENV_ORDER
            else len(_ENV_ORDER))
  decoder = None
  location_keys, num_values = [], {}
  for key in keys:
    head = f"{_HEADS}{key}_action_"
    if f"{head}decoder/final/w" in shapes:
      decoder = f"{head}decoder/"
      base = math.isqrt(lstm_size // dim(decoder + "pre_stack/w", 2, 16))
      grid = base * 2 ** _count(shapes, decoder + "strided_transpose_")
      location_keys.append(key)
      num_values[key] = grid * grid
    else:
      num_values[key] = dim(f"{head}head/w", 1, 2)
  action_spec = {k: specs.DiscreteArray(num_values[k], name=k) for k in keys}

  num_strided = _count(shapes, _TORSO + "conv_encoder/strided_")
  target_width = canvas_shape[0]
  for _ in range(num_strided):
    target_width = -(-target_width // 2)

  def mlp(prefix: str, fallback: tuple[int, ...]) -> tuple[int, ...]:
    sizes = tuple(shapes[f"{prefix}linear_{i}/w"][1]
                  for i in range(_count(shapes, prefix)))
    return sizes or fallback

  first_head = f"{_HEADS}{keys[0]}_" if keys else _HEADS
  # The residual MLP's last layer goes back to lstm_size; it is not a field.
  residual_sizes = mlp(first_head + "residual_mlp/", ())[:-1]
  decoder = decoder or _HEADS + "none/"
  config = config_lib.PolicyNetworkConfig(
      torso_channels=dim(_TORSO + "conv_2d/w", 3, default.torso_channels),
      first_conv_kernel=dim(_TORSO + "conv_2d/w", 0,
                            default.first_conv_kernel),
      strided_conv_kernel=dim(_TORSO + "conv_encoder/strided_0/w", 0,
                              default.strided_conv_kernel),
      torso_target_width=target_width,
      torso_residual_blocks=_count(
          shapes, _TORSO + "conv_encoder/residual_stack/res_nxn_"),
      torso_residual_hidden=dim(
          _TORSO + "conv_encoder/residual_stack/res_nxn_0/w", 3,
          default.torso_residual_hidden),
      action_embed_size=dim(_TORSO + "linear/w", 1, default.action_embed_size),
      action_mlp_sizes=mlp(_TORSO + "mlp/", default.action_mlp_sizes),
      noise_dim=dim(_TORSO + "mlp_1/linear_0/w", 0, default.noise_dim),
      noise_mlp_sizes=mlp(_TORSO + "mlp_1/", default.noise_mlp_sizes),
      torso_output_size=dim(f"{_TORSO}linear_{len(keys)}/w", 1,
                            default.torso_output_size),
      lstm_size=lstm_size,
      head_embed_size=dim(first_head + "action_embed/w", 1,
                          default.head_embed_size),
      head_residual_mlp_sizes=(residual_sizes
                               or default.head_residual_mlp_sizes),
      decoder_base_width=math.isqrt(
          lstm_size // dim(decoder + "pre_stack/w", 2, 16)),
      decoder_channels=dim(decoder + "pre_stack/w", 3,
                           default.decoder_channels),
      decoder_residual_blocks=_count(shapes,
                                     decoder + "residual_stack/res_nxn_"),
      decoder_residual_hidden=dim(decoder + "residual_stack/res_nxn_0/w", 3,
                                  default.decoder_residual_hidden),
      decoder_kernel=dim(decoder + "final/w", 0, default.decoder_kernel),
      location_keys=tuple(location_keys))
  return action_spec, config


def read_canvas_shape(path: pathlib.Path) -> list[int]:
  """The `observation/canvas` shape (without batch) of the `step` signature."""
  saved_model = saved_model_pb2.SavedModel()
  saved_model.ParseFromString((path / "saved_model.pb").read_bytes())
  for meta_graph in saved_model.meta_graphs:
    step = meta_graph.signature_def.get("step")
    if step is not None and "observation/canvas" in step.inputs:
      dims = step.inputs["observation/canvas"].tensor_shape.dim
      return [d.size for d in dims][1:]
  raise ValueError(f"{str(path / 'saved_model.pb')!r} has no 'step' "
                   "signature with an 'observation/canvas' input.")


def read_deepmind_module(path: PathLike, *,
                         seed: Any = None) -> policy_lib.SpiralPolicy:
  """Builds a SpiralPolicy holding the weights of a DeepMind TF1 Hub module.

  Raises:
    FileNotFoundError: `path` is not a directory holding a TF1 Hub module.
    ValueError: checkpoint variables are missing, unexpected or misshaped
      (all of them are listed).
  """
  path = check_module_dir(path)
  reader = tf.train.load_checkpoint(str(path / "variables" / "variables"))
  shapes = reader.get_variable_to_shape_map()
  canvas_shape = read_canvas_shape(path)
  observation_spec = {"canvas": specs.Array(canvas_shape, np.float32,
                                            name="canvas")}
  try:
    action_spec, config = _infer(shapes, canvas_shape)
    policy = policy_lib.SpiralPolicy(action_spec, observation_spec, config,
                                     seed=seed).create_variables()
  except (ValueError, tf.errors.InvalidArgumentError) as e:
    raise ValueError(f"Cannot build a policy from the variables of "
                     f"{str(path)!r}: {e}") from e
  values = {n: reader.get_tensor(n) for n in shapes}
  names.assign_deepmind_weights(policy, values, source=str(path))
  return policy
