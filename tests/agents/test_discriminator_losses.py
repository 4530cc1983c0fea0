"""Tests for the discriminator losses and learner (discriminator_learning)."""

import types

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme import counting
from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import discriminator_learning as dl
from spiral_acme.networks import discriminator as discriminator_lib

_B, _W, _C = 4, 3, 2


def _images(seed, batch=_B):
  rng = np.random.default_rng(seed)
  return rng.uniform(size=(batch, _W, _W, _C)).astype(np.float32)


def _softplus(x):
  return np.log1p(np.exp(x))


def _sigmoid(x):
  return 1 / (1 + np.exp(-x))


class _Linear:
  """D(x) = sum(w * x) (+ sum(v * x * target)): gradients known by hand."""

  def __init__(self, w, v=None):
    self.w = tf.Variable(w)
    self.v = None if v is None else tf.constant(v)
    self.calls = []

  def __call__(self, x, target=None, *, is_training=False):
    self.calls.append((target is not None, is_training))
    score = tf.reduce_sum(self.w * x, axis=[1, 2, 3])
    if self.v is not None:
      score += tf.reduce_sum(self.v * x * target, axis=[1, 2, 3])
    return score


def _sum(w, x):
  return (w * x).reshape(len(x), -1).sum(-1)


@pytest.mark.parametrize("slope,gamma", [(1.0, 1.0), (0.5, 10.0)])
def test_wgan_gp_penalty_of_a_linear_critic(slope, gamma):
  w = _images(0, batch=1)[0]
  real, fake = _images(1), _images(2)
  interpolation = np.linspace(0, 1, _B, dtype=np.float32).reshape(_B, 1, 1, 1)
  critic = _Linear(w)
  got = dl.wgan_gp_loss(critic, tf.constant(real), tf.constant(fake), None,
                        slope=slope, gamma=gamma,
                        interpolation=tf.constant(interpolation))
  # |grad D| = |w| everywhere, so the interpolates do not matter.
  penalty = gamma * (np.sqrt(np.sum(w ** 2)) - slope) ** 2
  wasserstein = _sum(w, real).mean() - _sum(w, fake).mean()
  np.testing.assert_allclose(got["gradient_penalty"].numpy(), penalty,
                             rtol=1e-5)
  np.testing.assert_allclose(got["wasserstein_estimate"].numpy(), wasserstein,
                             rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got["loss"].numpy(), penalty - wasserstein,
                             rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got["score_real"].numpy(), _sum(w, real).mean(),
                             rtol=1e-5)
  np.testing.assert_allclose(got["score_fake"].numpy(), _sum(w, fake).mean(),
                             rtol=1e-5)
  assert all(is_training for _, is_training in critic.calls)


def test_wgan_gp_penalty_is_taken_at_the_interpolates():
  # D(x) = 0.5 * sum(x^2) has grad D(x) = x, so |grad| = |mixed|.
  def critic(x, target=None, *, is_training=False):
    del target, is_training
    return 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

  real, fake = _images(3), _images(4) * 3.0
  interpolation = np.array([0.0, 0.25, 0.7, 1.0],
                           np.float32).reshape(_B, 1, 1, 1)
  got = dl.wgan_gp_loss(critic, tf.constant(real), tf.constant(fake), None,
                        slope=1.0, gamma=2.0,
                        interpolation=tf.constant(interpolation))
  mixed = interpolation * real + (1 - interpolation) * fake
  norms = np.sqrt(np.square(mixed).reshape(_B, -1).sum(-1))
  np.testing.assert_allclose(got["gradient_penalty"].numpy(),
                             2.0 * np.mean((norms - 1.0) ** 2), rtol=1e-5)


def test_wgan_gp_conditional_penalty_differentiates_the_canvas_only():
  w, v = _images(5, batch=1)[0], _images(6, batch=1)[0]
  real, fake, target = _images(7), _images(8), _images(9)
  critic = _Linear(w, v)
  interpolation = tf.fill([_B, 1, 1, 1], 0.5)
  got = dl.wgan_gp_loss(critic, tf.constant(real), tf.constant(fake),
                        tf.constant(target), slope=1.0, gamma=1.0,
                        interpolation=interpolation)
  # grad_x D(x, t) = w + v * t, per example.
  norms = np.sqrt(np.square(w + v * target).reshape(_B, -1).sum(-1))
  np.testing.assert_allclose(got["gradient_penalty"].numpy(),
                             np.mean((norms - 1.0) ** 2), rtol=1e-5)
  want_real = (_sum(w, real) + _sum(v, real * target)).mean()
  np.testing.assert_allclose(got["score_real"].numpy(), want_real, rtol=1e-5)
  assert all(has_target for has_target, _ in critic.calls)


def test_wgan_gp_loss_gradient_includes_the_penalty():
  w = _images(10, batch=1)[0]
  real, fake = _images(11), _images(12)
  critic = _Linear(w)
  slope, gamma = 0.5, 3.0
  with tf.GradientTape() as tape:
    got = dl.wgan_gp_loss(critic, tf.constant(real), tf.constant(fake), None,
                          slope=slope, gamma=gamma,
                          interpolation=tf.fill([_B, 1, 1, 1], 0.3))
  grad = tape.gradient(got["loss"], critic.w).numpy()
  norm = np.sqrt(np.sum(w ** 2))
  want = (2 * gamma * (norm - slope) * w / norm -
          (real.mean(0) - fake.mean(0)))
  np.testing.assert_allclose(grad, want, rtol=1e-4, atol=1e-5)


