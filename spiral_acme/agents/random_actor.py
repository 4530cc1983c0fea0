"""A uniformly random actor: the baseline every painting agent must beat."""

from typing import Mapping

import dm_env
import numpy as np

from spiral_acme import core


class UniformRandomActor(core.Actor):
  """Picks every action key uniformly at random, independently per env."""

  def __init__(self, action_spec: Mapping[str, dm_env.specs.DiscreteArray],
               rng: np.random.Generator):
    self._spec = dict(action_spec)
    self._rng = rng

  def select_action(self, observation) -> Mapping[str, np.ndarray]:
    batch = np.shape(observation["canvas"])[0]
    return {k: self._rng.integers(0, s.num_values, size=batch,
                                  dtype=np.int32)
            for k, s in self._spec.items()}

  def observe_first(self, timestep: dm_env.TimeStep) -> None:
    del timestep

  def observe(self, action, next_timestep: dm_env.TimeStep) -> None:
    del action, next_timestep

  def update(self, wait: bool = False) -> None:
    del wait
