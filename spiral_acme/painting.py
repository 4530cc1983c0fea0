"""Runs an actor over whole episodes and keeps what it painted.

Used for evaluation, the demo and sampling from saved policies: the result
holds the final canvases, optionally every intermediate canvas (for GIFs),
and each environment's program: LibMyPaint's strokes (for SVGs and
re-rendering) or, for MuJoCo scenes, the scene program (JSON, MJCF).
"""

import dataclasses
from typing import Any, List, Optional, Sequence

import numpy as np

from spiral_acme import core
from spiral_acme.environments.batched import BatchedEnvironment


@dataclasses.dataclass(frozen=True)
class Paintings:
  """What K environments painted in one episode.

  Attributes:
    canvases: f32[K, W, W, C] final canvases.
    frames: f32[T+1, K, W, W, C] canvases before each action and at the end,
      or None when not recorded.
    strokes: per environment, its stroke program (empty for scenes).
    actions: per step, the batched action dict.
    svgs: per environment, the stroke program as SVG text ("" for scenes).
    scenes: per environment, its `SceneProgram` (MuJoCo scenes), else None.
  """
  canvases: np.ndarray
  frames: Optional[np.ndarray]
  strokes: List[Sequence[Any]]
  actions: List[dict]
  svgs: List[str]
  scenes: Optional[List[Any]] = None


def paint(actor: core.Actor, environment: BatchedEnvironment, *,
          record_frames: bool = False) -> Paintings:
  """Plays one episode in every environment of `environment`."""
  timestep = environment.reset()
  actor.observe_first(timestep)
  frames = [timestep.observation["canvas"]] if record_frames else None
  actions = []
  while not timestep.last():
    action = actor.select_action(timestep.observation)
    timestep = environment.step(action)
    actor.observe(action, timestep)
    actions.append({k: np.asarray(v) for k, v in action.items()})
    if frames is not None:
      frames.append(timestep.observation["canvas"])
  envs = environment.environments
  is_scene = hasattr(envs[0], "scene")
  return Paintings(
      canvases=np.asarray(timestep.observation["canvas"]),
      frames=None if frames is None else np.stack(frames),
      strokes=[[] if is_scene else list(env.strokes) for env in envs],
      actions=actions,
      svgs=["" if is_scene else env.to_svg() for env in envs],
      scenes=[env.scene for env in envs] if is_scene else None)


class SequentialTargets:
  """A target sampler that hands out fixed images in order, once each.

  The last batch is padded by repeating the final image; `paint_targets`
  drops the padding again.
  """

  def __init__(self, images: np.ndarray):
    if len(images) == 0:
      raise ValueError("SequentialTargets needs at least one image.")
    self._images = np.asarray(images, np.float32)
    self._next = 0

  def __call__(self, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    del rng  # Deterministic order.
    index = np.arange(self._next, self._next + batch_size)
    self._next += batch_size
    return self._images[np.minimum(index, len(self._images) - 1)]


def paint_many(actor: core.Actor, environment: BatchedEnvironment,
               num: int, *, record_frames: bool = False) -> List[Paintings]:
  """Enough episodes of K environments to paint `num` pictures."""
  if num < 1:
    raise ValueError(f"num must be >= 1, got {num}.")
  batches = -(-num // environment.batch_size)
  return [paint(actor, environment, record_frames=record_frames)
          for _ in range(batches)]


def final_canvases(results: Sequence[Paintings], num: int) -> np.ndarray:
  """The first `num` final canvases of `paint_many`'s results."""
  return np.concatenate([r.canvases for r in results])[:num]


def final_scenes(results: Sequence[Paintings], num: int) -> List[Any]:
  """The first `num` scene programs of `paint_many`'s results (scenes only)."""
  if any(r.scenes is None for r in results):
    raise ValueError("final_scenes needs MuJoCo scene paintings; these were "
                     "painted in an environment without scene programs.")
  return [s for r in results for s in r.scenes][:num]
