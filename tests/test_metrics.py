"""Frechet distance and the classifier feature space."""

import numpy as np
import pytest

from spiral_acme import metrics
from spiral_acme.datasets import load_digits


def test_frechet_distance_of_gaussians_matches_closed_form():
  rng = np.random.default_rng(0)
  a = rng.normal(0.0, 1.0, size=(20000, 2))
  b = rng.normal([3.0, 0.0], 2.0, size=(20000, 2))
  # Isotropic: |mu_a - mu_b|^2 + sum_i (s_a - s_b)^2 = 9 + 2 * (1 - 2)^2.
  assert metrics.frechet_distance(a, b, eps=0.0) == pytest.approx(11.0,
                                                                  rel=0.03)
  assert metrics.frechet_distance(a, a, eps=0.0) == pytest.approx(0.0,
                                                                  abs=1e-6)


def test_frechet_distance_rejects_bad_shapes():
  with pytest.raises(ValueError, match=r"\[N, D\] and \[M, D\]"):
    metrics.frechet_distance(np.zeros((3, 2)), np.zeros((3, 4)))
  with pytest.raises(ValueError, match="at least 2 samples"):
    metrics.frechet_distance(np.zeros((1, 2)), np.zeros((3, 2)))


def test_feature_space_separates_real_digits_from_blank_canvases():
  digits = load_digits(canvas_width=16)
  train, held_out = digits.split(200, seed=0)
  space = metrics.FeatureSpace(train.images, train.labels)
  assert space.accuracy(held_out.images, held_out.labels) > 0.85
  real = space.embed(held_out.images[:100])
  other_real = space.embed(train.images[:100])
  blank = space.embed(np.ones_like(held_out.images[:100]))
  blank = blank + np.random.default_rng(0).normal(0, 1e-3, blank.shape)
  assert (metrics.frechet_distance(real, other_real) <
          0.5 * metrics.frechet_distance(real, blank))
  assert space.class_entropy(held_out.images) > 2.0  # ~log(10) = 2.3.
  assert space.class_entropy(held_out.images[held_out.labels == 3]) < 1.0


def test_class_labels_takes_the_glyph_of_font_glyph_rows():
  np.testing.assert_array_equal(metrics.class_labels(np.array([3, 1])), [3, 1])
  rows = np.array([["roman", "a"], ["gothic", "a"], ["roman", "b"]])
  np.testing.assert_array_equal(metrics.class_labels(rows), ["a", "a", "b"])
  with pytest.raises(ValueError, match=r"\[N\] or \[N, K\]"):
    metrics.class_labels(np.zeros((2, 2, 2)))


def test_blank_fraction_counts_canvases_without_visible_ink():
  canvases = np.ones((4, 20, 20, 1), np.float32)
  canvases[1, 5:10, 5:10] = 0.0  # 25 of 400 pixels: inked.
  canvases[2, 5, 5] = 0.0  # One pixel: blank (below 0.5% of the canvas).
  canvases[3] = 0.95  # A faint wash below the ink threshold: blank.
  np.testing.assert_allclose(metrics.ink_fraction(canvases),
                             [0.0, 25 / 400, 1 / 400, 0.0])
  assert metrics.blank_fraction(canvases) == pytest.approx(0.75)
  assert metrics.blank_fraction(canvases, min_ink=0.0) == 0.0
  with pytest.raises(ValueError, match="min_ink"):
    metrics.blank_fraction(canvases, min_ink=1.0)


def test_accuracy_is_the_fraction_of_predictions_that_match():
  digits = load_digits(canvas_width=16)
  train, held_out = digits.split(100, seed=0)
  space = metrics.FeatureSpace(train.images, train.labels)
  predictions = space.predict(held_out.images)
  assert space.accuracy(held_out.images, held_out.labels) == pytest.approx(
      np.mean(predictions == held_out.labels))
  # Blank canvases all get one class: accuracy near chance at best.
  blank = np.ones_like(held_out.images)
  assert space.accuracy(blank, held_out.labels) < 0.3


def test_proportion_interval_matches_the_wilson_formula():
  # 45 of 64 (70%): Wilson's 95% interval, worked by hand.
  low, high = metrics.proportion_interval(45, 64)
  assert low == pytest.approx(0.5823, abs=1e-3)
  assert high == pytest.approx(0.8010, abs=1e-3)
  # It holds the observed proportion, stays in [0, 1] at the ends, and
  # narrows with more trials.
  assert metrics.proportion_interval(0, 10)[0] == 0.0
  assert metrics.proportion_interval(10, 10)[1] == 1.0
  wide = metrics.proportion_interval(32, 64)
  narrow = metrics.proportion_interval(128, 256)
  assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


@pytest.mark.parametrize("successes, trials, match", [
    (5, 0, "trials=0: expected an int >= 1"),
    (65, 64, r"successes=65: expected an int in \[0, 64\]"),
    (-1, 64, "successes=-1: expected an int >= 0"),
    (0.5, 64, "successes=0.5: expected an int >= 0"),
    (3, 2.0, "trials=2.0: expected an int >= 1"),
])
def test_proportion_interval_rejects_impossible_counts(successes, trials,
                                                       match):
  with pytest.raises(ValueError, match=match):
    metrics.proportion_interval(successes, trials)


def test_accuracy_interval_takes_the_count_behind_an_accuracy():
  assert metrics.accuracy_interval(45 / 64, 64) == (
      metrics.proportion_interval(45, 64))
  # Benchmark curves round to five decimals: 45 / 64 is kept as 0.70312.
  assert metrics.accuracy_interval(0.70312, 64) == (
      metrics.proportion_interval(45, 64))
  with pytest.raises(ValueError, match="0.5 is not a count out of 7"):
    metrics.accuracy_interval(0.5, 7)
