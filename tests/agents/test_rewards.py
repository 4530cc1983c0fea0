"""Tests for the learner-side rewards of agents.spiral.rewards."""

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme.agents.spiral import config as config_lib
from spiral_acme.agents.spiral import rewards
from spiral_acme.networks import discriminator as discriminator_lib

_T, _B, _W, _C = 5, 3, 4, 2


def _mean_pixel(canvases, targets=None):
  """A fake scorer: the mean pixel value (targets must be absent)."""
  assert targets is None
  return tf.reduce_mean(canvases, axis=[1, 2, 3])


def _np_mean_pixel(canvases):
  return canvases.reshape(canvases.shape[:-3] + (-1,)).mean(-1)


def _np_negative_l2(canvases, target):
  diff = canvases - target
  return -np.square(diff).reshape(diff.shape[:-3] + (-1,)).mean(-1)


def _canvases(seed=0, steps=_T + 1, batch=_B):
  rng = np.random.default_rng(seed)
  return rng.uniform(size=(steps, batch, _W, _W, _C)).astype(np.float32)


def _flags(rows):
  """Time-major flags i32[T, B] from one list per episode."""
  return np.asarray(rows, np.int32).T


def _config(**kwargs):
  return config_lib.SpiralConfig(**kwargs)


def _new_strokes(flags):
  """1 where a painting step starts a stroke sequence, by a plain loop."""
  out = np.zeros(flags.shape, np.float32)
  for b in range(flags.shape[1]):
    for t in range(flags.shape[0]):
      previous = flags[t - 1, b] if t > 0 else 0
      out[t, b] = float(flags[t, b] == 1 and previous != 1)
  return out


def test_negative_l2_is_minus_mean_squared_error():
  canvases = _canvases(1)[0]
  targets = _canvases(2)[0]
  got = rewards.negative_l2(tf.constant(canvases), tf.constant(targets))
  np.testing.assert_allclose(got.numpy(), _np_negative_l2(canvases, targets),
                             rtol=1e-5)
  assert got.shape == (_B,)


def test_negative_l2_without_targets_is_an_error():
  with pytest.raises(ValueError, match="targets"):
    rewards.negative_l2(tf.zeros([1, _W, _W, _C]), None)


def test_discriminator_scorer_passes_target_only_when_conditional():
  calls = []

  def fake_discriminator(*args, **kwargs):
    calls.append((len(args), kwargs))
    total = tf.reduce_sum(args[0], axis=[1, 2, 3])
    if len(args) > 1:
      total -= tf.reduce_sum(args[1], axis=[1, 2, 3])
    return total

  canvases = tf.constant(_canvases(3)[0])
  targets = tf.constant(_canvases(4)[0])
  conditional = rewards.discriminator_scorer(fake_discriminator,
                                             conditional=True)
  got = conditional(canvases, targets).numpy()
  want = (canvases.numpy().sum(axis=(1, 2, 3)) -
          targets.numpy().sum(axis=(1, 2, 3)))
  np.testing.assert_allclose(got, want, rtol=1e-5)
  unconditional = rewards.discriminator_scorer(fake_discriminator,
                                               conditional=False)
  got = unconditional(canvases, None).numpy()
  np.testing.assert_allclose(got, canvases.numpy().sum(axis=(1, 2, 3)),
                             rtol=1e-5)
  assert [n for n, _ in calls] == [2, 1]


def test_final_reward_is_the_last_canvas_score_at_the_last_step():
  canvases = _canvases()
  reward_fn = rewards.RewardFunction(_config(), _mean_pixel)
  got = reward_fn(tf.constant(canvases), {"flag": _flags([[1] * _T] * _B)})
  want = np.zeros((_T, _B), np.float32)
  want[-1] = _np_mean_pixel(canvases[-1])
  assert got.shape == (_T, _B)
  np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-7)


def test_temporal_rewards_are_score_differences_that_telescope():
  canvases = _canvases()
  reward_fn = rewards.RewardFunction(_config(temporal_credit=True),
                                     _mean_pixel)
  got = reward_fn(tf.constant(canvases), {}).numpy()
  scores = _np_mean_pixel(canvases)  # [T+1, B]
  want = np.stack([scores[t + 1] - scores[t] for t in range(_T)])
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got.sum(0), scores[-1] - scores[0], rtol=1e-5,
                             atol=1e-6)


