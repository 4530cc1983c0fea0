"""Rewards computed in the policy learner from whole episodes.

The environment's reward is always 0: the agent scores canvases itself, with
the current discriminator or the distance to the target, so rewards reflect
the newest discriminator rather than the one the actor happened to hold.
"""

import math
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

import tensorflow as tf

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import schedules

# A canvas scorer: (canvases f32[N, W, W, C], targets f32[N, W, W, C] or None)
# -> f32[N]; higher is better.
Scorer = Callable[[tf.Tensor, Optional[tf.Tensor]], tf.Tensor]
# A scorer that also reads each episode's blank first canvas f32[N, W, W, C].
BlankScorer = Callable[[tf.Tensor, Optional[tf.Tensor], tf.Tensor], tf.Tensor]


def negative_l2(canvases: tf.Tensor, targets: Optional[tf.Tensor]) -> tf.Tensor:
  """Minus the mean squared pixel error to the target."""
  if targets is None:
    raise ValueError("The L2 reward needs targets (a conditional run).")
  return -tf.reduce_mean(tf.square(canvases - targets), axis=[1, 2, 3])


def negative_relative_l2(canvases: tf.Tensor,
                         targets: Optional[tf.Tensor]) -> tf.Tensor:
  """Minus the L2 to the target over the L2 of a white canvas to it.

  0 is a perfect painting, -1 a blank one: the same scale for datasets with
  much ink (digits) and little (thin glyphs).
  """
  if targets is None:
    raise ValueError("The L2 reward needs targets (a conditional run).")
  return -relative_l2(canvases, targets, tf.ones_like(targets))


def relative_l2(canvases: tf.Tensor, targets: tf.Tensor,
                blanks: tf.Tensor) -> tf.Tensor:
  """The L2 to the target over the L2 of `blanks` to it (1 for a blank)."""
  error = tf.reduce_mean(tf.square(canvases - targets), axis=[1, 2, 3])
  base = tf.reduce_mean(tf.square(blanks - targets), axis=[1, 2, 3])
  return error / tf.maximum(base, 1e-6)


def gaussian_blur(images: tf.Tensor, sigma: float) -> tf.Tensor:
  """Blurs f32[N, W, W, C] with a Gaussian of `sigma` pixels.

  Normalised at the borders (a zero-padded blur divided by the blur of
  ones), so the edges keep their level and any sigma works at any size.
  """
  radius = max(1, int(math.ceil(3.0 * sigma)))
  x = tf.range(-radius, radius + 1, dtype=tf.float32)
  kernel = tf.exp(-0.5 * tf.square(x / sigma))
  kernel /= tf.reduce_sum(kernel)

  def separable(batch: tf.Tensor) -> tf.Tensor:
    channels = batch.shape[-1]
    rows = tf.tile(tf.reshape(kernel, [-1, 1, 1, 1]), [1, 1, channels, 1])
    cols = tf.reshape(rows, [1, -1, channels, 1])
    out = tf.nn.depthwise_conv2d(batch, rows, [1, 1, 1, 1], "SAME")
    return tf.nn.depthwise_conv2d(out, cols, [1, 1, 1, 1], "SAME")

  weight = separable(tf.ones_like(images[:1, :, :, :1]))
  return separable(images) / weight


class MultiscaleRelativeL2:
  """Minus the L2 to the target at several blurs, relative to a blank's.

  At each scale (the image itself, then Gaussian blurs of `sigmas` pixels)
  the error is divided by the error of `blanks` (the episode's first
  canvas) at that scale, and the scales are averaged: 0 is a perfect
  painting, -1 the blank canvas. A blurred scale gives credit for ink or
  objects near where the target has them, which the plain L2 punishes as
  harshly as ones far away.
  """

  def __init__(self, sigmas: Sequence[float]):
    self._sigmas = tuple(float(s) for s in sigmas)

  def __call__(self, canvases: tf.Tensor, targets: Optional[tf.Tensor],
               blanks: tf.Tensor) -> tf.Tensor:
    if targets is None:
      raise ValueError("The L2 reward needs targets (a conditional run).")
    terms = [relative_l2(canvases, targets, blanks)]
    for sigma in self._sigmas:
      blur = lambda images, s=sigma: gaussian_blur(images, s)
      terms.append(relative_l2(blur(canvases), blur(targets), blur(blanks)))
    return -tf.add_n(terms) / float(len(terms))


