"""The discriminator learner: real images against the agent's final canvases.

Fakes come from the canvas table that actors fill at the end of each
episode. In unconditional runs real images come from the dataset; in
conditional runs the real pair for a target is (target, target), so the
discriminator learns what a perfect reconstruction of each target looks like.
"""

from typing import Any, Callable, Iterator, Mapping, Optional

import numpy as np
import sonnet as snt
import tensorflow as tf

from spiral_acme import counting
from spiral_acme import loggers
from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import episodes
from spiral_acme.agents.spiral import publishing_learner
from spiral_acme.replay import VariablePublisher

# (batch_size) -> f32[batch_size, W, W, C] real images.
RealSampler = Callable[[int], np.ndarray]


def wgan_gp_loss(discriminator: Callable[..., tf.Tensor], real: tf.Tensor,
                 fake: tf.Tensor, target: Optional[tf.Tensor], *,
                 slope: float, gamma: float,
                 interpolation: tf.Tensor) -> Mapping[str, tf.Tensor]:
  """WGAN critic loss plus gamma * E[(|grad_x D(x)| - slope)^2].

  `interpolation` holds per-example weights in [0, 1] of shape [B, 1, 1, 1];
  the penalty is taken at `w * real + (1 - w) * fake` (for the canvas only in
  conditional runs).
  """
  score_real = discriminator(real, target, is_training=True)
  score_fake = discriminator(fake, target, is_training=True)
  mixed = interpolation * real + (1.0 - interpolation) * fake
  with tf.GradientTape() as tape:
    tape.watch(mixed)
    score_mixed = discriminator(mixed, target, is_training=True)
  grads = tape.gradient(score_mixed, mixed)
  norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + 1e-12)
  penalty = gamma * tf.reduce_mean(tf.square(norms - slope))
  wasserstein = tf.reduce_mean(score_real) - tf.reduce_mean(score_fake)
  return {"loss": penalty - wasserstein, "gradient_penalty": penalty,
          "wasserstein_estimate": wasserstein,
          "score_real": tf.reduce_mean(score_real),
          "score_fake": tf.reduce_mean(score_fake)}


def gan_loss(discriminator: Callable[..., tf.Tensor], real: tf.Tensor,
             fake: tf.Tensor,
             target: Optional[tf.Tensor]) -> Mapping[str, tf.Tensor]:
  """Standard (non-saturating) GAN loss on logits."""
  score_real = discriminator(real, target, is_training=True)
  score_fake = discriminator(fake, target, is_training=True)
  loss = (tf.reduce_mean(tf.nn.softplus(-score_real)) +
          tf.reduce_mean(tf.nn.softplus(score_fake)))
  return {"loss": loss, "score_real": tf.reduce_mean(score_real),
          "score_fake": tf.reduce_mean(score_fake)}


class DiscriminatorLearner(publishing_learner.PublishingLearner):
  """Trains the discriminator and publishes its weights."""

  def __init__(self,
               *,
               discriminator: snt.Module,
               config: config_lib.SpiralConfig,
               iterator: Iterator[Any],
               real_sampler: Optional[RealSampler] = None,
               seed: int = 0,
               publisher: Optional[VariablePublisher] = None,
               counter: Optional[counting.Counter] = None,
               logger: Optional[loggers.Logger] = None):
    if not config.conditional and real_sampler is None:
      raise ValueError("An unconditional discriminator needs a real_sampler.")
    self._discriminator = discriminator
    self._config = config
    self._real_sampler = real_sampler
    self._rng = tf.random.Generator.from_seed(seed)
    super().__init__(
        name="discriminator", module=discriminator,
        optimizer=snt.optimizers.Adam(
            learning_rate=config.discriminator_learning_rate,
            beta1=config.discriminator_adam_beta1,
            beta2=config.discriminator_adam_beta2,
            epsilon=config.discriminator_adam_epsilon),
        iterator=iterator, publisher=publisher, counter=counter,
        logger=logger)

  def _score(self, canvas, target, *, is_training):
    if self._config.conditional:
      return self._discriminator(canvas, target, is_training=is_training)
    return self._discriminator(canvas, is_training=is_training)

  @tf.function
  def _sgd_step(self, fake_data: Any,
                real: Optional[tf.Tensor]) -> Mapping[str, tf.Tensor]:
    fake = episodes.decode_canvas(fake_data["observation"]["canvas"])
    target = fake_data["episode"].get("target")
    if real is None:
      real = target  # Conditional: (target, target) is the real pair.
    variables = self._discriminator.trainable_variables
    with tf.GradientTape() as tape:
      if self._config.discriminator_loss is config_lib.DiscriminatorLoss.GAN:
        metrics = gan_loss(self._score, real, fake, target)
      else:
        interpolation = self._rng.uniform([tf.shape(fake)[0], 1, 1, 1])
        metrics = wgan_gp_loss(
            self._score, real, fake, target,
            slope=self._config.gradient_penalty_slope,
            gamma=self._config.gradient_penalty_gamma,
            interpolation=interpolation)
    gradients = tape.gradient(metrics["loss"], variables)
    self._optimizer.apply(gradients, variables)
    return metrics

  def _update(self, sample: Any) -> Mapping[str, tf.Tensor]:
    real = None
    if not self._config.conditional:
      batch = sample.data["observation"]["canvas"].shape[0]
      real = tf.constant(self._real_sampler(batch), tf.float32)
    return self._sgd_step(sample.data, real)
