"""Program recovery: object-level precision and recall of scene programs."""

import pytest

from spiral_acme.agents.spiral.program_recovery import program_recovery
from spiral_acme.environments import scene_program
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig

CONFIG = MujocoScenesConfig()


def _object(shape=0, row=5, col=5, colour=(1, 2, 3), slot=0, size=1):
  return scene_program.make_object(CONFIG, slot, shape, row * 16 + col,
                                   size, colour)


def _scene(*objects):
  return scene_program.SceneProgram(objects, CONFIG)


@pytest.mark.parametrize("placed, matched", [
    (_object(), 1),
    (_object(row=6, col=4), 1),  # One cell away, diagonally.
    (_object(row=7), 0),  # Two cells away.
    (_object(shape=1), 0),  # Wrong shape.
    (_object(colour=(2, 3, 2)), 1),  # Every bin within one.
    (_object(colour=(1, 2, 1)), 0),  # Blue two bins off.
])
def test_one_object_match_rule(placed, matched):
  result = program_recovery([_scene(placed)], [_scene(_object())])
  assert (result.matched, result.placed, result.targets) == (matched, 1, 1)
  assert result.precision == result.recall == matched


def test_matching_is_one_to_one_over_scenes():
  target = _scene(_object(), _object(row=9, col=9, shape=2, slot=1))
  # Two copies of the first object and one miss: one match only.
  placed = _scene(_object(), _object(col=6, slot=1),
                  _object(row=0, col=0, slot=2))
  result = program_recovery([placed, _scene()], [target, target])
  assert (result.matched, result.placed, result.targets) == (1, 3, 4)
  assert result.precision == pytest.approx(1 / 3)
  assert result.recall == pytest.approx(1 / 4)
  assert result.location_recall == pytest.approx(1 / 4)
  assert result.shape_recall == pytest.approx(1 / 4)


def test_location_and_shape_recall_ignore_colour():
  result = program_recovery([_scene(_object(colour=(3, 0, 0)))],
                            [_scene(_object(colour=(0, 3, 0)))])
  assert result.recall == 0.0
  assert result.location_recall == result.shape_recall == 1.0


def test_cell_and_size_recall_read_the_nearest_placed_object():
  targets = [_scene(_object()), _scene(_object()), _scene(_object()),
             _scene(_object())]
  placed = [
      _scene(_object()),  # Same cell, same size.
      _scene(_object(col=6, size=2)),  # One cell off, another size.
      # The same-cell object is the nearest, so its size counts, not that
      # of the one listed first.
      _scene(_object(col=6, size=0, slot=0), _object(slot=1)),
      _scene(_object(row=8)),  # Too far for either.
  ]
  result = program_recovery(placed, targets)
  assert result.location_recall == pytest.approx(3 / 4)
  assert result.cell_recall == pytest.approx(2 / 4)
  assert result.size_recall == pytest.approx(2 / 4)


def test_scene_counts_must_agree():
  with pytest.raises(ValueError, match="Got 2 placed scenes for 1 targets"):
    program_recovery([_scene(), _scene()], [_scene()])
