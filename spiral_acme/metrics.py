"""Sample-quality numbers for generated images.

`FeatureSpace` fits a small MLP classifier on labelled images (e.g. the
embedded digits) and embeds images as its hidden activations;
`frechet_distance` compares two sets of embeddings as Gaussians (the FID
recipe with a classifier that fits the data instead of Inception).
"""

from typing import Optional
import warnings

import numpy as np
from scipy import linalg
from sklearn import exceptions
from sklearn import neural_network

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

  def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
    return float(self._classifier.score(self._inputs(images), labels))

  def embed(self, images: np.ndarray) -> np.ndarray:
    """f32[N, hidden_units] ReLU activations."""
    weights, biases = self._classifier.coefs_[0], self._classifier.intercepts_[0]
    return np.maximum(self._inputs(images) @ weights + biases, 0.0)

  def class_entropy(self, images: np.ndarray) -> float:
    """Entropy (nats) of the mean predicted class distribution: diversity."""
    mean = self._classifier.predict_proba(self._inputs(images)).mean(axis=0)
    return float(-np.sum(mean * np.log(mean + 1e-12)))


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