def objectness_distance(canvases: tf.Tensor, targets: tf.Tensor,
                        blanks: tf.Tensor, sigmas: Sequence[float], *,
                        colour: bool = False) -> tf.Tensor:
  """How differently two images place what differs from the blank, f32[N].

  Each image becomes a distribution over pixels: its per-pixel colour
  distance from `blanks`, blurred by `sigma` and divided by its sum. The
  result is the summed squared difference of the two distributions times
  W^2 (about 1/the covered fraction for disjoint objects, 0 when they
  coincide), averaged over `sigmas`. It is blind to colour and nearly to
  size, so it scores *where* objects are: the signal a pixel L2 lacks, where
  a misplaced object costs more than none (experiment s02).

  With `colour`, each image's signed per-channel offset from `blanks` is
  blurred and divided by the same sum (Q), and the term is the target's Q
  dotted with the difference, sum Q_t . (Q_t - Q_c) W^2: 0 for the same
  colour's direction from the floor in the same place, up to twice a
  misplacement's cost for the opposite one, and the same for every colour
  (and for none) when the object is elsewhere. A squared difference would
  also score the canvas's own |Q_c|^2, which a grey object (its lit top and
  shadow cancel in the blur) keeps small: a hedge the agent learnt
  (experiment s04). Like the colour-blind term it ignores size.
  """
  blind, coloured = objectness_terms(canvases, targets, blanks, sigmas,
                                     colour=colour)
  return coloured if colour else blind


def objectness_terms(canvases: tf.Tensor, targets: tf.Tensor,
                     blanks: tf.Tensor, sigmas: Sequence[float], *,
                     colour: bool) -> Tuple[tf.Tensor, Optional[tf.Tensor]]:
  """(objectness_distance, objectness_distance(colour=True) or None), f32[N].

  Both share each image's offset and distance maps and their blurred mass,
  so a reward with both terms computes those once.
  """
  if not sigmas:
    raise ValueError("objectness_distance needs at least one sigma.")
  scale = float(canvases.shape[1]) ** 2 / float(len(sigmas))

  def maps(images: tf.Tensor) -> Tuple[tf.Tensor, tf.Tensor]:
    offset = images - blanks
    # The epsilon makes a blank image's distribution uniform, not 0/0.
    distance = tf.sqrt(tf.reduce_sum(tf.square(offset), -1, keepdims=True) +
                       1e-8)
    return distance, offset

  def distributions(image_maps: Tuple[tf.Tensor, tf.Tensor], sigma: float
                    ) -> Tuple[tf.Tensor, Optional[tf.Tensor]]:
    """(P, Q): the blurred distance and, with `colour`, the blurred offset,
    each divided by the blurred distance's sum."""
    distance, offset = image_maps
    blurred = gaussian_blur(distance, sigma)
    mass = tf.reduce_sum(blurred, [1, 2, 3], keepdims=True)
    return (blurred / mass,
            gaussian_blur(offset, sigma) / mass if colour else None)

  canvas_maps, target_maps = maps(canvases), maps(targets)
  blind_terms, colour_terms = [], []
  for sigma in sigmas:
    canvas_p, canvas_q = distributions(canvas_maps, sigma)
    target_p, target_q = distributions(target_maps, sigma)
    blind_terms.append(tf.reduce_sum(tf.square(canvas_p - target_p),
                                     [1, 2, 3]))
    if colour:
      colour_terms.append(tf.reduce_sum(target_q * (target_q - canvas_q),
                                        [1, 2, 3]))
  blind = scale * tf.add_n(blind_terms)
  return blind, scale * tf.add_n(colour_terms) if colour else None


class ObjectnessThenL2:
  """Scene reward: first where objects go, then what they look like.

  score = -(objectness_weight * objectness_distance
            + colour_weight * objectness_distance(colour=True)
            + l2_weight(step) * MultiscaleRelativeL2 error)

  The L2 weight is 0 until `l2_start_step` policy optimiser steps, then
  rises linearly to `l2_weight` over `l2_ramp_steps`. With the L2 from the
  start the agent learns small objects in a fixed place; the objectness
  term alone learns location but ignores colour and size (experiment s03).
  The L2 is taken at `sigmas` and the objectness at `objectness_sigmas`
  (default: the same).
  """

  def __init__(self, sigmas: Sequence[float], *, objectness_weight: float,
               l2_weight: float, l2_start_step: int, l2_ramp_steps: int,
               colour_weight: float = 0.0,
               objectness_sigmas: Optional[Sequence[float]] = None):
    self._objectness_sigmas = tuple(float(s) for s in (
        sigmas if objectness_sigmas is None else objectness_sigmas))
    self._l2 = MultiscaleRelativeL2(sigmas)
    self._objectness_weight = objectness_weight
    self._colour_weight = colour_weight
    self._l2_weight = l2_weight
    self._start = l2_start_step
    self._ramp = l2_ramp_steps

  def l2_weight(self, step: tf.Tensor) -> tf.Tensor:
    """The L2 term's weight after `step` optimiser steps."""
    return self._l2_weight * schedules.linear_ramp(step, self._start,
                                                   self._ramp)

  def __call__(self, canvases: tf.Tensor, targets: Optional[tf.Tensor],
               blanks: tf.Tensor, step: tf.Tensor) -> tf.Tensor:
    if targets is None:
      raise ValueError("The objectness reward needs targets (a conditional "
                       "run).")
    blind, coloured = objectness_terms(canvases, targets, blanks,
                                       self._objectness_sigmas,
                                       colour=bool(self._colour_weight))
    objectness = self._objectness_weight * blind
    if coloured is not None:
      objectness += self._colour_weight * coloured
    # MultiscaleRelativeL2 returns minus the error.
    return (-objectness +
            self.l2_weight(step) * self._l2(canvases, targets, blanks))


