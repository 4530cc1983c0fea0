"""Named presets: every launcher task has one, and each one is valid."""

import dataclasses

import pytest

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import presets


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_builds_a_valid_experiment(name):
  experiment = presets.get(name)(seed=2)
  assert experiment.seed == 2
  assert experiment.dataset.canvas_width == experiment.environment.canvas_width


@pytest.mark.parametrize("dataset", ["digits", "hershey"])
@pytest.mark.parametrize("task", ["reconstruct", "generate",
                                  "reconstruct_gan"])
def test_each_launcher_task_defaults_to_a_named_preset(dataset, task):
  name = presets.for_task(dataset, task)
  assert name in presets.names()
  experiment = presets.get(name)()
  assert experiment.dataset.name.value == dataset
  assert experiment.agent.conditional == (task != "generate")
  expected = (config_lib.RewardType.L2 if task == "reconstruct" else
              config_lib.RewardType.DISCRIMINATOR)
  assert experiment.agent.reward_type is expected


def test_unknown_presets_and_tasks_are_errors():
  with pytest.raises(ValueError, match="Unknown preset 'nope'"):
    presets.get("nope")
  with pytest.raises(ValueError, match="No preset for dataset 'mnist'"):
    presets.for_task("mnist", "generate")


def test_agent_overrides_reach_the_agent_config():
  experiment = presets.get("digits64")(entropy_cost=0.002)
  assert experiment.agent.entropy_cost == 0.002


def test_head_entropy_costs_must_name_the_environments_action_keys():
  scenes = presets.get("mujoco_scenes")(
      head_entropy_costs=(("red", 1.0), ("shape", 0.5)))
  assert dict(scenes.agent.head_entropy_costs) == {"red": 1.0, "shape": 0.5}
  with pytest.raises(ValueError, match=r"names \['pressure'\], which are "
                     "not action keys of this environment"):
    presets.get("mujoco_scenes")(head_entropy_costs=(("pressure", 1.0),))
  with pytest.raises(ValueError, match=r"names \['shape'\]"):
    presets.get("digits64")(head_entropy_costs=(("shape", 1.0),))


def test_location_options_must_fit_the_environments_grid():
  scenes = presets.get("mujoco_scenes")()
  glimpse = dataclasses.replace(scenes.policy_network, location_glimpse=8,
                                location_cell_centres=())
  awkward = dataclasses.replace(scenes.environment, canvas_width=30)
  with pytest.raises(ValueError, match="canvas_width=30, grid_width=8"):
    dataclasses.replace(scenes, environment=awkward,
                        dataset=dataclasses.replace(scenes.dataset,
                                                    canvas_width=30),
                        policy_network=glimpse)
  centres = dataclasses.replace(scenes.policy_network, location_glimpse=0,
                                location_cell_centres=((0.5, 0.5),) * 16)
  with pytest.raises(ValueError, match="has 16 cells; the environment's 8x8 "
                     "grid has 64"):
    dataclasses.replace(scenes, policy_network=centres)


def test_location_stroke_needs_a_pen_that_ends_at_end():
  digits = presets.get("digits64")()
  assert digits.policy_network.location_stroke == 8
  legacy = dataclasses.replace(digits.environment, legacy_move_bug=True)
  with pytest.raises(ValueError, match="legacy_move_bug=True"):
    dataclasses.replace(digits, environment=legacy)
  scenes = presets.get("mujoco_scenes")()
  stroke = dataclasses.replace(scenes.policy_network, location_stroke=8,
                               location_cell_centres=())
  with pytest.raises(ValueError, match="location_stroke=8 reads each stroke"):
    dataclasses.replace(scenes, policy_network=stroke)
