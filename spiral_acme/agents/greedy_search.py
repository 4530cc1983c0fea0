"""Greedy search: the reference a reconstruction agent should approach.

For each target, every step samples `num_candidates` uniformly random
actions, renders each on top of the strokes kept so far, and keeps the one
that lowers the L2 to the target most (about half the candidates are
moves, which paint nothing, so the L2 practically never rises). It uses the same environment
and number of steps as the agent, so the gap between the two measures what
the policy has still to learn, not what the brush or the grid can do.
Rendering is paid per candidate: K * T * (T + 1) / 2 strokes per target.
"""

import dataclasses
from typing import Mapping

import numpy as np

from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

Action = Mapping[str, int]


@dataclasses.dataclass(frozen=True)
class GreedyResult:
  """Greedy search's final canvases f32[N, W, W, C] and renders used."""
  canvases: np.ndarray
  num_renders: int


def _random_action(counts: Mapping[str, int],
                   rng: np.random.Generator) -> Action:
  return {key: int(rng.integers(count)) for key, count in counts.items()}


def greedy_search(environment: LibMyPaintConfig, targets: np.ndarray, *,
                  num_candidates: int = 200, seed: int = 0) -> GreedyResult:
  """Paints each target with the best of `num_candidates` actions per step.

  Args:
    environment: the agent's environment configuration.
    targets: f32[N, W, W, C] images in the canvas convention.
    num_candidates: random actions rendered per step.
    seed: seeds the candidates.
  """
  if num_candidates < 1:
    raise ValueError(f"num_candidates must be >= 1, got {num_candidates!r}.")
  targets = np.asarray(targets, np.float32)
  env = environment.make()
  expected = env.observation_spec()["canvas"].shape
  if targets.ndim != 4 or targets.shape[1:] != expected:
    raise ValueError(f"targets must be [N, {', '.join(map(str, expected))}], "
                     f"got {targets.shape}.")
  counts = {key: spec.num_values for key, spec in env.action_spec().items()}
  rng = np.random.default_rng(seed)
  canvases, renders = [], 0
  try:
    for target in targets:
      kept = []
      canvas = env.reset().observation["canvas"]
      for _ in range(environment.episode_length - 1):
        best_action, best_l2, best_canvas = None, np.inf, canvas
        for _ in range(num_candidates):
          action = _random_action(counts, rng)
          env.reset()
          for previous in kept:
            env.step(previous)
          candidate = env.step(action).observation["canvas"]
          renders += 1
          l2 = float(np.mean(np.square(candidate - target)))
          if l2 < best_l2:
            best_action, best_l2, best_canvas = action, l2, candidate
        kept.append(best_action)
        canvas = best_canvas
      canvases.append(canvas)
  finally:
    env.close()
  return GreedyResult(np.stack(canvases), renders)
