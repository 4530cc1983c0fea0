"""Everything that defines a SPIRAL run, as one validated value.

Launchers build an `ExperimentConfig`; the builder turns it into tables,
actors and learners, for the single-process agent and the distributed program
alike.
"""

import dataclasses
import enum
from typing import Any, Dict, Optional, Union

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments import libmypaint_specs
from spiral_acme.environments import mujoco_scenes
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig
from spiral_acme.networks.config import PolicyNetworkConfig
from spiral_acme.networks.discriminator import DiscriminatorConfig
from spiral_acme.networks.discriminator import DiscriminatorMode


@dataclasses.dataclass(frozen=True)
class ExperimentConfig:
  """A SPIRAL run: environment, data, networks and agent hyperparameters.

  Attributes:
    environment: the painting environment (LibMyPaint or MuJoCo scenes).
    dataset: targets (conditional) and real images (discriminator); None for
      runs that need neither.
    agent: agent hyperparameters.
    policy_network: the policy's widths and depths.
    discriminator: the discriminator's; its mode must match
      `agent.conditional`.
    num_held_out: dataset images kept out of training for evaluation.
    seed: seeds environments, networks, sampling and data splits.
  """
  environment: Union[LibMyPaintConfig, MujocoScenesConfig]
  dataset: Optional[DatasetConfig]
  agent: config_lib.SpiralConfig = config_lib.SpiralConfig()
  policy_network: PolicyNetworkConfig = PolicyNetworkConfig()
  discriminator: DiscriminatorConfig = DiscriminatorConfig()
  num_held_out: int = 64
  seed: int = 0

  def __post_init__(self):
    agent = self.agent
    needs_data = agent.conditional or agent.uses_discriminator
    if needs_data and self.dataset is None:
      raise ValueError(
          "This run needs a dataset (conditional targets or real images for "
          "the discriminator), got dataset=None.")
    if self.dataset is not None:
      if self.dataset.canvas_width != self.environment.canvas_width:
        raise ValueError(
            f"dataset.canvas_width={self.dataset.canvas_width} must equal "
            f"environment.canvas_width={self.environment.canvas_width}.")
      if self.dataset.channels != self.environment.num_channels:
        raise ValueError(
            f"dataset.channels={self.dataset.channels} must equal the "
            f"environment's canvas channels ({self.environment.num_channels}"
            f").")
      scene_grid = self.dataset.grid_width
      if (scene_grid is not None and
          scene_grid != getattr(self.environment, "grid_width", None)):
        raise ValueError(
            f"dataset.grid_width={scene_grid} must equal the scene "
            f"environment's grid_width "
            f"({getattr(self.environment, 'grid_width', None)}).")
    if agent.uses_discriminator:
      mode = self.discriminator.mode
      conditional_modes = (DiscriminatorMode.CONDITIONAL,
                           DiscriminatorMode.COMPLEMENT)
      if agent.conditional != (mode in conditional_modes):
        raise ValueError(
            f"discriminator.mode={mode} does not fit agent.conditional="
            f"{agent.conditional}: conditional runs need CONDITIONAL or "
            "COMPLEMENT, unconditional runs UNCONDITIONAL.")
    if self.num_held_out < 0:
      raise ValueError(f"num_held_out must be >= 0, got {self.num_held_out}.")
    self._check_location_options()
    keys = action_keys(self.environment)
    unknown = [key for key, _ in agent.head_entropy_costs if key not in keys]
    if unknown:
      raise ValueError(
          f"agent.head_entropy_costs names {unknown}, which are not action "
          f"keys of this environment; expected some of {list(keys)}.")
    alternatives = getattr(self.environment, "alternatives", ())
    if alternatives and (not agent.temporal_credit or
                         agent.standardise_scores):
      raise ValueError(
          f"environment.alternatives={alternatives} needs per-step rewards "
          f"scored one canvas at a time: agent.temporal_credit=True and "
          f"agent.standardise_scores=False, got {agent.temporal_credit} and "
          f"{agent.standardise_scores}.")

  def _check_location_options(self) -> None:
    """The policy's glimpse and cell centres fit the environment's grid."""
    network = self.policy_network
    grid = self.environment.grid_width
    width = self.environment.canvas_width
    if network.location_glimpse and width % grid:
      raise ValueError(
          f"policy_network.location_glimpse needs a canvas width divisible "
          f"by the grid width: got canvas_width={width}, grid_width={grid}.")
    if network.location_stroke and (
        "end" not in action_keys(self.environment)
        or getattr(self.environment, "legacy_move_bug", False)):
      raise ValueError(
          f"policy_network.location_stroke={network.location_stroke} reads "
          "each stroke from the pen to its `end`: it needs a LibMyPaint "
          "environment without legacy_move_bug (which moves the pen "
          f"elsewhere); got action keys {list(action_keys(self.environment))}"
          f" and legacy_move_bug="
          f"{getattr(self.environment, 'legacy_move_bug', None)}.")
    centres = network.location_cell_centres
    if centres and len(centres) != grid * grid:
      raise ValueError(
          f"policy_network.location_cell_centres has {len(centres)} cells; "
          f"the environment's {grid}x{grid} grid has {grid * grid}.")

  def to_dict(self) -> Dict[str, Any]:
    """The whole configuration as JSON-ready values (enums by value)."""
    return _jsonable(dataclasses.asdict(self))

  @property
  def num_actions(self) -> int:
    """Actions per episode (the environment's LAST step takes none)."""
    return self.environment.episode_length - 1


def action_keys(environment: Union[LibMyPaintConfig, MujocoScenesConfig]
                ) -> tuple:
  """The environment's action keys, without building it."""
  if isinstance(environment, MujocoScenesConfig):
    return tuple(mujoco_scenes.action_counts(environment))
  return tuple(libmypaint_specs.action_counts(environment))


def _jsonable(value: Any) -> Any:
  if isinstance(value, dict):
    return {key: _jsonable(item) for key, item in value.items()}
  if isinstance(value, (list, tuple)):
    return [_jsonable(item) for item in value]
  if isinstance(value, enum.Enum):
    return value.value
  return value
