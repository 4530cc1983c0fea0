"""Small fake environments shared by tests."""

from typing import Sequence

import dm_env
from dm_env import specs as dm_specs
import numpy as np

LEVELS = 10


class FillEnvironment(dm_env.Environment):
  """`length` actions; each fills the canvas with the grey level `end / 10`.

  Keeps a stroke program (the action's values, one tuple per step) and writes
  it as "SVG", like LibMyPaint's `strokes` and `to_svg()`.
  """

  def __init__(self, *, width: int, length: int = 2,
               keys: Sequence[str] = ("end",), name: str = ""):
    self._width = width
    self._length = length
    self._keys = tuple(keys)
    self._name = name
    self._t = 0
    self.strokes = []

  def _observation(self, fill):
    return {"canvas": np.full((self._width, self._width, 1), fill,
                              np.float32),
            "action_mask": {k: np.float32(1.0) for k in self._keys}}

  def reset(self):
    self._t = 0
    self.strokes = []
    return dm_env.restart(self._observation(1.0))

  def step(self, action):
    self._t += 1
    self.strokes.append(tuple(int(action[k]) for k in self._keys))
    observation = self._observation(action["end"] / LEVELS)
    if self._t >= self._length:
      return dm_env.termination(0.0, observation)
    return dm_env.transition(0.0, observation)

  def observation_spec(self):
    return {"canvas": dm_specs.Array((self._width, self._width, 1),
                                     np.float32, name="canvas"),
            "action_mask": {k: dm_specs.Array((), np.float32, name=k)
                            for k in self._keys}}

  def action_spec(self):
    sizes = {"end": LEVELS, "flag": 2}
    return {k: dm_specs.DiscreteArray(sizes[k], name=k) for k in self._keys}

  def to_svg(self):
    return f"<svg id='{self._name}'>{self.strokes}</svg>"


def small_experiment(**agent_overrides):
  """tiny_digits shrunk further: 8 episodes per learner batch, one optimiser
  step each."""
  from spiral_acme.agents.spiral import presets  # pylint: disable=g-import-not-at-top
  overrides = dict(batch_size=8, num_envs_per_actor=4, max_queue_size=16,
                   discriminator_batch_size=8, updates_per_batch=1)
  overrides.update(agent_overrides)
  return presets.tiny_digits(seed=3, **overrides)


def unconditional_experiment(**agent_overrides):
  """`small_experiment` against a WGAN-GP discriminator reward."""
  import dataclasses  # pylint: disable=g-import-not-at-top
  from spiral_acme.agents.spiral import config as config_lib  # pylint: disable=g-import-not-at-top
  from spiral_acme.networks.discriminator import DiscriminatorConfig  # pylint: disable=g-import-not-at-top
  from spiral_acme.networks.discriminator import DiscriminatorMode  # pylint: disable=g-import-not-at-top
  experiment = small_experiment(**agent_overrides)
  return dataclasses.replace(
      experiment,
      agent=dataclasses.replace(
          experiment.agent, conditional=False,
          reward_type=config_lib.RewardType.DISCRIMINATOR,
          temporal_credit=False, reward_scale=1.0),
      discriminator=DiscriminatorConfig.small(
          mode=DiscriminatorMode.UNCONDITIONAL))