@pytest.mark.parametrize("temporal_credit", [False, True])
def test_l2_rewards_use_each_episodes_own_target(temporal_credit):
  canvases = _canvases(5)
  target = _canvases(6, steps=1)[0]  # [B, W, W, C], distinct per episode.
  reward_fn = rewards.RewardFunction(
      _config(conditional=True, reward_type=config_lib.RewardType.L2,
              temporal_credit=temporal_credit), rewards.negative_l2)
  got = reward_fn(tf.constant(canvases), {}, tf.constant(target)).numpy()
  scores = np.stack([_np_negative_l2(canvases[t], target)
                     for t in range(_T + 1)])
  if temporal_credit:
    want = scores[1:] - scores[:-1]
  else:
    want = np.zeros((_T, _B))
    want[-1] = scores[-1]
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  # Totals: s(c_T) at the end, or s(c_T) - s(c_0) with temporal credit.
  offset = scores[0] if temporal_credit else 0.0
  np.testing.assert_allclose(got.sum(0), scores[-1] - offset, rtol=1e-5,
                             atol=1e-6)


def test_stroke_penalty_at_each_new_continuous_stroke_sequence():
  flags = _flags([[1, 1, 0, 1, 0],
                  [0, 1, 1, 1, 1],
                  [0, 0, 0, 0, 0]])
  canvases = np.ones((_T + 1, _B, _W, _W, _C), np.float32)
  reward_fn = rewards.RewardFunction(_config(stroke_penalty=0.25),
                                     lambda c, t: tf.zeros(tf.shape(c)[:1]))
  got = reward_fn(tf.constant(canvases), {"flag": tf.constant(flags)}).numpy()
  want = -0.25 * _new_strokes(flags)
  np.testing.assert_allclose(got, want)
  # Episode 0 starts two sequences (t=0 and t=3), episode 1 one, episode 2 none.
  np.testing.assert_allclose(got.sum(0), [-0.5, -0.25, 0.0])


def test_zero_stroke_penalty_ignores_flags():
  canvases = _canvases()
  reward_fn = rewards.RewardFunction(_config(temporal_credit=True),
                                     _mean_pixel)
  with_flags = reward_fn(tf.constant(canvases),
                         {"flag": _flags([[1, 0, 1, 0, 1]] * _B)})
  without = reward_fn(tf.constant(canvases), {})
  np.testing.assert_allclose(with_flags.numpy(), without.numpy())


def test_empty_canvas_penalty_only_at_the_last_step_of_unpainted_episodes():
  canvases = np.ones((_T + 1, _B, _W, _W, _C), np.float32)
  # Episode 1 changes one channel of one pixel by a single uint8 level.
  canvases[1:, 1, 2, 3, 1] = 254.0 / 255.0
  # Episode 2 paints in the middle, but its final canvas is the blank one.
  canvases[2, 2] = 0.5
  reward_fn = rewards.RewardFunction(_config(empty_canvas_penalty=2.0),
                                     lambda c, t: tf.zeros(tf.shape(c)[:1]))
  got = reward_fn(tf.constant(canvases), {}).numpy()
  want = np.zeros((_T, _B), np.float32)
  want[-1, 0] = -2.0
  want[-1, 2] = -2.0
  np.testing.assert_allclose(got, want)


