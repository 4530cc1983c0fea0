"""Steps K environments in lock-step as one `dm_env.Environment`.

A batched actor calls its policy once per step for all K environments, which
is what makes acting on a CPU fast. The K environments must share their specs
and episode length, so their step types always agree.
"""

from typing import Any, Mapping, Sequence

import dm_env
import numpy as np
import tree


def _stack(items: Sequence[Any]) -> Any:
  return tree.map_structure(lambda *xs: np.stack(xs), *items)


class BatchedEnvironment(dm_env.Environment):
  """K environments stepped together; every leaf gains a leading K axis."""

  def __init__(self, environments: Sequence[dm_env.Environment]):
    if not environments:
      raise ValueError("BatchedEnvironment needs at least one environment.")
    self._envs = list(environments)
    first = self._envs[0]
    for i, env in enumerate(self._envs[1:], start=1):
      if (env.action_spec() != first.action_spec() or
          repr(env.observation_spec()) != repr(first.observation_spec())):
        raise ValueError(
            f"Environment {i} has different specs from environment 0; a "
            "batched environment needs identical environments.")

  @property
  def environments(self) -> Sequence[dm_env.Environment]:
    return self._envs

  @property
  def batch_size(self) -> int:
    return len(self._envs)

  def reset(self) -> dm_env.TimeStep:
    return self._merge([env.reset() for env in self._envs])

  def step(self, action: Mapping[str, np.ndarray]) -> dm_env.TimeStep:
    for key, value in action.items():
      if np.shape(value) != (len(self._envs),):
        raise ValueError(
            f"Action {key!r} has shape {np.shape(value)}; expected "
            f"({len(self._envs)},), one value per environment.")
    return self._merge([
        env.step({k: v[i] for k, v in action.items()})
        for i, env in enumerate(self._envs)
    ])

  def _merge(self, timesteps: Sequence[dm_env.TimeStep]) -> dm_env.TimeStep:
    step_types = {ts.step_type for ts in timesteps}
    if len(step_types) != 1:
      raise RuntimeError(
          f"Environments fell out of lock-step (step types {step_types}); "
          "they must share the same episode length.")
    return dm_env.TimeStep(
        step_type=timesteps[0].step_type,
        reward=np.asarray([ts.reward or 0.0 for ts in timesteps], np.float32),
        discount=np.asarray(
            [1.0 if ts.discount is None else ts.discount for ts in timesteps],
            np.float32),
        observation=_stack([ts.observation for ts in timesteps]))

  def observation_spec(self):
    """Specs of one environment (leaves gain a leading batch axis)."""
    return self._envs[0].observation_spec()

  def action_spec(self):
    return self._envs[0].action_spec()

  def close(self) -> None:
    for env in self._envs:
      env.close()
