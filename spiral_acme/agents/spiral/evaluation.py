"""Painting quality on held-out targets, against baselines.

An agent that learns not to paint beats a random policy (random strokes
make a canvas worse than leaving it blank), so every L2 number is reported
next to both the blank canvas's and a uniformly random policy's, and next
to numbers the L2 cannot fake: whether a classifier trained on the training
images recognises the paintings, and how many paintings are blank.
"""

import dataclasses
from typing import Dict, Mapping, Optional

import numpy as np

from spiral_acme import core
from spiral_acme import metrics
from spiral_acme import painting
from spiral_acme.datasets import ImageDataset
from spiral_acme.environments.batched import BatchedEnvironment


def mean_l2(canvases: np.ndarray, targets: np.ndarray) -> float:
  """Mean squared pixel error (the reference's L2)."""
  if canvases.shape != targets.shape:
    raise ValueError(f"canvases {canvases.shape} and targets {targets.shape} "
                     "must have the same shape.")
  return float(np.mean(np.square(canvases - targets)))


@dataclasses.dataclass(frozen=True)
class Reconstruction:
  """Final canvases for targets, and their mean L2."""
  canvases: np.ndarray
  targets: np.ndarray
  l2: float


def reconstruct(actor_factory, environment: BatchedEnvironment,
                targets: np.ndarray) -> Reconstruction:
  """Paints each target once.

  Args:
    actor_factory: `target_sampler -> core.Actor`; the actor must draw its
      targets from the sampler it is given.
    environment: K lock-stepped environments.
    targets: f32[N, W, W, C].
  """
  actor: core.Actor = actor_factory(painting.SequentialTargets(targets))
  results = painting.paint_many(actor, environment, len(targets))
  canvases = painting.final_canvases(results, len(targets))
  return Reconstruction(canvases, targets, mean_l2(canvases, targets))


def blank_l2(environment: BatchedEnvironment, targets: np.ndarray) -> float:
  """L2 of the environment's untouched canvas (paper, a scene's floor)."""
  blank = environment.reset().observation["canvas"][:1]
  return mean_l2(np.broadcast_to(blank, targets.shape), targets)


def baselines(environment: BatchedEnvironment, targets: np.ndarray,
              random_actor: core.Actor) -> Mapping[str, float]:
  """L2 of the untouched canvas and of a uniformly random policy."""
  untouched_l2 = blank_l2(environment, targets)
  results = painting.paint_many(random_actor, environment, len(targets))
  random_l2 = mean_l2(painting.final_canvases(results, len(targets)), targets)
  return {"blank_l2": untouched_l2, "random_l2": random_l2}


class QualityEvaluator:
  """Scores paintings with a classifier fitted on the training images.

  Conditional runs: the L2 to the held-out targets (and its ratio to the
  blank canvas's), the classifier's accuracy on the reconstructions next to
  its accuracy on the real targets, and the fraction of blank paintings.
  Unconditional runs: the Frechet distance of samples to held-out images in
  the classifier's hidden features, the entropy of the mean predicted class
  (log 10 = 2.30 for evenly spread digits) and the blank fraction.
  """

  def __init__(self, train: ImageDataset, held_out: ImageDataset, *,
               num_targets: Optional[int] = None, width: int = 16,
               hidden_units: int = 64, seed: int = 0):
    """Fits the classifier.

    Args:
      train: labelled training images (the classifier's training set).
      held_out: labelled held-out images (targets and real references).
      num_targets: how many held-out images to paint (default: all).
      width: the classifier's input width (images are resized to it).
      hidden_units: the classifier's hidden layer (the feature space).
      seed: seeds the classifier.
    """
    if train.labels is None or held_out.labels is None:
      raise ValueError("QualityEvaluator needs labelled images; got "
                       f"{train.name!r} without labels.")
    count = len(held_out) if num_targets is None else num_targets
    if not 1 <= count <= len(held_out):
      raise ValueError(f"num_targets must be in [1, {len(held_out)}], got "
                       f"{num_targets!r}.")
    self._targets = np.asarray(held_out.images[:count], np.float32)
    self._labels = metrics.class_labels(held_out.labels)[:count]
    self._space = metrics.FeatureSpace(
        train.images, metrics.class_labels(train.labels), width=width,
        hidden_units=hidden_units, seed=seed)
    self._real_features = self._space.embed(held_out.images)
    self._blank_l2 = mean_l2(np.ones_like(self._targets), self._targets)
    self.real_accuracy = self._space.accuracy(self._targets, self._labels)

  @classmethod
  def for_dataset(cls, train: ImageDataset, held_out: ImageDataset,
                  **kwargs) -> "QualityEvaluator":
    """An evaluator whose classifier is sized for the dataset.

    Hershey glyphs (96 characters drawn in 32 very different fonts) need a
    wider input and hidden layer than digits: 24 pixels and 128 units reach
    ~60% on real held-out glyphs, against ~54% at the digits' 16 and 64.
    """
    if train.name == "hershey":
      kwargs = {"width": 24, "hidden_units": 128, **kwargs}
    return cls(train, held_out, **kwargs)

  @property
  def targets(self) -> np.ndarray:
    """The held-out targets that reconstructions must paint, in order."""
    return self._targets

  @property
  def feature_space(self) -> metrics.FeatureSpace:
    return self._space

  def reconstructions(self, canvases: np.ndarray) -> Dict[str, float]:
    """Scores paintings of `targets` (in the same order)."""
    if canvases.shape != self._targets.shape:
      raise ValueError(f"canvases {canvases.shape} must match the targets "
                       f"{self._targets.shape}.")
    l2 = mean_l2(canvases, self._targets)
    return {"l2": l2, "l2_ratio_vs_blank": l2 / self._blank_l2,
            "classifier_accuracy": self._space.accuracy(canvases,
                                                        self._labels),
            "real_classifier_accuracy": self.real_accuracy,
            "blank_fraction": metrics.blank_fraction(canvases)}

  def samples(self, canvases: np.ndarray) -> Dict[str, float]:
    """Scores unconditional samples against the held-out images."""
    features = self._space.embed(canvases)
    if np.ptp(features, axis=0).max() == 0:
      # Identical samples (all blank, say) have a singular covariance.
      features = features + np.random.default_rng(0).normal(
          0, 1e-3, features.shape)
    return {"frechet_distance": metrics.frechet_distance(
                features, self._real_features),
            "class_entropy": self._space.class_entropy(canvases),
            "blank_fraction": metrics.blank_fraction(canvases)}