def test_scores_and_penalties_add_up():
  canvases = _canvases(7)
  canvases[-1, 0] = canvases[0, 0]  # Episode 0 ends blank.
  flags = _flags([[0, 1, 0, 1, 1], [1, 1, 1, 1, 1], [1, 0, 1, 0, 1]])
  config = _config(temporal_credit=True, stroke_penalty=0.1,
                   empty_canvas_penalty=0.5)
  reward_fn = rewards.RewardFunction(config, _mean_pixel)
  got = reward_fn(tf.constant(canvases), {"flag": flags}).numpy()
  scores = _np_mean_pixel(canvases)
  want = scores[1:] - scores[:-1] - 0.1 * _new_strokes(flags)
  want[-1, 0] -= 0.5
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("temporal_credit", [False, True])
def test_inside_tf_function_with_unknown_episode_length(temporal_credit):
  config = _config(temporal_credit=temporal_credit, stroke_penalty=0.1,
                   empty_canvas_penalty=0.5)
  reward_fn = rewards.RewardFunction(config, _mean_pixel)
  compiled = tf.function(
      lambda c, f: reward_fn(c, {"flag": f}),
      input_signature=[
          tf.TensorSpec([None, None, _W, _W, _C], tf.float32),
          tf.TensorSpec([None, None], tf.int32)])
  for steps in (1, 3, _T):
    canvases = _canvases(steps, steps=steps + 1)
    canvases[-1, 1] = canvases[0, 1]
    flags = np.random.default_rng(steps).integers(0, 2, size=(steps, _B))
    flags = flags.astype(np.int32)
    got = compiled(tf.constant(canvases), tf.constant(flags)).numpy()
    scores = _np_mean_pixel(canvases)
    if temporal_credit:
      want = scores[1:] - scores[:-1]
    else:
      want = np.zeros((steps, _B))
      want[-1] = scores[-1]
    want = want - 0.1 * _new_strokes(flags)
    want[-1, 1] -= 0.5
    assert got.shape == (steps, _B)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_temporal_rewards_with_a_real_discriminator_in_tf_function():
  # The real critic needs static H, W, C after the time axis is flattened.
  critic = discriminator_lib.Discriminator(
      discriminator_lib.DiscriminatorConfig.small())
  width = critic.config.min_canvas_width
  scorer = rewards.discriminator_scorer(critic, conditional=False)
  reward_fn = rewards.RewardFunction(_config(temporal_credit=True), scorer)
  compiled = tf.function(
      lambda c: reward_fn(c, {}),
      input_signature=[tf.TensorSpec([None, None, width, width, 1],
                                     tf.float32)])
  canvases = np.random.default_rng(0).uniform(
      size=(4, 2, width, width, 1)).astype(np.float32)
  got = compiled(tf.constant(canvases)).numpy()
  scores = np.stack([critic(tf.constant(c)).numpy() for c in canvases])
  np.testing.assert_allclose(got, scores[1:] - scores[:-1], rtol=1e-4,
                             atol=1e-5)


@pytest.mark.parametrize("temporal_credit", [False, True])
def test_standardised_scores_have_zero_mean_and_unit_spread(temporal_credit):
  canvases = _canvases(8)
  canvases[-1, 0] = canvases[0, 0]  # Episode 0 ends blank.
  config = _config(temporal_credit=temporal_credit, standardise_scores=True,
                   reward_scale=2.0, empty_canvas_penalty=0.5)
  reward_fn = rewards.RewardFunction(config, _mean_pixel)
  got = reward_fn(tf.constant(canvases), {}).numpy()
  scores = _np_mean_pixel(canvases)  # [T+1, B]
  if temporal_credit:
    # One mean and spread over every scored canvas of the batch.
    standard = (scores - scores.mean()) / scores.std()
    want = 2.0 * (standard[1:] - standard[:-1])
  else:
    final = scores[-1]
    want = np.zeros((_T, _B))
    want[-1] = 2.0 * (final - final.mean()) / final.std()
    np.testing.assert_allclose(want[-1].mean(), 0.0, atol=1e-5)
  want[-1, 0] -= 0.5  # Penalties are not standardised.
  np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
  # An affine change of the scorer (a drifting critic) changes nothing.
  drifted = rewards.RewardFunction(
      config, lambda c, t: 40.0 * _mean_pixel(c, t) + 12.0)
  np.testing.assert_allclose(drifted(tf.constant(canvases), {}).numpy(),
                             got, rtol=1e-4, atol=1e-4)


def test_standardising_equal_scores_gives_zeros():
  got = rewards.standardise(tf.fill([4], 3.5)).numpy()
  np.testing.assert_array_equal(got, np.zeros(4, np.float32))


def test_relative_l2_is_zero_for_a_perfect_and_minus_one_for_a_blank_canvas():
  rng = np.random.default_rng(4)
  targets = rng.uniform(0.0, 1.0, (3, _W, _W, 1)).astype(np.float32)
  blank = np.ones_like(targets)
  half = 0.5 * (targets + blank)
  np.testing.assert_allclose(
      rewards.negative_relative_l2(tf.constant(targets), targets), 0.0,
      atol=1e-6)
  np.testing.assert_allclose(
      rewards.negative_relative_l2(tf.constant(blank), targets), -1.0,
      rtol=1e-5)
  # Halfway to the target in every pixel leaves a quarter of the error.
  np.testing.assert_allclose(
      rewards.negative_relative_l2(tf.constant(half), targets), -0.25,
      rtol=1e-5)
  with pytest.raises(ValueError, match="needs targets"):
    rewards.negative_relative_l2(tf.constant(blank), None)


