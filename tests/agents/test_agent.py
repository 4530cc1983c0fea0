"""The single-process agent wires real Reverb tables, actors and learners."""

import dataclasses
import os

import numpy as np
import pytest

import fakes
import tensorflow as tf

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import learning
from spiral_acme.agents.spiral.agent import SpiralAgent
from spiral_acme.agents.spiral.builder import CANVAS_TABLE
from spiral_acme.agents.spiral.builder import DISCRIMINATOR_VARIABLES_TABLE
from spiral_acme.agents.spiral.builder import EPISODE_TABLE
from spiral_acme.agents.spiral.builder import POLICY_VARIABLES_TABLE
from spiral_acme.replay import SampleReplay


_small = fakes.small_experiment
_unconditional = fakes.unconditional_experiment


def _weights(module):
  return [v.numpy().copy() for v in module.trainable_variables]


def test_l2_agent_steps_and_publishes_policy_weights():
  agent = SpiralAgent(_small(), log_every_seconds=1e9)
  try:
    before = _weights(agent.policy)
    agent.run(num_steps=2)
    after = _weights(agent.policy)
    assert any(not np.array_equal(a, b) for a, b in zip(before, after))
    counts = agent.counts
    assert counts["learner_steps"] == 2
    assert counts["learner_episodes"] == 16
    info = agent._client.server_info()  # pylint: disable=protected-access
    assert info[EPISODE_TABLE].current_size == 0  # All consumed.
    assert info[POLICY_VARIABLES_TABLE].current_size == 1
    assert CANVAS_TABLE not in info  # The L2 reward needs no discriminator.
    published = agent.builder.variable_source(
        agent._client).get_variables(["policy"])[0]  # pylint: disable=protected-access
    for value, variable in zip(published, agent.policy.variables):
      np.testing.assert_array_equal(value, variable.numpy())
  finally:
    agent.close()


@pytest.mark.parametrize("replay", [SampleReplay.QUEUE, SampleReplay.UNIFORM])
def test_discriminator_agent_trains_both_learners(replay):
  agent = SpiralAgent(_unconditional(sample_replay=replay,
                                     sample_replay_batches=2),
                      log_every_seconds=1e9)
  try:
    discriminator = agent._discriminator_learner  # pylint: disable=protected-access
    d_before = [v.numpy().copy() for v in
                discriminator._discriminator.trainable_variables]  # pylint: disable=protected-access
    agent.run(num_steps=2)
    d_after = [v.numpy() for v in
               discriminator._discriminator.trainable_variables]  # pylint: disable=protected-access
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, d_after))
    assert agent.counts["discriminator_steps"] >= 2
    info = agent._client.server_info()  # pylint: disable=protected-access
    assert info[DISCRIMINATOR_VARIABLES_TABLE].current_size == 1
    if replay is SampleReplay.QUEUE:
      assert info[CANVAS_TABLE].current_size == 0  # Each fake used once.
    else:
      assert info[CANVAS_TABLE].current_size == 16  # Kept for replay.
    metrics = discriminator.last_metrics
    assert np.isfinite(metrics["loss"]) and "gradient_penalty" in metrics
  finally:
    agent.close()


def test_rewards_use_the_discriminator_published_just_before():
  """The reward path fetches D synchronously: never the previous step's."""
  agent = SpiralAgent(_unconditional(), log_every_seconds=1e9)
  try:
    learner = agent._learner  # pylint: disable=protected-access
    critic = agent._discriminator_learner  # pylint: disable=protected-access
    reward_copy = learner._discriminator_client._variables["discriminator"]  # pylint: disable=protected-access
    for _ in range(2):
      agent.step()  # D steps and publishes, then the policy step scores.
      for mine, newest in zip(reward_copy,
                              critic._discriminator.variables):  # pylint: disable=protected-access
        np.testing.assert_array_equal(mine.numpy(), newest.numpy())
  finally:
    agent.close()


