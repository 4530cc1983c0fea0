"""Exports a SpiralPolicy as a TF2 SavedModel, and opens policies to paint.

    hub.export_policy(policy, "out/policy", env.config)
    loaded = hub.load_policy("out/policy")   # or a DeepMind TF1 module dir
    state = loaded.initial_state(batch_size)
    actions, state, extras = loaded.step(step_type, observation, state)

The SavedModel has signatures with DeepMind's tensor names and a dynamic
batch: `initial_state` (input: int32 scalar `batch_size`; DeepMind's takes
none and has batch 1), `step` (samples), `teacher_forced_step` (also takes
`action/<k>`) and `reseed` (int64 scalar `seed`: restarts the sampling
stream, which is otherwise restored as saved). Assets: `env_config.json`
(the environment to rebuild) and `spiral_policy.json` (action/canvas spec
and network config).
"""

import contextlib
import dataclasses
import json
import pathlib
import tempfile
from typing import Any, Mapping, Optional, Union

from absl import logging
import tensorflow as tf

from spiral_acme.hub import deepmind
from spiral_acme.hub import loaded as loaded_lib
from spiral_acme.hub import signatures
from spiral_acme.networks import config as config_lib
from spiral_acme.networks import policy as policy_lib
from spiral_acme.networks import policy_spec

PathLike = Union[str, pathlib.Path]
ENV_CONFIG_ASSET = "env_config.json"
POLICY_ASSET = "spiral_policy.json"
FORMAT = "spiral_acme.policy.v1"


@contextlib.contextmanager
def _quiet_name_sanitizing():
  """Hides TF's warnings that signature names like `state/x` get renamed.

  The signature keys keep DeepMind's names; only the Python keyword names of
  the restored functions are sanitised (`state_x`).
  """
  verbosity = logging.get_verbosity()
  logging.set_verbosity(logging.ERROR)
  try:
    yield
  finally:
    logging.set_verbosity(verbosity)


def _env_config_dict(env_config: Any) -> Optional[dict[str, Any]]:
  if env_config is None or isinstance(env_config, Mapping):
    values = None if env_config is None else dict(env_config)
  elif hasattr(env_config, "to_dict"):
    values = env_config.to_dict()
  elif dataclasses.is_dataclass(env_config):
    values = dataclasses.asdict(env_config)
  else:
    raise ValueError(f"env_config must be a mapping, an object with "
                     f"to_dict() or None; got {type(env_config).__name__}.")
  try:
    json.dumps(values)
  except TypeError as e:
    raise ValueError(f"env_config is not JSON-serialisable: {e}") from e
  return values


class _Exported(tf.Module):
  """What the SavedModel holds: the policy, its signatures and assets."""

  def __init__(self, policy: policy_lib.SpiralPolicy, asset_dir: str):
    super().__init__(name="spiral_policy_export")
    self.policy = policy
    self.env_config = tf.saved_model.Asset(f"{asset_dir}/{ENV_CONFIG_ASSET}")
    self.policy_info = tf.saved_model.Asset(f"{asset_dir}/{POLICY_ASSET}")
    spec, size = policy.spec, policy.config.lstm_size
    self.initial_state = tf.function(
        lambda batch_size: signatures.flatten_state(
            policy.initial_state(batch_size)),
        input_signature=[tf.TensorSpec([], tf.int32, name="batch_size")])
    self.step = tf.function(
        self._step, input_signature=[signatures.step_input_signature(
            spec, size)])
    self.teacher_forced_step = tf.function(
        self._step, input_signature=[signatures.step_input_signature(
            spec, size, teacher_forced=True)])

    self.reseed = tf.function(
        self._reseed,
        input_signature=[tf.TensorSpec([], tf.int64, name="seed")])

  def _reseed(self, seed):
    self.policy.reseed(seed)
    return {"seed": seed}

  def _step(self, inputs):
    outputs = self.policy.step(
        *signatures.unflatten_step_inputs(inputs, self.policy.spec))
    return signatures.flatten_step_outputs(*outputs)