def _np_blur(images, sigma):
  """A Gaussian blur normalised at the borders, by explicit sums."""
  radius = max(1, int(np.ceil(3 * sigma)))
  x = np.arange(-radius, radius + 1)
  kernel = np.exp(-0.5 * (x / sigma) ** 2)
  kernel /= kernel.sum()
  n, h, w, c = images.shape
  out = np.zeros_like(images, dtype=np.float64)
  norm = np.zeros((h, w))
  for dy in x:
    for dx in x:
      weight = kernel[dy + radius] * kernel[dx + radius]
      for i in range(h):
        for j in range(w):
          if 0 <= i + dy < h and 0 <= j + dx < w:
            out[:, i, j] += weight * images[:, i + dy, j + dx]
            norm[i, j] += weight
  return out / norm[None, :, :, None]


def test_gaussian_blur_matches_explicit_sums_and_keeps_a_flat_image():
  rng = np.random.default_rng(5)
  images = rng.uniform(size=(2, 9, 9, 3)).astype(np.float32)
  got = rewards.gaussian_blur(tf.constant(images), 1.5).numpy()
  np.testing.assert_allclose(got, _np_blur(images, 1.5), atol=1e-5)
  flat = np.full((1, 9, 9, 1), 0.3, np.float32)  # Borders keep the level.
  np.testing.assert_allclose(
      rewards.gaussian_blur(tf.constant(flat), 4.0).numpy(), flat, atol=1e-6)


def _dot_canvas(row, col, width=16):
  canvas = np.ones((1, width, width, 1), np.float32)
  canvas[0, row:row + 2, col:col + 2] = 0.0
  return canvas


def test_multiscale_l2_credits_near_misses_that_plain_l2_does_not():
  target = tf.constant(_dot_canvas(6, 6))
  blank = tf.ones_like(target)
  near, far = _dot_canvas(6, 8), _dot_canvas(6, 13)
  plain = rewards.MultiscaleRelativeL2(())
  multiscale = rewards.MultiscaleRelativeL2((2.0, 4.0))
  for score in (plain, multiscale):
    np.testing.assert_allclose(score(target, target, blank), [0.0], atol=1e-6)
    np.testing.assert_allclose(score(blank, target, blank), [-1.0], rtol=1e-5)
  # Plain L2: a dot next to the target's is as bad as one far away.
  np.testing.assert_allclose(plain(near, target, blank),
                             plain(far, target, blank), rtol=1e-5)
  assert plain(near, target, blank).numpy()[0] < -1.0
  # Blurred scales: the near dot beats the blank canvas, the far one not.
  assert multiscale(near, target, blank).numpy()[0] > -1.0
  assert (multiscale(far, target, blank).numpy()[0] <
          multiscale(near, target, blank).numpy()[0])


def test_blurred_l2_reward_uses_the_episodes_first_canvas_as_blank():
  rng = np.random.default_rng(6)
  target = rng.uniform(size=(_B, _W, _W, _C)).astype(np.float32)
  canvases = _canvases(8)
  canvases[-1] = target  # Every episode ends on its target.
  config = _config(conditional=True, reward_type=config_lib.RewardType.L2,
                   temporal_credit=True, reward_scale=3.0,
                   l2_blur_sigmas=(1.0,))
  reward_fn = rewards.reward_function_for(config)
  got = reward_fn(tf.constant(canvases), {}, tf.constant(target)).numpy()
  # Returns telescope from the blank's score (-1) to the target's (0).
  np.testing.assert_allclose(got.sum(axis=0), [3.0] * _B, rtol=1e-4)


