"""The policy learner: IMPALA V-trace on whole episodes, rewards from D.

Each step takes B episodes from the episode queue, scores their canvases
with the newest discriminator weights (or the L2 distance to the target),
re-runs the policy over the episodes (teacher-forced), corrects for the lag
between the actors' and the learner's policy with V-trace, and publishes the
new weights.
"""

from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import sonnet as snt
import tensorflow as tf

from spiral_acme import counting
from spiral_acme import loggers
from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import episodes
from spiral_acme.agents.spiral import losses
from spiral_acme.agents.spiral import publishing_learner
from spiral_acme.agents.spiral import rewards as rewards_lib
from spiral_acme.agents.spiral import schedules
from spiral_acme.agents.spiral import vtrace
from spiral_acme.replay import VariableClient
from spiral_acme.replay import VariablePublisher

_FIRST = 0
_MID = 1


class SpiralLearner(publishing_learner.PublishingLearner):
  """Trains a `SpiralPolicy` from episodes in replay."""

  def __init__(self,
               *,
               policy: snt.Module,
               config: config_lib.SpiralConfig,
               reward_fn: rewards_lib.RewardFunction,
               iterator: Iterator[Any],
               publisher: Optional[VariablePublisher] = None,
               discriminator_client: Optional[VariableClient] = None,
               counter: Optional[counting.Counter] = None,
               logger: Optional[loggers.Logger] = None):
    self._policy = policy
    self._config = config
    self._reward_fn = reward_fn
    self._discriminator_client = discriminator_client
    super().__init__(
        name="policy", module=policy,
        optimizer=snt.optimizers.Adam(
            learning_rate=config.learning_rate, beta1=config.adam_beta1,
            beta2=config.adam_beta2, epsilon=config.adam_epsilon),
        iterator=iterator, publisher=publisher, counter=counter,
        logger=logger)

  @property
  def policy(self) -> snt.Module:
    return self._policy

  @tf.function
  def _sgd_step(self, data: Any) -> Mapping[str, tf.Tensor]:
    batch = episodes.decode_batch(data)
    num_actions = tf.shape(batch.canvases)[0] - 1
    step = tf.identity(self._optimizer.step)  # Before this step's update.
    rewards = tf.stop_gradient(
        self._reward_fn(batch.canvases, batch.actions, batch.target,
                        step=step))
    observations = {
        "canvas": batch.canvases[:-1],
        "action_mask": {k: m[:-1] for k, m in batch.action_masks.items()},
        "noise_sample": _repeat_in_time(batch.noise_sample, num_actions),
    }
    if batch.target is not None:
      observations["target"] = _repeat_in_time(batch.target, num_actions)
    first = tf.fill([1, tf.shape(rewards)[1]], _FIRST)
    step_types = tf.concat(
        [first, tf.fill([num_actions - 1, tf.shape(rewards)[1]], _MID)], 0)
    # The mask in observation t+1 says which parts of action t took effect
    # (a move ignores control, size, colour...): only those are scored.
    masks = {k: m[1:] for k, m in batch.action_masks.items()}
    # Heads whose every value the environment rendered get the all-action
    # gradient from those canvases' rewards instead of REINFORCE's.
    gains = {}
    if batch.alternatives:
      gains = self._reward_fn.alternative_gains(
          batch.canvases, batch.alternatives, batch.actions, batch.target,
          step=step)
    pg_masks = {k: tf.zeros_like(m) if k in gains else m
                for k, m in masks.items()}

    variables = self._policy.trainable_variables
    with tf.GradientTape() as tape:
      extras, _ = self._policy.unroll(step_types, observations,
                                      batch.initial_state, batch.actions)
      logits = extras["logits"]
      values = extras["baseline"]
      target_log_prob = losses.joint_log_prob(logits, batch.actions, masks)
      behaviour_log_prob = losses.joint_log_prob(batch.behaviour_logits,
                                                 batch.actions, masks)
      is_last = tf.one_hot(num_actions - 1, num_actions)[:, tf.newaxis]
      discounts = self._config.discount * (1.0 - is_last) * tf.ones_like(
          rewards)
      returns = vtrace.vtrace_returns(
          log_rhos=target_log_prob - behaviour_log_prob,
          discounts=discounts,
          rewards=rewards,
          values=values,
          bootstrap_value=tf.zeros_like(values[0]),
          clip_rho_threshold=self._config.clip_rho_threshold,
          clip_pg_rho_threshold=self._config.clip_pg_rho_threshold)
      pg_loss = losses.policy_gradient_loss(
          losses.joint_log_prob(logits, batch.actions, pg_masks)
          if gains else target_log_prob, returns.pg_advantages)
      if gains and self._config.imitate_best_alternative:
        pg_loss += losses.best_alternative_loss(logits, gains, masks)
      elif gains:
        pg_loss += losses.all_action_loss(logits, gains, masks)
      baseline_loss = losses.baseline_loss(returns.vs - values)
      head_entropy = losses.per_head_entropy(logits, masks)
      entropy = tf.add_n(list(head_entropy.values()))
      head_costs = head_entropy_costs(self._config, step)
      entropy_bonus = losses.weighted_entropy(
          head_entropy, self._config.entropy_cost, head_costs)
      loss = (pg_loss + self._config.baseline_cost * baseline_loss -
              entropy_bonus)
    gradients = tape.gradient(loss, variables)
    gradients, grad_norm = clip_gradients(gradients,
                                          self._config.max_gradient_norm)
    self._optimizer.apply(gradients, variables)
    return {
        "loss": loss,
        "policy_loss": pg_loss,
        "baseline_loss": baseline_loss,
        "entropy": entropy,
        "entropy_bonus": entropy_bonus,
        **{f"{key}_entropy": value for key, value in head_entropy.items()},
        "gradient_norm": grad_norm,
        "episode_return": tf.reduce_mean(tf.reduce_sum(rewards, axis=0)),
        "mean_value": tf.reduce_mean(values),
        **{f"{key}_entropy_cost": tf.convert_to_tensor(cost, tf.float32)
           for key, cost in head_costs.items()},
        "mean_rho": tf.reduce_mean(
            tf.exp(target_log_prob - behaviour_log_prob)),
        **self._reward_fn.schedule(step),
        **{f"{key}_taken_was_best": _taken_was_best(gain, masks[key])
           for key, gain in gains.items()},
    }

  def _update(self, sample: Any) -> Mapping[str, tf.Tensor]:
    if self._discriminator_client is not None:
      # Rewards must use the newest published discriminator: a background
      # `update()` would apply the fetch started by the previous call (one
      # step stale, and the untrained initial weights on the first step).
      self._discriminator_client.update(wait=True)
    for _ in range(self._config.updates_per_batch):
      metrics = self._sgd_step(sample.data)
    return metrics

  def _step_counts(self) -> Mapping[str, int]:
    return {"steps": 1, "episodes": self._config.batch_size}


