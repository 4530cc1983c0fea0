"""Tests of brush file lookup."""

import pytest

from spiral_acme.environments import brushes


def test_finds_debian_dry_brush():
  path = brushes.find_brush("classic/dry_brush")
  assert path.name == "dry_brush.myb" and path.is_file()
  assert '"settings"' in brushes.load_brush_json("classic/dry_brush")


def test_basedir_is_searched_first(tmp_path):
  (tmp_path / "classic").mkdir()
  mine = tmp_path / "classic" / "dry_brush.myb"
  mine.write_text("{}")
  assert brushes.find_brush("classic/dry_brush", tmp_path) == mine
  assert brushes.search_dirs(tmp_path)[0] == tmp_path


def test_unknown_brush_lists_dirs_and_existing_brushes(tmp_path):
  (tmp_path / "mine.myb").write_text("{}")
  with pytest.raises(FileNotFoundError) as info:
    brushes.find_brush("no_such_brush", tmp_path)
  message = str(info.value)
  assert "no_such_brush" in message
  assert str(tmp_path) in message
  assert str(brushes.DEBIAN_BRUSHES_DIR) in message
  assert "mine" in message


def test_available_brushes_are_relative_names(tmp_path):
  (tmp_path / "a").mkdir()
  (tmp_path / "a" / "b.myb").write_text("{}")
  (tmp_path / "c.myb").write_text("{}")
  assert brushes.available_brushes([tmp_path]) == ["a/b", "c"]


def test_rejects_empty_brush_type():
  with pytest.raises(ValueError, match="non-empty string"):
    brushes.find_brush("")


def test_suggestions_prefer_the_requested_folder():
  with pytest.raises(FileNotFoundError, match=r"exist: classic/"):
    brushes.find_brush("classic/dry_brushh")
