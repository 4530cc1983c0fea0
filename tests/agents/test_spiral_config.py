"""Tests for the SPIRAL agent's hyperparameters (agents.spiral.config)."""

import dataclasses
import math

import pytest

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.replay import SampleReplay

_INVALID = [
    ("reward_type", "l2"),
    ("discriminator_loss", "gan"),
    ("sample_replay", "queue"),
    ("batch_size", 0),
    ("batch_size", 2.0),
    ("discriminator_batch_size", -1),
    ("max_queue_size", 0),
    ("sample_replay_batches", 0),
    ("num_envs_per_actor", 0),
    ("variable_update_period", 0),
    ("discriminator_steps_per_learner_step", 0),
    ("learning_rate", 0.0),
    ("learning_rate", math.nan),
    ("discriminator_learning_rate", -1e-4),
    ("adam_epsilon", 0.0),
    ("discriminator_adam_epsilon", 0.0),
    ("max_gradient_norm", 0.0),
    ("updates_per_batch", 0),
    ("gradient_penalty_slope", 0.0),
    ("clip_rho_threshold", 0.0),
    ("clip_pg_rho_threshold", -1.0),
    ("entropy_cost", -0.01),
    ("baseline_cost", -0.5),
    ("stroke_penalty", -0.1),
    ("empty_canvas_penalty", -1.0),
    ("gradient_penalty_gamma", -1.0),
    ("adam_beta1", 1.0),
    ("adam_beta2", -0.1),
    ("discriminator_adam_beta1", 1.5),
    ("discriminator_adam_beta2", 1.0),
    ("discount", 1.01),
    ("discount", -0.1),
    ("head_entropy_costs", (("red", -1.0),)),
    ("head_entropy_costs", (("red", math.inf),)),
    ("head_entropy_costs", ("red", 0.3)),
    ("head_entropy_costs", (("red", 0.3), ("red", 0.1))),
    ("head_entropy_costs", {"red": 0.3}),
    ("head_entropy_until_steps", (("red", -1),)),
    ("head_entropy_until_steps", (("red", True),)),
    ("head_entropy_until_steps", (("red", 10.0),)),
    ("head_entropy_until_steps", ("red", 10)),
    ("head_entropy_until_steps", (("blue", 10),)),  # Blue has no head cost.
    ("head_entropy_ramp_steps", -1),
    ("standardise_scores", 1),
    ("conditional", "yes"),
    ("temporal_credit", 0),
    ("l2_relative_to_blank", None),
]


def test_defaults_follow_the_hub_agents():
  config = config_lib.SpiralConfig()
  assert config.batch_size == 64
  assert config.adam_beta1 == 0.5 and config.adam_epsilon == 1e-8
  assert config.discriminator_loss is config_lib.DiscriminatorLoss.WGAN_GP
  assert config.gradient_penalty_slope == 1.0
  assert config.gradient_penalty_gamma == 1.0
  assert config.uses_discriminator


@pytest.mark.parametrize("field,value", _INVALID)
def test_invalid_field_raises_naming_it(field, value):
  with pytest.raises(ValueError, match=field):
    config_lib.SpiralConfig(**{field: value,
                               "head_entropy_costs": (("red", 1.0),)}
                            if field.startswith("head_entropy_until") else
                            {field: value})


def test_head_entropy_until_steps_twice_is_refused():
  with pytest.raises(ValueError, match="names a key twice"):
    config_lib.SpiralConfig(head_entropy_costs=(("red", 1.0),),
                            head_entropy_until_steps=(("red", 1), ("red", 2)))


@pytest.mark.parametrize("field,value", [
    ("stroke_penalty", 0.0), ("entropy_cost", 0.0), ("adam_beta1", 0.0),
    ("discount", 0.0), ("discount", 1.0), ("gradient_penalty_gamma", 0.0),
    ("batch_size", 1), ("head_entropy_costs", (("red", 0.0),))])
def test_boundary_values_are_accepted(field, value):
  assert getattr(config_lib.SpiralConfig(**{field: value}), field) == value


def test_l2_reward_needs_a_conditional_run():
  with pytest.raises(ValueError, match="conditional"):
    config_lib.SpiralConfig(reward_type=config_lib.RewardType.L2)
  config = config_lib.SpiralConfig(reward_type=config_lib.RewardType.L2,
                                   conditional=True)
  assert not config.uses_discriminator


def test_replace_revalidates():
  config = config_lib.SpiralConfig()
  with pytest.raises(ValueError, match="batch_size"):
    dataclasses.replace(config, batch_size=0)


@pytest.mark.parametrize("batch,queue", [(64, 256), (300, 256), (8, 8)])
def test_queue_sample_replay_holds_a_queue_and_at_least_one_batch(batch,
                                                                  queue):
  config = config_lib.SpiralConfig(sample_replay=SampleReplay.QUEUE,
                                   discriminator_batch_size=batch,
                                   max_queue_size=queue)
  assert config.sample_replay_size == (batch if batch > queue else queue)


@pytest.mark.parametrize("batch,batches", [(64, 20), (16, 3), (5, 1)])
def test_uniform_sample_replay_holds_whole_batches(batch, batches):
  config = config_lib.SpiralConfig(sample_replay=SampleReplay.UNIFORM,
                                   discriminator_batch_size=batch,
                                   sample_replay_batches=batches,
                                   max_queue_size=7)
  assert config.sample_replay_size == sum([batch] * batches)


def test_bool_is_not_an_integer_count():
  with pytest.raises(ValueError, match="batch_size"):
    config_lib.SpiralConfig(batch_size=True)


def test_gradient_clipping_is_off_by_default_and_can_be_set():
  assert config_lib.SpiralConfig().max_gradient_norm is None
  assert config_lib.SpiralConfig(max_gradient_norm=0.5).max_gradient_norm == 0.5


def test_relative_l2_needs_the_l2_reward():
  with pytest.raises(ValueError, match="l2_relative_to_blank needs"):
    config_lib.SpiralConfig(l2_relative_to_blank=True)
  config = config_lib.SpiralConfig(
      conditional=True, reward_type=config_lib.RewardType.L2,
      l2_relative_to_blank=True)
  assert config.l2_relative_to_blank