def export_policy(policy: policy_lib.SpiralPolicy, path: PathLike,
                  env_config: Any) -> pathlib.Path:
  """Writes `policy` as a TF2 SavedModel at `path` (see module docstring).

  Args:
    policy: the policy to export; its variables are created if needed.
    path: output directory (overwritten).
    env_config: the environment configuration (a mapping, an object with
      `to_dict()` such as `LibMyPaintConfig`, or None); saved as JSON.
  """
  if not isinstance(policy, policy_lib.SpiralPolicy):
    raise ValueError("export_policy expects a SpiralPolicy, got "
                     f"{type(policy).__name__}.")
  values = _env_config_dict(env_config)
  if not policy.variables:
    policy.create_variables()
  path = pathlib.Path(path)
  with tempfile.TemporaryDirectory() as asset_dir:
    (pathlib.Path(asset_dir) / ENV_CONFIG_ASSET).write_text(
        json.dumps(values, indent=2, sort_keys=True))
    (pathlib.Path(asset_dir) / POLICY_ASSET).write_text(json.dumps(
        {"format": FORMAT, "spec": policy.spec.to_dict(),
         "network_config": policy.config.to_dict()}, indent=2))
    module = _Exported(policy, asset_dir)
    with _quiet_name_sanitizing():
      tf.saved_model.save(module, str(path), signatures={
          "initial_state": module.initial_state.get_concrete_function(),
          "step": module.step.get_concrete_function(),
          "teacher_forced_step":
              module.teacher_forced_step.get_concrete_function(),
          "reseed": module.reseed.get_concrete_function()})
  return path


POLICY_EXPECTED = (
    "a directory holding either a SavedModel written by export_policy "
    f"(saved_model.pb and assets/{POLICY_ASSET}) or a DeepMind TF1 Hub "
    f"module ({', '.join(deepmind.MODULE_FILES)})")


def policy_kind(path: PathLike) -> Optional[str]:
  """"deepmind_hub", "saved_model" or None: what the directory `path` holds.

  Looks at file names only (nothing is read), so callers can check a path
  before loading anything.
  """
  path = pathlib.Path(path)
  if (path / "tfhub_module.pb").is_file():
    return "deepmind_hub"
  if ((path / "saved_model.pb").is_file() and
      (path / "assets" / POLICY_ASSET).is_file()):
    return "saved_model"
  return None


def load_policy(path: PathLike) -> loaded_lib.LoadedPolicy:
  """Opens one of our SavedModels or a DeepMind TF1 Hub module directory.

  Raises:
    FileNotFoundError: `path` does not exist or holds neither, naming the
      files expected.
    NotADirectoryError: `path` is a file.
  """
  path = pathlib.Path(path)
  if not path.exists():
    raise FileNotFoundError(f"No policy at {str(path)!r}: it does not "
                            f"exist. Expected {POLICY_EXPECTED}.")
  if not path.is_dir():
    raise NotADirectoryError(f"{str(path)!r} is a file; expected "
                             f"{POLICY_EXPECTED}.")
  kind = policy_kind(path)
  if kind == "deepmind_hub":
    policy = deepmind.read_deepmind_module(path)
    return loaded_lib.LoadedPolicy.from_policy(
        policy, source=str(path), kind="deepmind_hub",
        env_config=deepmind.hub_env_config(policy.spec))
  if kind is None:
    raise FileNotFoundError(f"{str(path)!r} is not a policy: expected "
                            f"{POLICY_EXPECTED}.")
  info_path = path / "assets" / POLICY_ASSET
  info = json.loads(info_path.read_text())
  if info.get("format") != FORMAT:
    raise ValueError(f"{str(info_path)!r} has format {info.get('format')!r};"
                     f" this version reads {FORMAT!r}.")
  env_config = json.loads((path / "assets" / ENV_CONFIG_ASSET).read_text())
  with _quiet_name_sanitizing():
    loaded = tf.saved_model.load(str(path))
  return loaded_lib.LoadedPolicy.from_saved_model(
      loaded,
      spec=policy_spec.PolicySpec.from_dict(info["spec"]),
      network_config=config_lib.PolicyNetworkConfig.from_dict(
          info["network_config"]),
      env_config=env_config, source=str(path))


def check_compatible(policy: Any, action_spec: Mapping[str, Any],
                     observation_spec: Mapping[str, Any]) -> None:
  """Raises ValueError naming every mismatch of a policy and environment.

  `policy` is a SpiralPolicy or a LoadedPolicy (anything with `.spec`).
  """
  spec = getattr(policy, "spec", None)
  if not isinstance(spec, policy_spec.PolicySpec):
    raise ValueError("check_compatible expects a SpiralPolicy or "
                     f"LoadedPolicy, got {type(policy).__name__}.")
  spec.check_compatible(action_spec, observation_spec)
