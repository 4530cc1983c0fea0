"""V-trace off-policy targets (Espeholt et al., 2018, IMPALA) in TF2.

Actors act with slightly stale weights, so the learner corrects its value
targets and policy-gradient advantages with truncated importance weights
rho_t = pi(a_t | x_t) / mu(a_t | x_t) (target over behaviour policy).
"""

import math
from typing import NamedTuple, Optional

import tensorflow as tf


class VTraceReturns(NamedTuple):
  """V-trace value targets `vs` and policy-gradient advantages, both [T, B]."""
  vs: tf.Tensor
  pg_advantages: tf.Tensor


def _check_threshold(name: str, value: Optional[float]) -> None:
  if value is None:
    return
  if not (isinstance(value, (int, float)) and math.isfinite(value)
          and value > 0):
    raise ValueError(f"{name} must be None or a number > 0, got {value!r}.")


def _check_shapes(values: tf.Tensor, bootstrap_value: tf.Tensor,
                  **time_major: tf.Tensor) -> None:
  if values.shape.rank != 2:
    raise ValueError(f"values must be [T, B], got shape {values.shape}.")
  for name, tensor in time_major.items():
    if not tensor.shape.is_compatible_with(values.shape):
      raise ValueError(
          f"{name} must have the shape of values {values.shape} ([T, B]), "
          f"got {tensor.shape}.")
  if not bootstrap_value.shape.is_compatible_with(values.shape[1:]):
    raise ValueError(
        f"bootstrap_value must be [B] = {values.shape[1:]}, got "
        f"{bootstrap_value.shape}.")


def vtrace_returns(log_rhos: tf.Tensor,
                   discounts: tf.Tensor,
                   rewards: tf.Tensor,
                   values: tf.Tensor,
                   bootstrap_value: tf.Tensor,
                   *,
                   clip_rho_threshold: Optional[float] = 1.0,
                   clip_pg_rho_threshold: Optional[float] = 1.0,
                   lambda_: float = 1.0) -> VTraceReturns:
  """Computes V-trace targets with a reverse scan over time.

  With rho_t = exp(log_rhos_t), c_t = lambda_ * min(1, rho_t) and
  delta_t = min(clip_rho, rho_t) * (r_t + gamma_t V(x_{t+1}) - V(x_t)):

    vs_t - V(x_t) = delta_t + gamma_t c_t (vs_{t+1} - V(x_{t+1}))
    pg_advantage_t = min(clip_pg_rho, rho_t) * (r_t + gamma_t vs_{t+1} - V(x_t))

  where V(x_T) = vs_T = bootstrap_value. Both outputs are constants for the
  optimiser (gradients stop), as in IMPALA.

  Args:
    log_rhos: [T, B] log(pi(a_t) / mu(a_t)) of the actions taken.
    discounts: [T, B] gamma_t, already zero where an episode ended.
    rewards: [T, B] r_t, the reward after action a_t.
    values: [T, B] V(x_t) from the learner's current network.
    bootstrap_value: [B] V(x_T), the value of the state after the last step.
    clip_rho_threshold: truncation of rho in the value targets (rho-bar);
      None disables it.
    clip_pg_rho_threshold: truncation of rho in the advantages; None disables.
    lambda_: trace-cutting mixing parameter in [0, 1].

  Returns:
    VTraceReturns(vs [T, B], pg_advantages [T, B]).
  """
  _check_threshold("clip_rho_threshold", clip_rho_threshold)
  _check_threshold("clip_pg_rho_threshold", clip_pg_rho_threshold)
  if not (isinstance(lambda_, (int, float)) and 0 <= lambda_ <= 1):
    raise ValueError(f"lambda_ must be a number in [0, 1], got {lambda_!r}.")
  values = tf.convert_to_tensor(values)
  dtype = values.dtype
  log_rhos = tf.convert_to_tensor(log_rhos, dtype)
  discounts = tf.convert_to_tensor(discounts, dtype)
  rewards = tf.convert_to_tensor(rewards, dtype)
  bootstrap_value = tf.convert_to_tensor(bootstrap_value, dtype)
  _check_shapes(values, bootstrap_value, log_rhos=log_rhos,
                discounts=discounts, rewards=rewards)

  with tf.name_scope("vtrace"):
    rhos = tf.exp(log_rhos)
    clipped_rhos = (rhos if clip_rho_threshold is None
                    else tf.minimum(rhos, clip_rho_threshold))
    cs = lambda_ * tf.minimum(rhos, 1.0)
    next_values = tf.concat([values[1:], bootstrap_value[tf.newaxis]], axis=0)
    deltas = clipped_rhos * (rewards + discounts * next_values - values)

    def backward(acc, elems):
      decay, delta = elems
      return delta + decay * acc

    vs_minus_values = tf.scan(
        backward, (discounts * cs, deltas),
        initializer=tf.zeros_like(bootstrap_value), reverse=True)
    vs = values + vs_minus_values

    next_vs = tf.concat([vs[1:], bootstrap_value[tf.newaxis]], axis=0)
    pg_rhos = (rhos if clip_pg_rho_threshold is None
               else tf.minimum(rhos, clip_pg_rho_threshold))
    pg_advantages = pg_rhos * (rewards + discounts * next_vs - values)
    return VTraceReturns(vs=tf.stop_gradient(vs),
                         pg_advantages=tf.stop_gradient(pg_advantages))
