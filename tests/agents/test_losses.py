"""Tests for the masked IMPALA loss terms of agents.spiral.losses."""

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme.agents.spiral import losses

_SIZES = {"flag": 2, "end": 9, "size": 4}


def _log_softmax(x):
  x = x - x.max(-1, keepdims=True)
  return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _inputs(seed=0, shape=(3, 2)):
  rng = np.random.default_rng(seed)
  logits = {k: rng.normal(size=shape + (n,)).astype(np.float32)
            for k, n in _SIZES.items()}
  actions = {k: rng.integers(0, n, size=shape).astype(np.int32)
             for k, n in _SIZES.items()}
  # Step 0 paints (all heads), later steps move (size masked out).
  masks = {k: np.ones(shape, np.float32) for k in _SIZES}
  masks["size"][1:] = 0.0
  return logits, actions, masks


def test_joint_log_prob_sums_unmasked_heads():
  logits, actions, masks = _inputs()
  got = losses.joint_log_prob(logits, actions, masks).numpy()
  want = np.zeros((3, 2))
  for key in _SIZES:
    log_probs = np.take_along_axis(
        _log_softmax(logits[key]), actions[key][..., None], -1)[..., 0]
    want += masks[key] * log_probs
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  unmasked = losses.joint_log_prob(logits, actions).numpy()
  assert not np.allclose(unmasked[1:], got[1:])
  np.testing.assert_allclose(unmasked[0], got[0], rtol=1e-6)


def test_masked_heads_contribute_nothing_nor_gradient():
  logits, actions, masks = _inputs()
  changed_logits = dict(logits, size=logits["size"] * 10 + 3)
  changed_actions = dict(actions, size=(actions["size"] + 1) % 4)
  base_lp = losses.joint_log_prob(logits, actions, masks).numpy()
  new_lp = losses.joint_log_prob(changed_logits, changed_actions,
                                 masks).numpy()
  np.testing.assert_allclose(new_lp[1:], base_lp[1:], rtol=1e-6)
  assert not np.allclose(new_lp[0], base_lp[0])
  base_h = losses.joint_entropy(logits, masks).numpy()
  new_h = losses.joint_entropy(changed_logits, masks).numpy()
  np.testing.assert_allclose(new_h[1:], base_h[1:], rtol=1e-6)

  size_logits = tf.Variable(logits["size"])
  with tf.GradientTape() as tape:
    heads = dict(logits, size=size_logits)
    total = (tf.reduce_sum(losses.joint_log_prob(heads, actions, masks)) +
             losses.entropy(heads, masks))
  grad = tape.gradient(total, size_logits).numpy()
  np.testing.assert_array_equal(grad[1:], 0.0)
  assert np.abs(grad[0]).sum() > 0


def test_entropy_of_uniform_heads_is_sum_of_log_sizes():
  logits = {k: tf.zeros([3, 2, n]) for k, n in _SIZES.items()}
  masks = {k: tf.ones([3, 2]) for k in _SIZES}
  masks["end"] = tf.constant([[1.0, 0.0]] * 3)
  per_step = losses.joint_entropy(logits, masks).numpy()
  np.testing.assert_allclose(per_step[:, 0], np.log(2 * 9 * 4), rtol=1e-6)
  np.testing.assert_allclose(per_step[:, 1], np.log(2 * 4), rtol=1e-6)
  np.testing.assert_allclose(losses.entropy(logits, masks).numpy(),
                             per_step.mean(), rtol=1e-6)
  np.testing.assert_allclose(losses.entropy_loss(logits, masks).numpy(),
                             -per_step.mean(), rtol=1e-6)


def test_weighted_entropy_scales_each_head_by_its_cost():
  logits, _, masks = _inputs()
  per_head = losses.per_head_entropy(logits, masks)
  # With no per-head costs it is the default cost times the entropy.
  np.testing.assert_allclose(
      losses.weighted_entropy(per_head, 0.01, {}).numpy(),
      0.01 * losses.entropy(logits, masks).numpy(), rtol=1e-5)
  # A head's own cost replaces the default for that head only; masked
  # steps still add nothing.
  got = losses.weighted_entropy(per_head, 0.01, {"size": 2.0}).numpy()
  want = (0.01 * (per_head["flag"] + per_head["end"]) +
          2.0 * per_head["size"]).numpy()
  np.testing.assert_allclose(got, want, rtol=1e-5)
  size_entropy = -(np.exp(_log_softmax(logits["size"])) *
                   _log_softmax(logits["size"])).sum(-1)
  np.testing.assert_allclose(per_head["size"].numpy(),
                             (size_entropy * masks["size"]).mean(),
                             rtol=1e-5)
  with pytest.raises(ValueError, match=r"heads \['colour'\] that the "
                     "policy does not have"):
    losses.weighted_entropy(per_head, 0.01, {"colour": 1.0})


