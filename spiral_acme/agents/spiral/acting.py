"""The batched SPIRAL actor: one policy call per step for K environments.

It drives a `BatchedEnvironment`, adds the per-episode noise sample (and the
target image in conditional runs) to the observation, and writes each of the
K episodes into replay through one `BatchEpisodeAdder`.
"""

from typing import Any, Callable, Mapping, Optional

import dm_env
import numpy as np
import tensorflow as tf
import tree

from spiral_acme import core
from spiral_acme.replay import BatchEpisodeAdder
from spiral_acme.replay import VariableClient

Nest = Any
# (batch_size, rng) -> f32[batch_size, W, W, C] target images.
TargetSampler = Callable[[int, np.random.Generator], np.ndarray]


class SpiralActor(core.Actor):
  """Acts with a recurrent SPIRAL policy on batched timesteps."""

  def __init__(self,
               policy: Any,
               *,
               noise_dim: int,
               rng: np.random.Generator,
               adder: Optional[BatchEpisodeAdder] = None,
               variable_client: Optional[VariableClient] = None,
               target_sampler: Optional[TargetSampler] = None):
    """Creates the actor.

    Args:
      policy: anything with `initial_state(batch)` and `step(step_type,
        observation, state)` (a `SpiralPolicy` or a loaded SavedModel).
      noise_dim: size of the per-episode noise sample.
      rng: source of noise samples and targets.
      adder: records the K environments' episodes, or None to act without
        recording.
      variable_client: keeps the policy's weights fresh, or None.
      target_sampler: gives target images for conditional policies.
    """
    self._policy = policy
    # SpiralPolicy's traced step; loaded SavedModels are already traced.
    self._step = getattr(policy, "compiled_step", policy.step)
    self._noise_dim = noise_dim
    self._rng = rng
    self._adder = adder
    self._variable_client = variable_client
    self._target_sampler = target_sampler
    self._state: Nest = None
    self._episode: Mapping[str, np.ndarray] = {}
    self._step_type = dm_env.StepType.FIRST
    self._last_logits: Mapping[str, np.ndarray] = {}

  @property
  def episode_inputs(self) -> Mapping[str, np.ndarray]:
    """The current episode's noise sample (and target), batched."""
    return self._episode

  def observe_first(self, timestep: dm_env.TimeStep) -> None:
    batch = np.shape(timestep.observation["canvas"])[0]
    if self._adder is not None and self._adder.num_envs != batch:
      raise ValueError(f"The actor's adder records {self._adder.num_envs} "
                       f"environments but the timestep holds {batch}.")
    self._state = self._policy.initial_state(batch)
    episode = {"noise_sample": self._rng.standard_normal(
        (batch, self._noise_dim)).astype(np.float32)}
    if self._target_sampler is not None:
      episode["target"] = np.asarray(
          self._target_sampler(batch, self._rng), np.float32)
    self._episode = episode
    self._step_type = dm_env.StepType.FIRST
    if self._adder is not None:
      self._adder.add_first(timestep, episode_extras={
          **episode,
          "initial_state": tree.map_structure(np.asarray, self._state)})

  def select_action(self, observation: Nest) -> Mapping[str, np.ndarray]:
    inputs = {"canvas": observation["canvas"],
              "action_mask": observation["action_mask"],
              **self._episode}
    batch = np.shape(observation["canvas"])[0]
    step_type = np.full([batch], int(self._step_type), np.int32)
    actions, self._state, extras = self._step(
        tf.constant(step_type), tree.map_structure(tf.constant, inputs),
        self._state)
    self._last_logits = {k: np.asarray(v)
                         for k, v in extras["logits"].items()}
    return {k: np.asarray(v) for k, v in actions.items()}

  def observe(self, action: Mapping[str, np.ndarray],
              next_timestep: dm_env.TimeStep) -> None:
    self._step_type = dm_env.StepType.MID
    if self._adder is not None:
      self._adder.add(action, next_timestep,
                      extras={"logits": self._last_logits})

  def update(self, wait: bool = False) -> None:
    if self._variable_client is not None:
      self._variable_client.update(wait)
