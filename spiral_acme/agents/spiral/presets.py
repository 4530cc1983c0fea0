"""Named experiment configurations shared by the demo, tests and benchmarks.

`tiny_digits` is the smallest SPIRAL task that visibly learns on a 2-core
CPU in a couple of minutes: reconstruct the embedded digits at 16x16 on an
8x8 stroke grid with a 1-pixel dry brush, five actions per episode, a
negative-L2 reward with SPIRAL++'s per-step credit and the narrow network.
At that scale a random stroke after a move helps a little on average, so the
agent keeps painting while it learns where to paint.
"""

import dataclasses
from typing import Callable

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig
from spiral_acme.networks.config import PolicyNetworkConfig
from spiral_acme.networks.discriminator import DiscriminatorConfig
from spiral_acme.networks.discriminator import DiscriminatorMode


def tiny_digits(*, seed: int = 0, **agent_overrides) -> ExperimentConfig:
  """Conditional digit reconstruction at 16x16 (the learning test's task)."""
  agent = config_lib.SpiralConfig(
      conditional=True, reward_type=config_lib.RewardType.L2,
      temporal_credit=True, reward_scale=10.0, batch_size=32,
      num_envs_per_actor=16, max_queue_size=64, learning_rate=3e-4,
      entropy_cost=0.01)
  return ExperimentConfig(
      environment=LibMyPaintConfig(canvas_width=16, grid_width=8,
                                   episode_length=6, brush_sizes=(1,),
                                   use_color=False, use_pressure=False),
      dataset=DatasetConfig("digits", canvas_width=16, channels=1),
      agent=dataclasses.replace(agent, **agent_overrides),
      policy_network=PolicyNetworkConfig.small(),
      discriminator=DiscriminatorConfig.small(
          mode=DiscriminatorMode.CONDITIONAL),
      num_held_out=64, seed=seed)


def _digits64_environment(**overrides) -> LibMyPaintConfig:
  """64x64 black strokes with pressure, 10 actions on a 16x16 grid.

  At 64x64 a random full-pressure stroke hurts the L2 on average, and an
  agent that can only paint that way learns to stop painting; light strokes
  (pressure) keep early exploration safe.
  """
  return LibMyPaintConfig(**{**dict(
      canvas_width=64, grid_width=16, episode_length=11, brush_sizes=(4,),
      use_color=False, use_pressure=True), **overrides})


def digits64(*, seed: int = 0, **agent_overrides) -> ExperimentConfig:
  """Conditional digit reconstruction at 64x64 (the learning benchmark)."""
  base = tiny_digits(seed=seed, **agent_overrides)
  return dataclasses.replace(
      base, environment=_digits64_environment(),
      dataset=DatasetConfig("digits", canvas_width=64, channels=1))


def digits64_generate(*, seed: int = 0,
                      **agent_overrides) -> ExperimentConfig:
  """Unconditional digits at 64x64 against a WGAN-GP discriminator."""
  agent = config_lib.SpiralConfig(
      conditional=False,
      reward_type=config_lib.RewardType.DISCRIMINATOR,
      discriminator_loss=config_lib.DiscriminatorLoss.WGAN_GP,
      batch_size=32, discriminator_batch_size=32, num_envs_per_actor=16,
      max_queue_size=64, learning_rate=3e-4, entropy_cost=0.01)
  return ExperimentConfig(
      environment=_digits64_environment(),
      dataset=DatasetConfig("digits", canvas_width=64, channels=1),
      agent=dataclasses.replace(agent, **agent_overrides),
      policy_network=PolicyNetworkConfig.small(),
      discriminator=DiscriminatorConfig.small(
          mode=DiscriminatorMode.UNCONDITIONAL),
      num_held_out=256, seed=seed)


_PRESETS = {
    "tiny_digits": tiny_digits,
    "digits64": digits64,
    "digits64_generate": digits64_generate,
}


def names() -> tuple[str, ...]:
  """Every preset's name."""
  return tuple(_PRESETS)


def get(name: str) -> Callable[..., ExperimentConfig]:
  """The preset called `name` (a function of seed and agent overrides)."""
  if name not in _PRESETS:
    raise ValueError(f"Unknown preset {name!r}; expected one of "
                     f"{sorted(_PRESETS)}.")
  return _PRESETS[name]
