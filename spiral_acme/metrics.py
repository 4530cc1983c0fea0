"""Sample-quality numbers for paintings, beyond the pixel L2.

`FeatureSpace` fits a small MLP classifier on labelled images (the embedded
digits, or Hershey glyphs by character) and serves three numbers: its
accuracy on paintings of held-out targets (does the painting read as the
digit?), the entropy of its mean prediction over samples (do unconditional
samples cover the classes?) and hidden activations for `frechet_distance`
(the FID recipe with a classifier that fits the data instead of Inception).
`blank_fraction` counts paintings with (almost) no ink: an agent that learns
that not painting is safest scores a fair L2 and nothing else.
"""

from typing import Optional
import warnings

import numpy as np
from scipy import linalg
from sklearn import exceptions
from sklearn import neural_network

from spiral_acme import validation
from spiral_acme.datasets.images import resize


class FeatureSpace:
  """Hidden activations of an MLP trained to classify the images."""

  def __init__(self, images: np.ndarray, labels: np.ndarray, *,
               width: int = 16, hidden_units: int = 64, seed: int = 0):
    """Fits the classifier.

    Args:
      images: f32[N, W, W, C] in [0, 1].
      labels: int[N] classes.
      width: images are resized to this width (and made grey) first.
      hidden_units: size of the feature space.
      seed: seeds the classifier's initialisation.
    """
    if len(images) != len(labels):
      raise ValueError(f"Got {len(images)} images but {len(labels)} labels.")
    self._width = width
    self._classifier = neural_network.MLPClassifier(
        hidden_layer_sizes=(hidden_units,), max_iter=150, random_state=seed)
    with warnings.catch_warnings():
      # Features are good long before Adam's loss stops moving.
      warnings.simplefilter("ignore", exceptions.ConvergenceWarning)
      self._classifier.fit(self._inputs(images), labels)

  def _inputs(self, images: np.ndarray) -> np.ndarray:
    images = np.asarray(images, np.float32)
    if images.ndim != 4:
      raise ValueError(f"images must be [N, W, W, C], got {images.shape}.")
    grey = images.mean(axis=-1, keepdims=True)
    return resize(grey, self._width, self._width).reshape(len(images), -1)

  def predict(self, images: np.ndarray) -> np.ndarray:
    """The predicted class of each image."""
    return self._classifier.predict(self._inputs(images))

  def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of `images` classified as their `labels`."""
    if len(images) != len(labels):
      raise ValueError(f"Got {len(images)} images but {len(labels)} labels.")
    return float(np.mean(self.predict(images) == np.asarray(labels)))

  def embed(self, images: np.ndarray) -> np.ndarray:
    """f32[N, hidden_units] ReLU activations."""
    weights, biases = self._classifier.coefs_[0], self._classifier.intercepts_[0]
    return np.maximum(self._inputs(images) @ weights + biases, 0.0)

  def class_entropy(self, images: np.ndarray) -> float:
    """Entropy (nats) of the mean predicted class distribution: diversity."""
    mean = self._classifier.predict_proba(self._inputs(images)).mean(axis=0)
    return float(-np.sum(mean * np.log(mean + 1e-12)))


def class_labels(labels: np.ndarray) -> np.ndarray:
  """The class of each image out of a dataset's labels.

  Digit sets label each image with an int; Hershey glyphs with a
  (font, glyph) row, whose class is the glyph (the same character in every
  font).
  """
  labels = np.asarray(labels)
  if labels.ndim == 1:
    return labels
  if labels.ndim == 2:
    return labels[:, -1]
  raise ValueError(f"labels must be [N] or [N, K], got shape {labels.shape}.")


def ink_fraction(canvases: np.ndarray, *, background: float = 1.0,
                 threshold: float = 0.1) -> np.ndarray:
  """f32[N]: fraction of pixels differing from `background` by > threshold."""
  canvases = np.asarray(canvases, np.float32)
  if canvases.ndim != 4:
    raise ValueError(f"canvases must be [N, W, W, C], got {canvases.shape}.")
  inked = np.abs(canvases - background).max(axis=-1) > threshold
  return inked.reshape(len(canvases), -1).mean(axis=1)


def blank_fraction(canvases: np.ndarray, *, min_ink: float = 0.005,
                   background: float = 1.0) -> float:
  """Fraction of canvases with less than `min_ink` of their pixels inked.

  At 64x64, 0.005 is 20 pixels: less than one short stroke of a 1-pixel
  brush. Faint marks below the ink threshold of `ink_fraction` do not count.
  """
  if not 0 <= min_ink < 1:
    raise ValueError(f"min_ink must be in [0, 1), got {min_ink!r}.")
  return float(np.mean(ink_fraction(canvases, background=background) <
                       min_ink))


def frechet_distance(a: np.ndarray, b: np.ndarray,
                     eps: Optional[float] = 1e-6) -> float:
  """Fréchet distance between Gaussians fitted to rows of `a` and `b`."""
  if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
    raise ValueError(f"Expected [N, D] and [M, D] features, got {a.shape} "
                     f"and {b.shape}.")
  if len(a) < 2 or len(b) < 2:
    raise ValueError("Each set needs at least 2 samples.")
  mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
  cov_a = np.cov(a, rowvar=False) + eps * np.eye(a.shape[1])
  cov_b = np.cov(b, rowvar=False) + eps * np.eye(b.shape[1])
  root, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
  root = np.real(root)
  return float(np.sum(np.square(mean_a - mean_b)) +
               np.trace(cov_a + cov_b - 2.0 * root))


def proportion_interval(successes: int, trials: int, *,
                        z: float = 1.96) -> tuple[float, float]:
  """Wilson score interval of a proportion (95% for z = 1.96).

  A classifier accuracy on 64 paintings moves by about 6 points from the
  draw of targets and strokes alone: 45 of 64 (70%) is (58%, 80%). Benchmarks
  report this interval beside each accuracy so that one run is not read as
  more certain than it is.
  """
  trials = validation.positive_int("trials", trials)
  successes = validation.non_negative_int("successes", successes)
  if successes > trials:
    raise ValueError(f"successes={successes!r}: expected an int in "
                     f"[0, {trials}]")
  z = validation.finite_positive("z", z)
  p = successes / trials
  z2 = z * z
  centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
  half = (z / (1 + z2 / trials)) * np.sqrt(
      p * (1 - p) / trials + z2 / (4 * trials * trials))
  return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def accuracy_interval(accuracy: float, trials: int, *,
                      z: float = 1.96) -> tuple[float, float]:
  """`proportion_interval` of an accuracy measured on `trials` items.

  The accuracy may be rounded (benchmark curves keep five decimals): it must
  lie within a hundredth of an item of a whole count.
  """
  successes = accuracy * trials
  if not -0.01 <= successes <= trials + 0.01 or (
      abs(successes - round(successes)) > 0.01):
    raise ValueError(f"accuracy {accuracy!r} is not a count out of "
                     f"{trials} trials.")
  return proportion_interval(int(round(successes)), trials, z=z)