def head_entropy_costs(config: config_lib.SpiralConfig, step: tf.Tensor
                       ) -> Dict[str, Union[float, tf.Tensor]]:
  """{key: entropy cost} for the heads in `config.head_entropy_costs` after
  `step` policy optimiser steps (`head_entropy_until_steps` and its ramp)."""
  costs: Dict[str, Union[float, tf.Tensor]] = dict(config.head_entropy_costs)
  default = config.entropy_cost
  for key, until in config.head_entropy_until_steps:
    held = 1.0 - schedules.linear_ramp(step, until,
                                       config.head_entropy_ramp_steps)
    costs[key] = default + (costs[key] - default) * held
  return costs


def clip_gradients(gradients: List[tf.Tensor], max_norm: Optional[float]
                   ) -> Tuple[List[tf.Tensor], tf.Tensor]:
  """(gradients clipped to global norm `max_norm`, their norm before).

  `max_norm=None` leaves the gradients as they are.
  """
  norm = tf.linalg.global_norm(gradients)
  if max_norm is None:
    return list(gradients), norm
  clipped, _ = tf.clip_by_global_norm(gradients, max_norm, use_norm=norm)
  return clipped, norm


def _taken_was_best(gains: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
  """Fraction of the head's used steps where no value beat the one drawn."""
  best = tf.cast(tf.reduce_max(gains, -1) <= 0.0, tf.float32)
  return tf.reduce_sum(best * mask) / tf.maximum(tf.reduce_sum(mask), 1.0)


def _repeat_in_time(x: tf.Tensor, num_steps: tf.Tensor) -> tf.Tensor:
  """[B, ...] -> [T, B, ...] by repetition."""
  multiples = tf.concat([[num_steps], tf.ones([tf.rank(x)], tf.int32)], 0)
  return tf.tile(x[tf.newaxis], multiples)
