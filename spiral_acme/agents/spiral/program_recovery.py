"""Program recovery: did the agent place the objects the target holds?

Only the 3D scene setting has a true program behind each target, so beside
the L2 we can count objects: a target object is recovered when a placed
object of the same shape sits within one grid cell of it (Chebyshev
distance <= 1) with every colour bin within one. Matching is one-to-one
(greedy, nearest pairs first), so precision = matched / placed and recall =
matched / target objects, over a whole set of scenes.
"""

import dataclasses
from typing import List, Sequence, Tuple

from spiral_acme.environments.scene_program import SceneObject
from spiral_acme.environments.scene_program import SceneProgram


@dataclasses.dataclass(frozen=True)
class Recovery:
  """Counts and rates over a set of scenes.

  Attributes:
    precision: matched / placed objects (1.0 when nothing was placed).
    recall: matched / target objects.
    location_recall: fraction of target objects with a placed object
      within one cell, whatever its shape and colour.
    shape_recall: fraction of target objects whose nearest placed object
      (within one cell) has the right shape.
    cell_recall: fraction of target objects with a placed object in the
      same cell. The pixel L2 needs this: one cell off costs more than no
      object (experiment s06).
    size_recall: fraction of target objects whose nearest placed object
      (within one cell) has the right size bin.
    matched, placed, targets: the counts behind the rates.
  """
  precision: float
  recall: float
  location_recall: float
  shape_recall: float
  cell_recall: float
  size_recall: float
  matched: int
  placed: int
  targets: int

  def to_dict(self) -> dict:
    return dataclasses.asdict(self)


def _cells_apart(a: SceneObject, b: SceneObject) -> int:
  return max(abs(a.row - b.row), abs(a.col - b.col))


def matches(placed: SceneObject, target: SceneObject) -> bool:
  """Same shape, within one cell, every colour bin within one."""
  return (placed.shape == target.shape and _cells_apart(placed, target) <= 1
          and all(abs(p - t) <= 1 for p, t in
                  zip(placed.colour_bins, target.colour_bins)))


def _match_count(placed: Sequence[SceneObject],
                 targets: Sequence[SceneObject]) -> int:
  """One-to-one matches, nearest pairs first."""
  pairs: List[Tuple[int, int, int]] = sorted(
      (_cells_apart(p, t), i, j) for i, p in enumerate(placed)
      for j, t in enumerate(targets) if matches(p, t))
  used_p, used_t = set(), set()
  for _, i, j in pairs:
    if i not in used_p and j not in used_t:
      used_p.add(i)
      used_t.add(j)
  return len(used_p)


def program_recovery(placed: Sequence[SceneProgram],
                     targets: Sequence[SceneProgram]) -> Recovery:
  """Precision and recall of target objects over paired scenes."""
  if len(placed) != len(targets):
    raise ValueError(f"Got {len(placed)} placed scenes for {len(targets)} "
                     "targets; expected one per target.")
  matched = num_placed = num_targets = near = right_shape = 0
  same_cell = right_size = 0
  for scene, target in zip(placed, targets):
    matched += _match_count(scene.objects, target.objects)
    num_placed += len(scene.objects)
    num_targets += len(target.objects)
    for t in target.objects:
      close = [p for p in scene.objects if _cells_apart(p, t) <= 1]
      if close:
        near += 1
        nearest = min(close, key=lambda p, t=t: _cells_apart(p, t))
        right_shape += nearest.shape == t.shape
        right_size += nearest.size_bin == t.size_bin
        same_cell += _cells_apart(nearest, t) == 0

  def rate(count: int) -> float:
    return count / num_targets if num_targets else 1.0

  return Recovery(
      precision=matched / num_placed if num_placed else 1.0,
      recall=rate(matched), location_recall=rate(near),
      shape_recall=rate(right_shape), cell_recall=rate(same_cell),
      size_recall=rate(right_size), matched=matched, placed=num_placed,
      targets=num_targets)