@pytest.mark.parametrize("kwargs, message", [
    (dict(l2_blur_sigmas=(2.0, 0.0)), "l2_blur_sigmas must be a tuple"),
    (dict(l2_blur_sigmas=[2.0]), "l2_blur_sigmas must be a tuple"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), l2_relative_to_blank=True),
     "leave l2_relative_to_blank off"),
    (dict(l2_blur_sigmas=(2.0,)), "needs reward_type=L2"),
])
def test_blur_sigmas_are_validated(kwargs, message):
  with pytest.raises(ValueError, match=message):
    config_lib.SpiralConfig(**kwargs)


def test_reward_function_takes_exactly_one_scorer():
  with pytest.raises(ValueError, match="exactly one"):
    rewards.RewardFunction(_config())
  with pytest.raises(ValueError, match="exactly one"):
    rewards.RewardFunction(_config(), _mean_pixel,
                           blank_scorer=rewards.MultiscaleRelativeL2(()))
  with pytest.raises(ValueError, match="needs the discriminator"):
    rewards.reward_function_for(_config())


def _square(row, col, colour=(0.0, 0.0, 0.0), width=24, size=4):
  """A grey floor (0.5) with a coloured square at (row, col)."""
  canvas = np.full([1, width, width, 3], 0.5, np.float32)
  canvas[0, row:row + size, col:col + size] = colour
  return canvas


def test_objectness_scores_where_objects_are_not_their_colour():
  blank = tf.constant(_square(0, 0, colour=(0.5, 0.5, 0.5)))
  target = tf.constant(_square(8, 8, colour=(1.0, 0.0, 0.0)))
  distance = lambda c: rewards.objectness_distance(
      tf.constant(c), target, blank, (2.0, 4.0)).numpy()[0]
  assert distance(target.numpy()) == pytest.approx(0.0, abs=1e-6)
  # Same place, another colour: nearly as good as the target itself.
  same_place = distance(_square(8, 8, colour=(0.0, 0.0, 1.0)))
  assert same_place < 1e-3
  # Farther is worse, and a far object is worse than none (uniform).
  near, far = distance(_square(8, 11)), distance(_square(18, 18))
  assert same_place < near < far
  assert distance(blank.numpy()) < far
  # Pixel L2 cannot tell the same place in another colour from far away.
  l2 = rewards.MultiscaleRelativeL2(())
  assert (l2(tf.constant(_square(8, 8, colour=(0.0, 0.0, 1.0))), target,
             blank).numpy()[0] < -1.0)


def test_colour_objectness_scores_the_colour_not_its_strength():
  blank = tf.constant(_square(0, 0, colour=(0.5, 0.5, 0.5)))
  target = tf.constant(_square(8, 8, colour=(1.0, 0.0, 0.0)))
  distance = lambda c: rewards.objectness_distance(
      tf.constant(c), target, blank, (2.0, 4.0), colour=True).numpy()[0]
  assert distance(target.numpy()) == pytest.approx(0.0, abs=1e-6)
  # Elsewhere, every colour (and nothing at all) costs the same: there is
  # no colour to hedge with before the object is in place.
  far_red = distance(_square(18, 18, colour=(1.0, 0.0, 0.0)))
  far_cyan = distance(_square(18, 18, colour=(0.0, 1.0, 1.0)))
  assert far_cyan == pytest.approx(far_red, rel=0.05)
  assert distance(blank.numpy()) == pytest.approx(far_red, rel=0.05)
  # In place, the colour's direction from the floor counts, not its
  # strength; the farther the direction, the worse, up to twice elsewhere.
  faint = distance(_square(8, 8, colour=(0.75, 0.25, 0.25)))
  orange = distance(_square(8, 8, colour=(1.0, 0.3, 0.0)))
  grey = distance(_square(8, 8, colour=(0.4, 0.4, 0.4)))
  blue = distance(_square(8, 8, colour=(0.0, 0.0, 1.0)))
  cyan = distance(_square(8, 8, colour=(0.0, 1.0, 1.0)))
  assert faint < 0.01 * far_red
  assert faint < orange < grey < blue < cyan
  assert cyan == pytest.approx(2 * far_red, rel=0.05)
  # A right place in the wrong colour still beats a wrong place once the
  # colour-blind term is added with a weight below 1 (the config's rule).
  blind = lambda c: rewards.objectness_distance(
      tf.constant(c), target, blank, (2.0, 4.0)).numpy()[0]
  wrong_colour = _square(8, 8, colour=(0.0, 1.0, 1.0))
  far = _square(18, 18, colour=(1.0, 0.0, 0.0))
  assert (blind(wrong_colour) + 0.99 * distance(wrong_colour) <
          blind(far) + 0.99 * distance(far))


