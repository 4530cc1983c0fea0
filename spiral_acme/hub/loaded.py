"""LoadedPolicy: one painting API over our SavedModels and DeepMind modules.

It mirrors SpiralPolicy's `initial_state(batch_size)` and
`step(step_type, observation, state, actions=None)` (nested inputs and
outputs, any batch size) and carries what a sampler needs to rebuild the
environment: `env_config`, `spec` and `network_config`.
"""

from typing import Any, Callable, Mapping, Optional

import tensorflow as tf

from spiral_acme.hub import signatures
from spiral_acme.networks import config as config_lib
from spiral_acme.networks import policy as policy_lib
from spiral_acme.networks import policy_spec

Nest = Any


class LoadedPolicy:
  """A policy read from disk (see `spiral_acme.hub.load_policy`)."""

  def __init__(self, *, spec: policy_spec.PolicySpec,
               network_config: config_lib.PolicyNetworkConfig,
               env_config: Optional[dict[str, Any]], source: str, kind: str,
               initial_state_fn: Callable[[int], Nest],
               step_fn: Callable[..., tuple[Nest, Nest, Nest]],
               reseed_fn: Callable[[int], None]):
    self._spec = spec
    self._network_config = network_config
    self._env_config = env_config
    self._source = source
    self._kind = kind
    self._initial_state_fn = initial_state_fn
    self._step_fn = step_fn
    self._reseed_fn = reseed_fn

  @classmethod
  def from_policy(cls, policy: policy_lib.SpiralPolicy, *, source: str,
                  kind: str, env_config: Optional[dict[str, Any]],
                  ) -> "LoadedPolicy":
    """Wraps an in-memory policy (e.g. read from a DeepMind module)."""
    return cls(spec=policy.spec, network_config=policy.config,
               env_config=env_config, source=source, kind=kind,
               initial_state_fn=policy.initial_state,
               step_fn=policy.compiled_step, reseed_fn=policy.reseed)

  @classmethod
  def from_saved_model(cls, loaded: Any, *, spec: policy_spec.PolicySpec,
                       network_config: config_lib.PolicyNetworkConfig,
                       env_config: Optional[dict[str, Any]], source: str,
                       ) -> "LoadedPolicy":
    """Wraps the signatures of a SavedModel written by `export_policy`."""
    initial = loaded.signatures["initial_state"]
    sampled = loaded.signatures["step"]
    forced = loaded.signatures["teacher_forced_step"]
    reseed = loaded.signatures["reseed"]
    input_specs = signatures.step_input_signature(
        spec, network_config.lstm_size, teacher_forced=True)

    def initial_state(batch_size: int) -> Nest:
      flat = initial(batch_size=tf.constant(batch_size, tf.int32))
      return signatures.unflatten_state(flat, spec)

    def step(step_type, observation, state, actions=None):
      flat = signatures.flatten_step_inputs(spec, step_type, observation,
                                            state, actions)
      flat = {k: tf.convert_to_tensor(v, input_specs[k].dtype)
              for k, v in flat.items()}
      outputs = (sampled if actions is None else forced)(**flat)
      return signatures.unflatten_step_outputs(outputs, spec)

    policy = cls(spec=spec, network_config=network_config,
                 env_config=env_config, source=source, kind="saved_model",
                 initial_state_fn=initial_state, step_fn=step,
                 reseed_fn=lambda seed: reseed(
                     seed=tf.constant(seed, tf.int64)))
    policy._loaded = loaded  # Keeps the restored variables alive.
    return policy

  @property
  def spec(self) -> policy_spec.PolicySpec:
    return self._spec

  @property
  def network_config(self) -> config_lib.PolicyNetworkConfig:
    return self._network_config

  @property
  def env_config(self) -> Optional[dict[str, Any]]:
    """The environment configuration saved with the policy (a dict)."""
    return self._env_config

  @property
  def source(self) -> str:
    return self._source

  @property
  def kind(self) -> str:
    """"saved_model" or "deepmind_hub"."""
    return self._kind

  def initial_state(self, batch_size: int) -> Nest:
    return self._initial_state_fn(batch_size)

  def reseed(self, seed: int) -> None:
    """Restarts the random stream that samples actions."""
    self._reseed_fn(seed)

  def step(self, step_type: Any, observation: Mapping[str, Any], state: Nest,
           actions: Optional[Mapping[str, Any]] = None,
           ) -> tuple[Nest, Nest, Nest]:
    """(actions, new_state, extras) like SpiralPolicy.step."""
    self._spec.check_observation(observation, batch_dims=1)
    return self._step_fn(step_type, observation, state, actions)