def test_gan_loss_is_softplus_of_the_logits():
  w = _images(13, batch=1)[0] - 0.5
  real, fake = _images(14), _images(15)
  critic = _Linear(w)
  got = dl.gan_loss(critic, tf.constant(real), tf.constant(fake), None)
  logits_real, logits_fake = _sum(w, real), _sum(w, fake)
  want = _softplus(-logits_real).mean() + _softplus(logits_fake).mean()
  np.testing.assert_allclose(got["loss"].numpy(), want, rtol=1e-5)
  np.testing.assert_allclose(got["score_real"].numpy(), logits_real.mean(),
                             rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got["score_fake"].numpy(), logits_fake.mean(),
                             rtol=1e-5, atol=1e-6)
  # The loss equals -log sigmoid(D(real)) - log(1 - sigmoid(D(fake))).
  cross_entropy = (-np.log(_sigmoid(logits_real)).mean() -
                   np.log(1 - _sigmoid(logits_fake)).mean())
  np.testing.assert_allclose(got["loss"].numpy(), cross_entropy, rtol=1e-5)


def test_gan_loss_passes_the_target():
  w, v = _images(16, batch=1)[0], _images(17, batch=1)[0]
  real, fake, target = _images(18), _images(19), _images(20)
  critic = _Linear(w, v)
  got = dl.gan_loss(critic, tf.constant(real), tf.constant(fake),
                    tf.constant(target))
  logits_fake = _sum(w, fake) + _sum(v, fake * target)
  np.testing.assert_allclose(got["score_fake"].numpy(), logits_fake.mean(),
                             rtol=1e-5)


class _Iterator:
  """Endless batches of black fake canvases, as Reverb samples look."""

  def __init__(self, batch, width, *, target=None):
    self._batch = batch
    self._width = width
    self._target = target

  def __iter__(self):
    return self

  def __next__(self):
    episode = {} if self._target is None else {"target": self._target}
    canvas = np.zeros((self._batch, self._width, self._width, 1), np.uint8)
    return types.SimpleNamespace(
        data={"observation": {"canvas": canvas}, "episode": episode})


class _Publisher:

  def __init__(self):
    self.count = 0

  def publish(self):
    self.count += 1


def _learner(loss, *, conditional=False):
  mode = (discriminator_lib.DiscriminatorMode.CONDITIONAL if conditional
          else discriminator_lib.DiscriminatorMode.UNCONDITIONAL)
  critic = discriminator_lib.Discriminator(
      discriminator_lib.DiscriminatorConfig.small(
          channels=(4, 8, 8), mode=mode))
  width, batch = critic.config.min_canvas_width, 4
  # Built before the learner sees it, as the builder does: the learner reads
  # its trainable variables before the first call.
  blank = tf.zeros([1, width, width, 1])
  critic(blank, blank if conditional else None)
  config = config_lib.SpiralConfig(
      conditional=conditional, discriminator_loss=loss,
      discriminator_batch_size=batch, discriminator_learning_rate=1e-2)
  target = np.ones((batch, width, width, 1), np.float32)
  publisher, counter = _Publisher(), counting.Counter()
  learner = dl.DiscriminatorLearner(
      discriminator=critic, config=config,
      iterator=_Iterator(batch, width,
                         target=target if conditional else None),
      real_sampler=None if conditional else (
          lambda n: np.ones((n, width, width, 1), np.float32)),
      publisher=publisher, counter=counter)
  return learner, publisher, counter


# Unconditional reals come from the sampler; conditional reals are the
# (white) targets themselves.
@pytest.mark.parametrize("loss,conditional", [
    (config_lib.DiscriminatorLoss.WGAN_GP, False),
    (config_lib.DiscriminatorLoss.GAN, True)])
def test_learner_scores_white_reals_above_black_fakes(loss, conditional):
  learner, publisher, counter = _learner(loss, conditional=conditional)
  steps = 10
  gaps = []
  for _ in range(steps):
    learner.step()
    metrics = learner.last_metrics
    gaps.append(metrics["score_real"] - metrics["score_fake"])
  # The first step's metrics are the untrained critic's.
  assert gaps[-1] > gaps[0] + 1.0, gaps
  assert counter.get_counts()["steps"] == steps
  assert publisher.count == 1 + steps  # At construction and after each step.
  (values,) = learner.get_variables(["discriminator"])
  critic = learner.save()["discriminator"]
  assert len(values) == len(critic.variables)
  for value, variable in zip(values, critic.variables):
    np.testing.assert_array_equal(value, variable.numpy())


def test_unconditional_learner_needs_a_real_sampler():
  critic = discriminator_lib.Discriminator(
      discriminator_lib.DiscriminatorConfig.small())
  with pytest.raises(ValueError, match="real_sampler"):
    dl.DiscriminatorLearner(discriminator=critic,
                            config=config_lib.SpiralConfig(),
                            iterator=_Iterator(2, 8))