def test_objectness_then_l2_schedules_the_l2_weight():
  score = rewards.ObjectnessThenL2((2.0,), objectness_weight=0.5,
                                   l2_weight=4.0, l2_start_step=100,
                                   l2_ramp_steps=50)
  weights = [score.l2_weight(tf.constant(s, tf.int64)).numpy()
             for s in (0, 100, 125, 150, 1000)]
  np.testing.assert_allclose(weights, [0.0, 0.0, 2.0, 4.0, 4.0])
  step_now = rewards.ObjectnessThenL2((2.0,), objectness_weight=1.0,
                                      l2_weight=2.0, l2_start_step=10,
                                      l2_ramp_steps=0)
  assert step_now.l2_weight(tf.constant(9)).numpy() == 0.0
  assert step_now.l2_weight(tf.constant(10)).numpy() == 2.0

  blank = tf.constant(_square(0, 0, colour=(0.5, 0.5, 0.5)))
  target = tf.constant(_square(8, 8, colour=(1.0, 0.0, 0.0)))
  canvas = tf.constant(_square(9, 10, colour=(0.0, 1.0, 0.0)))
  objectness = rewards.objectness_distance(canvas, target, blank, (2.0,))
  l2 = -rewards.MultiscaleRelativeL2((2.0,))(canvas, target, blank)
  for step, weight in ((0, 0.0), (125, 2.0), (500, 4.0)):
    np.testing.assert_allclose(
        score(canvas, target, blank, tf.constant(step)),
        -0.5 * objectness - weight * l2, rtol=1e-5)
  with_colour = rewards.ObjectnessThenL2((2.0,), objectness_weight=0.5,
                                         l2_weight=4.0, l2_start_step=100,
                                         l2_ramp_steps=50, colour_weight=0.25)
  colour = rewards.objectness_distance(canvas, target, blank, (2.0,),
                                       colour=True)
  np.testing.assert_allclose(
      with_colour(canvas, target, blank, tf.constant(0)),
      -0.5 * objectness - 0.25 * colour, rtol=1e-5)


def test_objectness_and_l2_take_their_own_scales():
  blank = tf.constant(_square(0, 0, colour=(0.5, 0.5, 0.5)))
  target = tf.constant(_square(8, 8, colour=(1.0, 0.0, 0.0)))
  canvas = tf.constant(_square(9, 10, colour=(0.0, 1.0, 0.0)))
  score = rewards.ObjectnessThenL2((1.0,), objectness_sigmas=(2.0, 4.0),
                                   objectness_weight=0.5, l2_weight=4.0,
                                   l2_start_step=0, l2_ramp_steps=0)
  objectness = rewards.objectness_distance(canvas, target, blank, (2.0, 4.0))
  l2 = -rewards.MultiscaleRelativeL2((1.0,))(canvas, target, blank)
  np.testing.assert_allclose(score(canvas, target, blank, tf.constant(0)),
                             -0.5 * objectness - 4.0 * l2, rtol=1e-5)
  # The config routes each field to its term; an empty L2 scale list is the
  # plain relative L2, while the objectness keeps its blurs.
  config = _config(conditional=True, reward_type=config_lib.RewardType.L2,
                   objectness_weight=0.5, objectness_blur_sigmas=(2.0, 4.0),
                   l2_weight=4.0)
  assert config.objectness_sigmas == (2.0, 4.0)
  assert _objectness_config().objectness_sigmas == (2.0,)
  reward_fn = rewards.reward_function_for(config)
  canvases = tf.stack([blank, canvas])
  plain = -rewards.MultiscaleRelativeL2(())(canvas, target, blank)
  np.testing.assert_allclose(
      reward_fn(canvases, {}, target, step=tf.constant(0, tf.int64))[0],
      config.reward_scale * (-0.5 * objectness - 4.0 * plain), rtol=1e-5)


def _objectness_config(**kwargs):
  return _config(conditional=True, reward_type=config_lib.RewardType.L2,
                 temporal_credit=True, l2_blur_sigmas=(2.0,),
                 objectness_weight=1.0, l2_weight=3.0, l2_start_step=5,
                 **kwargs)