def test_checkpoint_restores_weights_and_optimiser(tmp_path):
  workdir = str(tmp_path / "run")
  agent = SpiralAgent(_small(), workdir=workdir, log_every_seconds=1e9)
  try:
    agent.run(num_steps=2, images_every_seconds=1e9)
    saved = _weights(agent.policy)
    saved_iterations = int(agent._learner.optimizer.step.numpy())  # pylint: disable=protected-access
    saved_slots = [v.numpy().copy() for v in agent._learner.optimizer.variables]  # pylint: disable=protected-access
  finally:
    agent.close()
  assert os.path.isdir(os.path.join(workdir, "checkpoints", "step-2"))
  runs = {os.path.basename(p) for p in
          tf.io.gfile.glob(os.path.join(workdir, "tensorboard", "*"))}
  assert {"learner", "throughput", "paintings", "evaluation"} <= runs
  tags = set()
  for path in tf.io.gfile.glob(
      os.path.join(workdir, "tensorboard", "paintings", "*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      tags.update(v.tag for v in event.summary.value)
  assert "paintings" in tags  # Targets next to paintings, at the end.
  evaluation_tags = set()
  for path in tf.io.gfile.glob(
      os.path.join(workdir, "tensorboard", "evaluation", "*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      evaluation_tags.update(v.tag for v in event.summary.value)
  # Quality numbers next to the grid, against frames as well as steps.
  assert {"classifier_accuracy", "real_classifier_accuracy",
          "blank_fraction", "l2_ratio_vs_blank", "frames",
          "minutes"} <= evaluation_tags
  restored = SpiralAgent(_small(), workdir=workdir, log_every_seconds=1e9)
  try:
    for a, b in zip(saved, _weights(restored.policy)):
      np.testing.assert_array_equal(a, b)
    assert int(restored._learner.optimizer.step.numpy()) == saved_iterations  # pylint: disable=protected-access
    restored_slots = restored._learner.optimizer.variables  # pylint: disable=protected-access
    assert len(restored_slots) == len(saved_slots) > 1  # Adam's m and v too.
    for a, b in zip(saved_slots, restored_slots):
      np.testing.assert_array_equal(a, b.numpy())
    assert restored.counts["learner_steps"] == 2  # Counters resume too.
    restored.run(num_steps=1, images_every_seconds=1e9)
    assert restored.counts["learner_steps"] == 3
    # The restored weights are what actors receive.
    published = restored.builder.variable_source(
        restored._client).get_variables(["policy"])[0]  # pylint: disable=protected-access
    np.testing.assert_array_equal(published[0],
                                  restored.policy.variables[0].numpy())
  finally:
    restored.close()


def test_sample_and_evaluate_paint_held_out_targets():
  agent = SpiralAgent(_small(), log_every_seconds=1e9)
  try:
    _, held_out = agent.builder.datasets
    samples, targets = agent.sample(5)
    assert len(samples) == 5
    np.testing.assert_array_equal(targets, held_out.images[:5])
    assert samples[0].frames.shape == (6, 16, 16, 1)  # episode_length + 0.
    assert len(samples[0].strokes) == 5
    result = agent.evaluate(held_out.images[:6])
    assert result.canvases.shape == (6, 16, 16, 1)
    expected = np.mean(np.square(result.canvases - held_out.images[:6]))
    assert result.l2 == pytest.approx(expected)
  finally:
    agent.close()


def test_queue_too_small_for_single_process_is_rejected():
  with pytest.raises(ValueError, match="max_queue_size=8 is too small"):
    SpiralAgent(_small(max_queue_size=8))


def test_run_needs_a_budget():
  agent = SpiralAgent(_small(), log_every_seconds=1e9)
  try:
    with pytest.raises(ValueError, match="num_steps, max_seconds"):
      agent.run()
  finally:
    agent.close()


def test_scene_reward_schedule_follows_the_learners_optimiser_steps():
  from spiral_acme.agents.spiral import presets  # pylint: disable=g-import-not-at-top
  experiment = presets.mujoco_scenes(
      seed=0, num_scenes=80, canvas_width=16, grid_width=4, batch_size=8,
      num_envs_per_actor=4, max_queue_size=16, l2_start_step=1,
      l2_ramp_steps=0)
  agent = SpiralAgent(experiment, log_every_seconds=1e9)
  try:
    learner = agent._learner  # pylint: disable=protected-access
    weights = []
    for _ in range(2):
      agent.step()
      weights.append(float(learner.last_metrics["l2_reward_weight"]))
    # Step 0 scores objectness alone; from optimiser step 1 the L2 is on.
    assert weights == [0.0, experiment.agent.l2_weight]
    assert int(learner.optimizer.step.numpy()) == 2
  finally:
    agent.close()


def test_head_entropy_costs_hold_until_their_step_then_ramp_to_the_default():
  config = config_lib.SpiralConfig(
      entropy_cost=0.01,
      head_entropy_costs=(("red", 1.0), ("size", 0.0), ("shape", 2.0)),
      head_entropy_until_steps=(("red", 10), ("size", 10)),
      head_entropy_ramp_steps=4)
  got = {step: {k: float(v) for k, v in learning.head_entropy_costs(
      config, tf.constant(step)).items()} for step in (0, 10, 12, 14, 99)}
  assert got[0] == got[10] == pytest.approx(
      {"red": 1.0, "size": 0.0, "shape": 2.0})
  assert got[12] == pytest.approx({"red": 0.505, "size": 0.005, "shape": 2.0})
  assert got[14] == got[99] == pytest.approx(
      {"red": 0.01, "size": 0.01, "shape": 2.0})
  held = dataclasses.replace(config, head_entropy_until_steps=())
  assert learning.head_entropy_costs(held, tf.constant(99)) == {
      "red": 1.0, "size": 0.0, "shape": 2.0}


def test_head_entropy_schedule_follows_the_learners_optimiser_steps():
  agent = SpiralAgent(_small(head_entropy_costs=(("end", 3.0),),
                             head_entropy_until_steps=(("end", 1),)),
                      log_every_seconds=1e9)
  try:
    learner = agent._learner  # pylint: disable=protected-access
    default = agent.builder.experiment.agent.entropy_cost
    costs, checks = [], []
    for _ in range(2):
      agent.step()
      metrics = learner.last_metrics
      costs.append(float(metrics["end_entropy_cost"]))
      checks.append(float(metrics["entropy_bonus"]) - sum(
          (costs[-1] if key == "end_entropy" else default) * float(value)
          for key, value in metrics.items() if key.endswith("_entropy")))
    assert costs == pytest.approx([3.0, default])
    np.testing.assert_allclose(checks, 0.0, atol=1e-5)
  finally:
    agent.close()


def test_head_entropy_costs_weight_each_heads_entropy_in_the_loss():
  costs = (("end", 3.0), ("flag", 0.0))
  agent = SpiralAgent(_small(head_entropy_costs=costs), log_every_seconds=1e9)
  try:
    agent.step()
    metrics = agent._learner.last_metrics  # pylint: disable=protected-access
    heads = [key[:-len("_entropy")] for key in metrics
             if key.endswith("_entropy")]
    assert set(heads) == set(agent.policy.spec.num_values)
    np.testing.assert_allclose(
        float(metrics["entropy"]),
        sum(float(metrics[f"{k}_entropy"]) for k in heads), rtol=1e-5)
    default = agent.builder.experiment.agent.entropy_cost
    assert default not in (0.0, 3.0)
    want = sum(dict(costs).get(k, default) * float(metrics[f"{k}_entropy"])
               for k in heads)
    np.testing.assert_allclose(float(metrics["entropy_bonus"]), want,
                               rtol=1e-5)
    assert float(metrics["end_entropy"]) > 0
    # The loss the optimiser minimised holds that bonus.
    config = agent.builder.experiment.agent
    np.testing.assert_allclose(
        float(metrics["loss"]),
        float(metrics["policy_loss"]) +
        config.baseline_cost * float(metrics["baseline_loss"]) -
        float(metrics["entropy_bonus"]), rtol=1e-4, atol=1e-6)
  finally:
    agent.close()


@pytest.mark.parametrize("imitate_best", [False, True])
def test_scene_alternatives_reach_the_learner_and_score_every_shape(
    imitate_best):
  from spiral_acme.agents.spiral import presets  # pylint: disable=g-import-not-at-top
  experiment = presets.mujoco_scenes(
      seed=0, num_scenes=80, canvas_width=16, grid_width=4, batch_size=8,
      num_envs_per_actor=4, max_queue_size=16, l2_start_step=0,
      l2_ramp_steps=0, imitate_best_alternative=imitate_best)
  experiment = dataclasses.replace(experiment, environment=dataclasses.replace(
      experiment.environment, alternatives=("shape",)))
  agent = SpiralAgent(experiment, log_every_seconds=1e9)
  try:
    before = _weights(agent.policy)
    agent.step()
    metrics = agent._learner.last_metrics  # pylint: disable=protected-access
    assert 0.0 <= float(metrics["shape_taken_was_best"]) <= 1.0
    assert "size_taken_was_best" not in metrics
    assert np.isfinite(float(metrics["loss"]))
    assert any(np.any(a != b) for a, b in zip(before,
                                              _weights(agent.policy)))
  finally:
    agent.close()
  with pytest.raises(ValueError, match="needs per-step rewards"):
    dataclasses.replace(experiment, agent=dataclasses.replace(
        experiment.agent, temporal_credit=False))
