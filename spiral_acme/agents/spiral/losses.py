"""IMPALA loss terms for SPIRAL's factorised, masked action heads.

SPIRAL's action is a dict of independent heads, and on a "move" step only
`end` and `flag` matter: the environment's action mask is 0 for the others.
A masked head adds neither log-probability nor entropy, so the joint
log-probability of an action is the sum over the unmasked heads only; the
behaviour policy's and the learner's log-probabilities are both taken this
way, so importance weights compare like with like.
"""

from typing import Mapping, Optional, Union

import numpy as np
import tensorflow as tf

Heads = Mapping[str, tf.Tensor]


def _shape(x) -> tf.TensorShape:
  return tf.TensorShape(x.shape if hasattr(x, "shape") else np.shape(x))


def _check_heads(logits: Heads, other: Optional[Heads], what: str) -> None:
  if other is None:
    return
  if set(other) != set(logits):
    raise ValueError(
        f"{what} must have the same heads as logits {sorted(logits)}; "
        f"missing {sorted(set(logits) - set(other))}, "
        f"unexpected {sorted(set(other) - set(logits))}.")
  for key, head_logits in logits.items():
    expected = _shape(head_logits)[:-1]
    if not _shape(other[key]).is_compatible_with(expected):
      raise ValueError(
          f"{what}[{key!r}] must have shape {expected} (logits shape without "
          f"the last axis), got {_shape(other[key])}.")


def _masked_sum(per_head: Mapping[str, tf.Tensor],
                masks: Optional[Heads]) -> tf.Tensor:
  total = None
  for key in sorted(per_head):
    term = per_head[key]
    if masks is not None:
      term *= tf.cast(masks[key], term.dtype)
    total = term if total is None else total + term
  return total


def joint_log_prob(logits: Heads, actions: Heads,
                   masks: Optional[Heads] = None) -> tf.Tensor:
  """log pi(a) summed over the heads whose mask is 1.

  Args:
    logits: {head: [..., num_values]} unnormalised log-probabilities.
    actions: {head: [...]} int actions, the same heads as `logits`.
    masks: {head: [...]} 1.0 where the head was used, 0.0 where it was not;
      None counts every head.

  Returns:
    [...] the joint log-probability of the (unmasked part of the) action.
  """
  if not logits:
    raise ValueError("logits must hold at least one head, got none.")
  _check_heads(logits, actions, "actions")
  _check_heads(logits, masks, "masks")
  per_head = {
      key: -tf.nn.sparse_softmax_cross_entropy_with_logits(
          labels=tf.cast(actions[key], tf.int32), logits=head_logits)
      for key, head_logits in logits.items()}
  return _masked_sum(per_head, masks)


def joint_entropy(logits: Heads, masks: Optional[Heads] = None) -> tf.Tensor:
  """[...] entropy of the policy, summed over the unmasked heads."""
  if not logits:
    raise ValueError("logits must hold at least one head, got none.")
  _check_heads(logits, masks, "masks")
  per_head = {
      key: -tf.reduce_sum(
          tf.nn.softmax(head_logits) * tf.nn.log_softmax(head_logits), -1)
      for key, head_logits in logits.items()}
  return _masked_sum(per_head, masks)


def per_head_entropy(logits: Heads, masks: Optional[Heads] = None
                     ) -> dict[str, tf.Tensor]:
  """{key: mean over steps and batch of the head's masked entropy}."""
  if not logits:
    raise ValueError("logits must hold at least one head, got none.")
  _check_heads(logits, masks, "masks")
  result = {}
  for key, head_logits in logits.items():
    term = -tf.reduce_sum(
        tf.nn.softmax(head_logits) * tf.nn.log_softmax(head_logits), -1)
    if masks is not None:
      term *= tf.cast(masks[key], term.dtype)
    result[key] = tf.reduce_mean(term)
  return result


def weighted_entropy(per_head: Mapping[str, tf.Tensor], default_cost: float,
                     costs: Mapping[str, Union[float, tf.Tensor]]
                     ) -> tf.Tensor:
  """Sum over heads of cost x entropy (a scalar to maximise).

  `per_head` is `per_head_entropy`'s result. `costs` sets some heads'
  weights; the others get `default_cost`, so with no `costs` this is
  `default_cost * entropy(logits, masks)`.
  """
  unknown = sorted(set(costs) - set(per_head))
  if unknown:
    raise ValueError(f"Entropy costs name heads {unknown} that the policy "
                     f"does not have; its heads are {sorted(per_head)}.")
  return tf.add_n([costs.get(key, default_cost) * per_head[key]
                   for key in sorted(per_head)])