def test_policy_gradient_loss_value_and_gradients():
  logits, actions, _ = _inputs()
  flag_logits = tf.Variable(logits["flag"])
  advantages = tf.Variable(np.array([[1.0, -2.0]] * 3, np.float32))
  with tf.GradientTape(persistent=True) as tape:
    log_probs = losses.joint_log_prob({"flag": flag_logits},
                                      {"flag": actions["flag"]})
    loss = losses.policy_gradient_loss(log_probs, advantages)
  np.testing.assert_allclose(
      loss.numpy(), -np.mean(log_probs.numpy() * advantages.numpy()),
      rtol=1e-6)
  assert tape.gradient(loss, advantages) is None
  probs = np.exp(_log_softmax(logits["flag"]))
  one_hot = np.eye(2)[actions["flag"]]
  want = (probs - one_hot) * advantages.numpy()[..., None] / 6
  np.testing.assert_allclose(tape.gradient(loss, flag_logits).numpy(), want,
                             rtol=1e-5, atol=1e-7)


def test_baseline_loss_is_half_mean_square():
  td = tf.constant([[1.0, -2.0], [3.0, 0.0]])
  np.testing.assert_allclose(losses.baseline_loss(td).numpy(),
                             0.5 * (1 + 4 + 9 + 0) / 4)


def test_mismatched_heads_and_shapes_are_errors():
  logits, actions, masks = _inputs()
  with pytest.raises(ValueError, match=r"missing \['size'\]"):
    losses.joint_log_prob(logits, {k: actions[k] for k in ("flag", "end")})
  with pytest.raises(ValueError, match=r"unexpected \['red'\]"):
    losses.joint_entropy(logits, dict(masks, red=masks["flag"]))
  with pytest.raises(ValueError, match=r"actions\['end'\]"):
    losses.joint_log_prob(logits, dict(actions, end=actions["end"][0]))
  with pytest.raises(ValueError, match="at least one head"):
    losses.joint_entropy({})
  with pytest.raises(ValueError, match="advantages"):
    losses.policy_gradient_loss(tf.zeros([3, 2]), tf.zeros([2, 3]))


def test_all_action_loss_is_the_expected_gain_and_moves_towards_the_best():
  logits, _, masks = _inputs()
  rng = np.random.default_rng(3)
  gains = {"end": rng.normal(size=(3, 2, 9)).astype(np.float32),
           "size": rng.normal(size=(3, 2, 4)).astype(np.float32)}
  loss = losses.all_action_loss(logits, gains, masks).numpy()
  expected = sum(
      (np.exp(_log_softmax(logits[k])) * gains[k]).sum(-1) * masks[k]
      for k in gains).mean()
  np.testing.assert_allclose(loss, -expected, rtol=1e-5)

  variable = tf.Variable(logits["end"])
  with tf.GradientTape() as tape:
    loss = losses.all_action_loss({**logits, "end": variable},
                                  {"end": gains["end"]}, masks)
  moved = variable - 0.1 * tape.gradient(loss, variable)
  best = gains["end"].argmax(-1)
  before = np.take_along_axis(_log_softmax(logits["end"]), best[..., None],
                              -1)
  after = np.take_along_axis(_log_softmax(moved.numpy()), best[..., None],
                             -1)
  assert np.all(after > before)


def test_all_action_loss_ignores_masked_steps_and_checks_its_inputs():
  logits, _, masks = _inputs()
  gains = {"size": np.ones((3, 2, 4), np.float32)}
  size = tf.Variable(logits["size"])
  with tf.GradientTape() as tape:
    loss = losses.all_action_loss({**logits, "size": size},
                                  {"size": gains["size"] * np.arange(4)},
                                  masks)
  gradient = tape.gradient(loss, size).numpy()
  assert np.all(gradient[1:] == 0.0) and np.any(gradient[0] != 0.0)
  with pytest.raises(ValueError, match="gains name heads \\['colour'\\]"):
    losses.all_action_loss(logits, {"colour": gains["size"]}, masks)
  with pytest.raises(ValueError, match="gains\\['size'\\] must have the "
                                       "shape of its logits"):
    losses.all_action_loss(logits, {"size": np.ones((3, 2, 5), np.float32)})
  with pytest.raises(ValueError, match="at least one head"):
    losses.all_action_loss(logits, {})


def test_best_alternative_loss_is_the_cross_entropy_to_the_best_values():
  logits, _, masks = _inputs()
  gains = np.zeros((3, 2, 4), np.float32)
  gains[..., 2] = 1.0
  gains[0, 0] = [0.0, 1.0, 1.0, 0.0]  # A tie shares the target.
  loss = losses.best_alternative_loss(logits, {"size": gains}, masks).numpy()
  log_pi = _log_softmax(logits["size"])
  target = (gains == gains.max(-1, keepdims=True)).astype(np.float32)
  target /= target.sum(-1, keepdims=True)
  expected = (-(target * log_pi).sum(-1) * masks["size"]).mean()
  np.testing.assert_allclose(loss, expected, rtol=1e-5)
  uniform = {"size": np.zeros((3, 2, 4), np.float32)}
  np.testing.assert_allclose(
      losses.best_alternative_loss(uniform, {"size": gains}).numpy(),
      np.log(4.0), rtol=1e-6)
  with pytest.raises(ValueError, match="gains name heads \\['colour'\\]"):
    losses.best_alternative_loss(logits, {"colour": gains}, masks)
