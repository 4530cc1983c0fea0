"""Reconstruction quality on held-out targets, against two baselines.

An agent that learns not to paint beats a random policy (random strokes
make a canvas worse than leaving it blank), so every L2 number is reported
next to both the blank canvas's and a uniformly random policy's.
"""

import dataclasses
from typing import Mapping

import numpy as np

from spiral_acme import core
from spiral_acme import painting
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


def baselines(environment: BatchedEnvironment, targets: np.ndarray,
              random_actor: core.Actor) -> Mapping[str, float]:
  """L2 of the untouched canvas and of a uniformly random policy."""
  blank = environment.reset().observation["canvas"][:1]
  blank_l2 = mean_l2(np.broadcast_to(blank, targets.shape), targets)
  results = painting.paint_many(random_actor, environment, len(targets))
  random_l2 = mean_l2(painting.final_canvases(results, len(targets)), targets)
  return {"blank_l2": blank_l2, "random_l2": random_l2}