def entropy(logits: Heads, masks: Optional[Heads] = None) -> tf.Tensor:
  """Mean over steps and batch of `joint_entropy` (a scalar to maximise)."""
  return tf.reduce_mean(joint_entropy(logits, masks))


def entropy_loss(logits: Heads, masks: Optional[Heads] = None) -> tf.Tensor:
  """Scalar loss whose minimisation raises the policy's entropy."""
  return -entropy(logits, masks)


def policy_gradient_loss(log_probs: tf.Tensor,
                         advantages: tf.Tensor) -> tf.Tensor:
  """Scalar mean of -log pi(a_t) * A_t; no gradient flows into A_t.

  Args:
    log_probs: [T, B] from `joint_log_prob` under the learner's policy.
    advantages: [T, B], e.g. V-trace's `pg_advantages`.
  """
  log_probs = tf.convert_to_tensor(log_probs)
  advantages = tf.convert_to_tensor(advantages, log_probs.dtype)
  if not advantages.shape.is_compatible_with(log_probs.shape):
    raise ValueError(
        f"advantages must have the shape of log_probs {log_probs.shape}, got "
        f"{advantages.shape}.")
  return -tf.reduce_mean(log_probs * tf.stop_gradient(advantages))


def baseline_loss(td_errors: tf.Tensor) -> tf.Tensor:
  """Scalar mean of 0.5 * (vs - V)^2, given td_errors = vs - V."""
  return tf.reduce_mean(0.5 * tf.square(td_errors))


def _checked_gains(logits: Heads, gains: Heads, masks: Optional[Heads]
                   ) -> tuple[dict[str, tf.Tensor], Optional[Heads]]:
  """(gains as tensors without gradient, the masks of their heads)."""
  if not gains:
    raise ValueError("gains must hold at least one head, got none.")
  unknown = sorted(set(gains) - set(logits))
  if unknown:
    raise ValueError(f"gains name heads {unknown} that logits do not have; "
                     f"its heads are {sorted(logits)}.")
  scored_masks = None if masks is None else {k: masks[k] for k in gains}
  _check_heads({k: logits[k] for k in gains}, scored_masks, "masks")
  tensors = {}
  for key, gain in gains.items():
    head_logits = logits[key]
    gain = tf.stop_gradient(tf.convert_to_tensor(gain, head_logits.dtype))
    if not gain.shape.is_compatible_with(head_logits.shape):
      raise ValueError(f"gains[{key!r}] must have the shape of its logits "
                       f"{head_logits.shape}, got {gain.shape}.")
    tensors[key] = gain
  return tensors, scored_masks


def all_action_loss(logits: Heads, gains: Heads,
                    masks: Optional[Heads] = None) -> tf.Tensor:
  """Scalar mean of -sum_k sum_v pi_k(v) * gain_k(v); no gradient into gains.

  The all-action policy gradient for heads whose every value was scored
  (`gains[k]`: [T, B, n_k], each value's reward over the taken value's):
  it moves head k's probabilities towards the values that score better,
  with no sampling noise, where REINFORCE would use the one value drawn.
  Only the heads in `gains` are used; `masks` as in `joint_log_prob`.
  """
  gains, masks = _checked_gains(logits, gains, masks)
  per_head = {key: tf.reduce_sum(tf.nn.softmax(logits[key]) * gain, -1)
              for key, gain in gains.items()}
  return -tf.reduce_mean(_masked_sum(per_head, masks))


def best_alternative_loss(logits: Heads, gains: Heads,
                          masks: Optional[Heads] = None) -> tf.Tensor:
  """Scalar mean over heads in `gains` of the cross-entropy from each step's
  best-scoring values (`gains[k]`: [T, B, n_k]; ties share the target) to
  head k's policy; `masks` as in `joint_log_prob`."""
  gains, masks = _checked_gains(logits, gains, masks)
  per_head = {}
  for key, gain in gains.items():
    best = tf.cast(gain >= tf.reduce_max(gain, -1, keepdims=True),
                   gain.dtype)
    target = best / tf.reduce_sum(best, -1, keepdims=True)
    per_head[key] = -tf.reduce_sum(
        target * tf.nn.log_softmax(logits[key]), -1)
  return tf.reduce_mean(_masked_sum(per_head, masks))
