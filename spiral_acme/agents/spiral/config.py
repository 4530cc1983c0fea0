"""Hyperparameters of the SPIRAL agent (policy learner, discriminator, replay)."""

import dataclasses
import enum
import math
from typing import Optional, Tuple

from spiral_acme.replay import SampleReplay


class RewardType(enum.Enum):
  """What scores a canvas."""
  # The discriminator's score of the canvas (of the (canvas, target) pair in
  # conditional runs).
  DISCRIMINATOR = "discriminator"
  # Negative mean squared pixel error to the target (conditional runs only).
  L2 = "l2"


class DiscriminatorLoss(enum.Enum):
  """How the discriminator is trained."""
  WGAN_GP = "wgan_gp"  # SPIRAL: Wasserstein critic with gradient penalty.
  GAN = "gan"  # SPIRAL++: non-saturating GAN, usually with spectral norm.


def _check(condition: bool, message: str) -> None:
  if not condition:
    raise ValueError(message)


@dataclasses.dataclass(frozen=True)
class SpiralConfig:
  """Agent hyperparameters; defaults follow the paper and the hub agents.

  Attributes:
    conditional: the agent sees a target image and is rewarded for it.
    reward_type: how canvases are scored.
    temporal_credit: SPIRAL++'s per-step rewards r_t = s(c_{t+1}) - s(c_t)
      instead of a single reward s(c_T) at the end of the episode.
    reward_scale: multiplies canvas scores (L2 rewards are small per-pixel
      means; scaling them keeps the policy gradient above the entropy bonus).
    l2_relative_to_blank: divide each target's L2 by the blank canvas's L2
      for that target, so an episode's return with temporal credit is the
      fraction of the blank canvas's error it removed, whatever the amount
      of ink in the dataset (glyphs hold far less ink than digits).
    l2_blur_sigmas: score canvases by the L2 at several scales: the image
      and Gaussian blurs of these sigmas (pixels), each relative to the
      episode's blank first canvas, averaged (`rewards.MultiscaleRelativeL2`;
      0 is perfect, -1 blank). Blurred scales give credit for strokes or
      objects near their place in the target, which the plain L2 punishes
      like ones far away. Empty: the plain L2.
    objectness_weight: > 0 scores scenes with `rewards.ObjectnessThenL2`:
      this weight times the objectness distance (where the canvas's and the
      target's objects are, at the `objectness_sigmas`), plus the multiscale
      L2 (at the `l2_blur_sigmas`) with a weight that follows the schedule
      below. 0: the L2 alone.
    objectness_blur_sigmas: the scales the objectness distance compares
      objects at. Empty: the `l2_blur_sigmas`. Wide blurs give location
      credit from afar, but in the L2 they hide shape: with the true cell
      and size and a grey colour, the true shape scores above the other
      shapes' mean for 88% of scene targets at sigmas (2, 4) and 98% at
      (1,), by a 6x larger median margin.
    objectness_colour_weight: with `objectness_weight`, this weight times
      the colour objectness (`objectness_distance(colour=True)`: objects in
      the same place also compare the direction of their colour from the
      floor, not its strength), from the first step. Below 1, a right place
      with a wrong colour still scores better than a wrong place.
    l2_weight, l2_start_step, l2_ramp_steps: with `objectness_weight`, the
      L2 term's weight is 0 for `l2_start_step` policy optimiser steps, then
      rises linearly to `l2_weight` over `l2_ramp_steps`: location first,
      colour and size after (with both from the start the agent learns
      small objects in one place; experiment s03).
    standardise_scores: scale the reward's scores over each batch to zero
      mean and unit standard deviation (over all scored canvases) before
      `reward_scale` and the penalties. A WGAN critic's scores drift in
      offset and scale as it trains (scores of 12-16 within 100 steps),
      so the returns the baseline chases keep moving; standardised, they
      rank each episode against the others in its batch. With temporal
      credit the offset cancels and only the scale changes. It did not
      steady `digits64_generate` (experiment e24), so it is off by default.
    imitate_best_alternative: for heads whose every value the environment
      renders (`MujocoScenesConfig.alternatives`), a cross-entropy towards
      the value that scored best at each step (ties shared) instead of the
      all-action policy gradient (the expected gain over the values). The
      expected gain is dominated by large, target-blind differences (a box
      too big costs more than a sphere too big) and collapsed the shape
      head onto one shape (experiments s09, s10); the best value names the
      target's shape more often than not whatever the others' errors.
    stroke_penalty: subtracted for each new continuous stroke sequence (a
      painting step that follows a move, or the first step).
    empty_canvas_penalty: subtracted at the end when nothing was painted.
    batch_size: episodes per policy-learner step.
    learning_rate, adam_beta1, adam_beta2, adam_epsilon: policy optimiser.
    entropy_cost, baseline_cost, discount: IMPALA loss.
    head_entropy_costs: ((key, cost), ...) pairs that replace
      `entropy_cost` for those action heads. A scene's colour heads need
      far more exploration than its location head: with one shared cost the
      colour collapses to the floor-grey hedge before it can follow the
      target (experiment s05).
    head_entropy_until_steps, head_entropy_ramp_steps: ((key, step), ...)
      pairs for heads in `head_entropy_costs`: each one's cost holds for
      `step` policy optimiser steps, then falls linearly to `entropy_cost`
      over `head_entropy_ramp_steps`; the other heads' costs hold for the
      whole run. A scene reward that does not yet score colour (the
      objectness phase) collapses the colour heads onto whatever it
      favours; once it scores them they should settle (experiment s07).
    max_gradient_norm: global-norm clipping of the policy gradient, or None.
      The losses are means over T x B, so gradient norms are ~0.01-0.3 and
      IMPALA's 40 (chosen for sums) never triggers; Adam already normalises
      the gradient's scale. Off by default; `gradient_norm` is logged so a
      threshold can be chosen from a run's own norms.
    updates_per_batch: optimiser steps taken on each batch of episodes.
      Acting costs about as much as learning on a CPU, so reusing a batch
      2-4 times buys updates for free; V-trace corrects for the policy having
      moved away from the one that acted.
    clip_rho_threshold, clip_pg_rho_threshold: V-trace truncation levels.
    discriminator_loss: WGAN-GP or spectral-norm GAN.
    discriminator_batch_size: real and fake images per discriminator step.
    discriminator_learning_rate, discriminator_adam_beta1/beta2/epsilon:
      discriminator optimiser.
    gradient_penalty_slope, gradient_penalty_gamma: WGAN-GP penalty
      gamma * E[(|grad D(x)| - slope)^2] on real/fake interpolates.
    discriminator_steps_per_learner_step: balance of the two learners in
      single-process runs.
    max_queue_size: episodes the episode queue holds before actors block.
    sample_replay: queue (each fake used once) or uniform replay of canvases.
    sample_replay_batches: size of the canvas replay, in discriminator batches.
    num_envs_per_actor: environments one actor steps in lock-step.
    variable_update_period: actor steps between background weight fetches.
  """
  conditional: bool = False
  reward_type: RewardType = RewardType.DISCRIMINATOR
  temporal_credit: bool = False
  reward_scale: float = 1.0
  l2_relative_to_blank: bool = False
  l2_blur_sigmas: Tuple[float, ...] = ()
  objectness_weight: float = 0.0
  objectness_blur_sigmas: Tuple[float, ...] = ()
  objectness_colour_weight: float = 0.0
  l2_weight: float = 1.0
  l2_start_step: int = 0
  l2_ramp_steps: int = 0
  standardise_scores: bool = False
  imitate_best_alternative: bool = False
  stroke_penalty: float = 0.0
  empty_canvas_penalty: float = 0.0

  batch_size: int = 64
  learning_rate: float = 1e-4
  adam_beta1: float = 0.5
  adam_beta2: float = 0.999
  adam_epsilon: float = 1e-8
  entropy_cost: float = 0.01
  head_entropy_costs: Tuple[Tuple[str, float], ...] = ()
  head_entropy_until_steps: Tuple[Tuple[str, int], ...] = ()
  head_entropy_ramp_steps: int = 0
  baseline_cost: float = 0.5
  max_gradient_norm: Optional[float] = None
  updates_per_batch: int = 1
  discount: float = 1.0
  clip_rho_threshold: float = 1.0
  clip_pg_rho_threshold: float = 1.0

  discriminator_loss: DiscriminatorLoss = DiscriminatorLoss.WGAN_GP
  discriminator_batch_size: int = 64
  discriminator_learning_rate: float = 1e-4
  discriminator_adam_beta1: float = 0.5
  discriminator_adam_beta2: float = 0.999
  discriminator_adam_epsilon: float = 1e-8
  gradient_penalty_slope: float = 1.0
  gradient_penalty_gamma: float = 1.0
  discriminator_steps_per_learner_step: int = 1

  max_queue_size: int = 256
  sample_replay: SampleReplay = SampleReplay.QUEUE
  sample_replay_batches: int = 20

  num_envs_per_actor: int = 16
  variable_update_period: int = 1

  def __post_init__(self):
    _check(isinstance(self.reward_type, RewardType),
           f"reward_type must be a RewardType, got {self.reward_type!r}.")
    _check(isinstance(self.discriminator_loss, DiscriminatorLoss),
           "discriminator_loss must be a DiscriminatorLoss, got "
           f"{self.discriminator_loss!r}.")
    _check(isinstance(self.sample_replay, SampleReplay),
           f"sample_replay must be a SampleReplay, got {self.sample_replay!r}.")
    for name in ("conditional", "temporal_credit", "l2_relative_to_blank",
                 "standardise_scores", "imitate_best_alternative"):
      value = getattr(self, name)
      _check(isinstance(value, bool),
             f"{name} must be True or False, got {value!r}.")
    _check(self.reward_type is not RewardType.L2 or self.conditional,
           "reward_type=L2 needs a target: set conditional=True.")
    for name in ("batch_size", "discriminator_batch_size", "max_queue_size",
                 "sample_replay_batches", "num_envs_per_actor",
                 "variable_update_period", "updates_per_batch",
                 "discriminator_steps_per_learner_step"):
      value = getattr(self, name)
      _check(isinstance(value, int) and not isinstance(value, bool) and
             value >= 1,
             f"{name} must be an integer >= 1, got {value!r}.")
    for name in ("learning_rate", "discriminator_learning_rate",
                 "adam_epsilon", "discriminator_adam_epsilon",
                 "gradient_penalty_slope", "reward_scale",
                 "clip_rho_threshold", "clip_pg_rho_threshold"):
      value = getattr(self, name)
      _check(value > 0, f"{name} must be > 0, got {value!r}.")
    for name in ("l2_start_step", "l2_ramp_steps", "head_entropy_ramp_steps"):
      value = getattr(self, name)
      _check(isinstance(value, int) and not isinstance(value, bool) and
             value >= 0, f"{name} must be an integer >= 0, got {value!r}.")
    for name in ("entropy_cost", "baseline_cost", "stroke_penalty",
                 "objectness_weight", "objectness_colour_weight", "l2_weight",
                 "empty_canvas_penalty", "gradient_penalty_gamma"):
      value = getattr(self, name)
      _check(value >= 0, f"{name} must be >= 0, got {value!r}.")
    costs = self.head_entropy_costs
    _check(isinstance(costs, tuple) and all(
        isinstance(pair, tuple) and len(pair) == 2 and
        isinstance(pair[0], str) and isinstance(pair[1], (int, float)) and
        not isinstance(pair[1], bool) and math.isfinite(pair[1]) and
        pair[1] >= 0 for pair in costs),
           "head_entropy_costs must be a tuple of (action key, cost >= 0) "
           f"pairs, got {costs!r}.")
    keys = [key for key, _ in costs]
    _check(len(set(keys)) == len(keys),
           f"head_entropy_costs names a key twice: {keys}.")
    until = self.head_entropy_until_steps
    _check(isinstance(until, tuple) and all(
        isinstance(pair, tuple) and len(pair) == 2 and
        isinstance(pair[0], str) and isinstance(pair[1], int) and
        not isinstance(pair[1], bool) and pair[1] >= 0 for pair in until),
           "head_entropy_until_steps must be a tuple of (action key, "
           f"optimiser step >= 0) pairs, got {until!r}.")
    until_keys = [key for key, _ in until]
    _check(len(set(until_keys)) == len(until_keys),
           f"head_entropy_until_steps names a key twice: {until_keys}.")
    uncosted = sorted(set(until_keys) - set(keys))
    _check(not uncosted,
           f"head_entropy_until_steps names {uncosted}, which have no cost "
           f"in head_entropy_costs {keys}.")
    for name in ("adam_beta1", "adam_beta2", "discriminator_adam_beta1",
                 "discriminator_adam_beta2"):
      value = getattr(self, name)
      _check(0 <= value < 1, f"{name} must be in [0, 1), got {value!r}.")
    _check(self.max_gradient_norm is None or self.max_gradient_norm > 0,
           "max_gradient_norm must be None (no clipping) or > 0, got "
           f"{self.max_gradient_norm!r}.")
    _check(not self.l2_relative_to_blank or self.reward_type is RewardType.L2,
           "l2_relative_to_blank needs reward_type=L2.")
    for name in ("l2_blur_sigmas", "objectness_blur_sigmas"):
      sigmas = getattr(self, name)
      _check(isinstance(sigmas, tuple) and
             all(isinstance(s, (int, float)) and not isinstance(s, bool) and
                 s > 0 for s in sigmas),
             f"{name} must be a tuple of sigmas > 0 (pixels), got "
             f"{sigmas!r}.")
    _check(not self.l2_blur_sigmas or self.reward_type is RewardType.L2,
           "l2_blur_sigmas needs reward_type=L2.")
    _check(not (self.l2_blur_sigmas and self.l2_relative_to_blank),
           "l2_blur_sigmas already scores relative to the blank canvas; "
           "leave l2_relative_to_blank off.")
    _check(not self.objectness_weight or self.objectness_sigmas,
           "objectness_weight needs objectness_blur_sigmas or "
           "l2_blur_sigmas (the scales it compares objects at), got "
           f"objectness_weight={self.objectness_weight!r} and neither.")
    _check(self.objectness_weight > 0 or not self.objectness_blur_sigmas,
           "objectness_blur_sigmas are the objectness reward's scales: set "
           "objectness_weight > 0, got objectness_blur_sigmas="
           f"{self.objectness_blur_sigmas!r}.")
    _check(self.objectness_weight > 0 or not self.objectness_colour_weight,
           "objectness_colour_weight adds to the objectness reward: set "
           "objectness_weight > 0, got objectness_colour_weight="
           f"{self.objectness_colour_weight!r}.")
    _check(self.objectness_weight > 0 or (
        self.l2_weight == 1.0 and self.l2_start_step == 0 and
        self.l2_ramp_steps == 0),
           "l2_weight, l2_start_step and l2_ramp_steps schedule the L2 term "
           "of the objectness reward: set objectness_weight > 0, got "
           f"l2_weight={self.l2_weight!r}, l2_start_step="
           f"{self.l2_start_step!r}, l2_ramp_steps={self.l2_ramp_steps!r}.")
    _check(0 <= self.discount <= 1,
           f"discount must be in [0, 1], got {self.discount!r}.")

  @property
  def objectness_sigmas(self) -> Tuple[float, ...]:
    """The objectness distance's scales (`objectness_blur_sigmas`, or else
    the `l2_blur_sigmas`)."""
    return self.objectness_blur_sigmas or self.l2_blur_sigmas

  @property
  def uses_discriminator(self) -> bool:
    return self.reward_type is RewardType.DISCRIMINATOR

  @property
  def sample_replay_size(self) -> int:
    """Capacity of the canvas table, in canvases."""
    if self.sample_replay is SampleReplay.QUEUE:
      return max(self.discriminator_batch_size, self.max_queue_size)
    return self.sample_replay_batches * self.discriminator_batch_size