def test_scheduled_reward_needs_the_step_and_logs_its_weight():
  reward_fn = rewards.reward_function_for(_objectness_config())
  blank = _square(0, 0, colour=(0.5, 0.5, 0.5))
  target = _square(8, 8, colour=(1.0, 0.0, 0.0))
  canvases = np.stack([blank, _square(8, 8, colour=(0.0, 1.0, 0.0))])
  with pytest.raises(ValueError, match="pass the learner's step"):
    reward_fn(tf.constant(canvases), {}, tf.constant(target))
  before = reward_fn(tf.constant(canvases), {}, tf.constant(target),
                     step=tf.constant(0, tf.int64)).numpy()
  after = reward_fn(tf.constant(canvases), {}, tf.constant(target),
                    step=tf.constant(5, tf.int64)).numpy()
  # Right place: rewarded at once; wrong colour: costs once the L2 is on.
  assert before[0, 0] > 0
  assert after[0, 0] < before[0, 0]
  assert reward_fn.schedule(tf.constant(5, tf.int64))[
      "l2_reward_weight"].numpy() == 3.0
  plain = rewards.reward_function_for(
      _config(conditional=True, reward_type=config_lib.RewardType.L2))
  assert plain.schedule(tf.constant(0)) == {}


@pytest.mark.parametrize("kwargs, message", [
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          objectness_weight=1.0),
     "objectness_weight needs objectness_blur_sigmas or l2_blur_sigmas"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), objectness_blur_sigmas=(4.0,)),
     "objectness_blur_sigmas are the objectness reward's scales"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          objectness_weight=1.0, objectness_blur_sigmas=(2.0, 0.0)),
     r"objectness_blur_sigmas must be a tuple of sigmas > 0 .*\(2.0, 0.0\)"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          objectness_weight=1.0, objectness_blur_sigmas=[2.0]),
     "objectness_blur_sigmas must be a tuple"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), l2_start_step=10),
     "set objectness_weight > 0"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), objectness_weight=1.0, l2_ramp_steps=-1),
     "l2_ramp_steps must be an integer >= 0"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), objectness_weight=-1.0),
     "objectness_weight must be >= 0"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), objectness_colour_weight=0.5),
     "objectness_colour_weight adds to the objectness reward"),
    (dict(conditional=True, reward_type=config_lib.RewardType.L2,
          l2_blur_sigmas=(2.0,), objectness_weight=1.0,
          objectness_colour_weight=-0.5),
     "objectness_colour_weight must be >= 0"),
])
def test_objectness_reward_config_is_validated(kwargs, message):
  with pytest.raises(ValueError, match=message):
    config_lib.SpiralConfig(**kwargs)


def test_alternative_gains_are_each_values_score_over_the_taken_ones():
  rng = np.random.default_rng(7)
  canvases = _canvases()
  target = rng.uniform(size=(_B, _W, _W, _C)).astype(np.float32)
  rendered = rng.uniform(size=(_T + 1, _B, 3, _W, _W, _C)).astype(np.float32)
  taken = rng.integers(0, 3, size=(_T, _B)).astype(np.int32)
  reward = rewards.RewardFunction(
      _config(temporal_credit=True, reward_scale=10.0), rewards.negative_l2)
  gains = reward.alternative_gains(
      tf.constant(canvases), {"shape": tf.constant(rendered)},
      {"shape": tf.constant(taken)}, tf.constant(target))["shape"].numpy()
  scores = 10.0 * _np_negative_l2(rendered[1:], target[None, :, None])
  expected = scores - np.take_along_axis(scores, taken[..., None], -1)
  np.testing.assert_allclose(gains, expected, rtol=1e-5, atol=1e-6)
  assert np.all(np.take_along_axis(gains, taken[..., None], -1) == 0.0)
  for config in (_config(temporal_credit=False),
                 _config(temporal_credit=True, standardise_scores=True)):
    with pytest.raises(ValueError, match="alternative_gains needs"):
      rewards.RewardFunction(config, rewards.negative_l2).alternative_gains(
          tf.constant(canvases), {"shape": tf.constant(rendered)},
          {"shape": tf.constant(taken)}, tf.constant(target))
