"""The environment's specs in one value, so builders need only one argument."""

from typing import Any, NamedTuple

import dm_env


class EnvironmentSpec(NamedTuple):
  """Nests of `dm_env.specs.Array` describing an environment's interface."""
  observations: Any
  actions: Any
  rewards: Any
  discounts: Any


_SPEC_METHODS = ("observation_spec", "action_spec", "reward_spec",
                 "discount_spec")


def make_environment_spec(environment: dm_env.Environment) -> EnvironmentSpec:
  """Reads the four specs of a `dm_env.Environment` into an EnvironmentSpec.

  Args:
    environment: any object with dm_env's four `*_spec()` methods.

  Returns:
    The specs, in the order observations, actions, rewards, discounts.

  Raises:
    TypeError: if `environment` lacks one of the spec methods.
  """
  missing = [name for name in _SPEC_METHODS
             if not callable(getattr(environment, name, None))]
  if missing:
    raise TypeError(
        f"Expected a dm_env.Environment with methods {list(_SPEC_METHODS)}; "
        f"{type(environment).__name__} lacks {missing}.")
  return EnvironmentSpec(
      observations=environment.observation_spec(),
      actions=environment.action_spec(),
      rewards=environment.reward_spec(),
      discounts=environment.discount_spec())