def standardise(scores: tf.Tensor, epsilon: float = 1e-6) -> tf.Tensor:
  """f32[N] `scores` shifted and scaled to zero mean and unit standard
  deviation (all zeros when they are all equal)."""
  mean, variance = tf.nn.moments(scores, axes=[0])
  return (scores - mean) / (tf.sqrt(variance) + epsilon)


def discriminator_scorer(discriminator: Callable[..., tf.Tensor],
                         *, conditional: bool) -> Scorer:
  """Scores canvases with a discriminator (conditioned on the target)."""

  def score(canvases: tf.Tensor, targets: Optional[tf.Tensor]) -> tf.Tensor:
    if conditional:
      return discriminator(canvases, targets)
    return discriminator(canvases)

  return score


class RewardFunction:
  """Per-step rewards f32[T, B] for a batch of episodes."""

  def __init__(self, config: config_lib.SpiralConfig,
               scorer: Optional[Scorer] = None, *,
               blank_scorer: Optional[BlankScorer] = None,
               scheduled_scorer: Optional[ObjectnessThenL2] = None):
    """Scores canvases with exactly one of `scorer`, `blank_scorer` and
    `scheduled_scorer` (which also reads the learner's step)."""
    if sum(x is not None for x in (scorer, blank_scorer,
                                   scheduled_scorer)) != 1:
      raise ValueError("RewardFunction needs exactly one of scorer, "
                       "blank_scorer and scheduled_scorer.")
    self._config = config
    self._scheduled = scheduled_scorer
    if scheduled_scorer is not None:
      self._scorer = scheduled_scorer
    elif blank_scorer is not None:
      self._scorer = (lambda canvases, targets, blanks, step:
                      blank_scorer(canvases, targets, blanks))
    else:
      self._scorer = (lambda canvases, targets, blanks, step:
                      scorer(canvases, targets))

  def _score(self, canvases: tf.Tensor, targets: Optional[tf.Tensor],
             blanks: tf.Tensor, step: Optional[tf.Tensor]) -> tf.Tensor:
    scores = self._scorer(canvases, targets, blanks, step)
    if self._config.standardise_scores:
      scores = standardise(scores)
    return self._config.reward_scale * scores

  def schedule(self, step: tf.Tensor) -> Mapping[str, tf.Tensor]:
    """The reward's weights at `step`, to log ({} when nothing changes)."""
    if self._scheduled is None:
      return {}
    return {"l2_reward_weight": self._scheduled.l2_weight(step)}

  def __call__(self, canvases: tf.Tensor, actions: Mapping[str, tf.Tensor],
               target: Optional[tf.Tensor] = None, *,
               step: Optional[tf.Tensor] = None) -> tf.Tensor:
    """Computes rewards.

    Args:
      canvases: f32[T+1, B, W, W, C], the canvas before each action and the
        final one.
      actions: {k: i32[T, B]}; `flag` (1 = paint) drives the stroke penalty.
      target: f32[B, W, W, C] in conditional runs.
      step: the policy optimiser's step count; a scheduled reward needs it.

    Returns:
      f32[T, B] rewards.
    """
    if self._scheduled is not None and step is None:
      raise ValueError("This reward changes with training (l2_start_step / "
                       "l2_ramp_steps): pass the learner's step.")
    steps = tf.shape(canvases)[0]
    batch = tf.shape(canvases)[1]
    num_actions = steps - 1
    if self._config.temporal_credit:
      # Score every canvas: r_t = s(c_{t+1}) - s(c_t).
      flat = tf.reshape(canvases, tf.concat([[-1], tf.shape(canvases)[2:]], 0))
      flat_target = None
      if target is not None:
        flat_target = tf.reshape(
            tf.tile(target[tf.newaxis], [steps, 1, 1, 1, 1]), tf.shape(flat))
      flat_blank = tf.reshape(
          tf.tile(canvases[:1], [steps, 1, 1, 1, 1]), tf.shape(flat))
      scores = tf.reshape(self._score(flat, flat_target, flat_blank, step),
                          [steps, batch])
      rewards = scores[1:] - scores[:-1]
    else:
      final_score = self._score(canvases[-1], target, canvases[0], step)
      is_last = tf.one_hot(num_actions - 1, num_actions)[:, tf.newaxis]
      rewards = is_last * final_score[tf.newaxis, :]
    return rewards - self._penalties(canvases, actions)

  def alternative_gains(self, canvases: tf.Tensor,
                        alternatives: Mapping[str, tf.Tensor],
                        actions: Mapping[str, tf.Tensor],
                        target: Optional[tf.Tensor] = None, *,
                        step: Optional[tf.Tensor] = None
                        ) -> Dict[str, tf.Tensor]:
    """{key: f32[T, B, n]}: how much more step t's reward would have been
    with each value of `key` than with the value taken (0 for that one).

    `alternatives[key]` is f32[T+1, B, n, W, W, C], the canvases the
    environment rendered for every value (`MujocoScenesConfig.alternatives`;
    the taken value's is the canvas). Per-step scores make the difference
    exact: the penalties depend only on `flag` and an empty canvas, which
    no alternative changes.
    """
    if not self._config.temporal_credit or self._config.standardise_scores:
      raise ValueError("alternative_gains needs temporal_credit=True and "
                       "standardise_scores=False.")
    gains = {}
    for key, rendered in alternatives.items():
      after = rendered[1:]  # The canvases after each action: [T, B, n, ...].
      shape = tf.shape(after)
      flat_shape = tf.concat([[-1], shape[3:]], 0)
      # Each episode's [B, W, W, C] image beside every one of its canvases.
      beside = lambda x: tf.reshape(tf.broadcast_to(
          x[tf.newaxis, :, tf.newaxis], shape), flat_shape)
      scores = tf.reshape(self._score(
          tf.reshape(after, flat_shape),
          None if target is None else beside(target), beside(canvases[0]),
          step), shape[:3])
      taken = tf.gather(scores, tf.cast(actions[key], tf.int32), axis=2,
                        batch_dims=2)
      gains[key] = scores - taken[:, :, tf.newaxis]
    return gains

  def _penalties(self, canvases: tf.Tensor,
                 actions: Mapping[str, tf.Tensor]) -> tf.Tensor:
    """Stroke and empty-canvas penalties, f32[T, B]."""
    num_actions = tf.shape(canvases)[0] - 1
    penalties = tf.zeros(tf.shape(canvases)[:2])[1:]
    if self._config.stroke_penalty > 0:
      painting = tf.cast(tf.equal(actions["flag"], 1), tf.float32)
      painted_before = tf.concat([tf.zeros_like(painting[:1]), painting[:-1]],
                                 axis=0)
      new_stroke = painting * (1.0 - painted_before)
      penalties += self._config.stroke_penalty * new_stroke
    if self._config.empty_canvas_penalty > 0:
      # Nothing visible: the final canvas is the blank first one (uint8-exact).
      change = tf.reduce_max(tf.abs(canvases[-1] - canvases[0]), axis=[1, 2, 3])
      empty = tf.cast(change < 0.5 / 255.0, tf.float32)
      is_last = tf.one_hot(num_actions - 1, num_actions)[:, tf.newaxis]
      penalties += self._config.empty_canvas_penalty * is_last * empty
    return penalties


def reward_function_for(config: config_lib.SpiralConfig,
                        discriminator: Optional[Callable[..., Any]] = None
                        ) -> RewardFunction:
  """The reward the config asks for (`discriminator` when it uses one)."""
  if config.uses_discriminator:
    if discriminator is None:
      raise ValueError(f"reward_type={config.reward_type} needs the "
                       "discriminator.")
    return RewardFunction(config, discriminator_scorer(
        discriminator, conditional=config.conditional))
  if config.objectness_weight > 0:
    return RewardFunction(config, scheduled_scorer=ObjectnessThenL2(
        config.l2_blur_sigmas, objectness_sigmas=config.objectness_sigmas,
        objectness_weight=config.objectness_weight,
        l2_weight=config.l2_weight, l2_start_step=config.l2_start_step,
        l2_ramp_steps=config.l2_ramp_steps,
        colour_weight=config.objectness_colour_weight))
  if config.l2_blur_sigmas:
    return RewardFunction(
        config, blank_scorer=MultiscaleRelativeL2(config.l2_blur_sigmas))
  if config.l2_relative_to_blank:
    return RewardFunction(config, negative_relative_l2)
  return RewardFunction(config, negative_l2)
