"""Finds libmypaint brush files (`{brush_type}.myb`) on this machine.

The environment names brushes the way DeepMind's did (`classic/dry_brush`);
this module turns such a name into a file, looking in the caller's directory
first, then Debian's `mypaint-brushes` location, then wherever pkg-config says
mypaint-brushes is installed.
"""

import functools
import os
import pathlib
import posixpath
import subprocess
from typing import List, Optional, Sequence

DEBIAN_BRUSHES_DIR = pathlib.Path("/usr/share/mypaint-data/1.0/brushes")
_PKG_CONFIG_PACKAGE = "mypaint-brushes-1.0"
_EXAMPLES_SHOWN = 8


@functools.lru_cache(maxsize=1)
def _pkg_config_brushes_dir() -> Optional[pathlib.Path]:
  """Returns mypaint-brushes' directory from pkg-config, or None (cached)."""
  try:
    out = subprocess.run(
        ["pkg-config", "--variable=brushesdir", _PKG_CONFIG_PACKAGE],
        check=True, capture_output=True, text=True, timeout=10).stdout.strip()
  except (OSError, subprocess.SubprocessError):
    return None
  return pathlib.Path(out) if out else None


def search_dirs(
    brushes_basedir: Optional[os.PathLike] = None) -> List[pathlib.Path]:
  """The directories searched for brushes, in order, without duplicates."""
  candidates = []
  if brushes_basedir is not None:
    candidates.append(pathlib.Path(brushes_basedir))
  candidates.append(DEBIAN_BRUSHES_DIR)
  from_pkg_config = _pkg_config_brushes_dir()
  if from_pkg_config is not None:
    candidates.append(from_pkg_config)
  unique = []
  for directory in candidates:
    if directory not in unique:
      unique.append(directory)
  return unique


def available_brushes(dirs: Sequence[pathlib.Path]) -> List[str]:
  """Brush names (relative paths without `.myb`) found under `dirs`."""
  names = set()
  for directory in dirs:
    if directory.is_dir():
      for path in directory.rglob("*.myb"):
        names.add(path.relative_to(directory).with_suffix("").as_posix())
  return sorted(names)


def find_brush(brush_type: str,
               brushes_basedir: Optional[os.PathLike] = None) -> pathlib.Path:
  """Returns the path of `{brush_type}.myb`.

  Args:
    brush_type: a name such as "classic/dry_brush" (no `.myb` suffix).
    brushes_basedir: a directory searched before the system locations.

  Raises:
    FileNotFoundError: no directory holds the brush; the message lists the
      directories searched and a few brushes that do exist.
  """
  if not isinstance(brush_type, str) or not brush_type:
    raise ValueError(
        f"brush_type must be a non-empty string such as 'classic/dry_brush', "
        f"got {brush_type!r}")
  dirs = search_dirs(brushes_basedir)
  for directory in dirs:
    path = directory / f"{brush_type}.myb"
    if path.is_file():
      return path
  existing = available_brushes(dirs)
  # Brushes in the requested folder are the likeliest intended ones.
  folder = posixpath.dirname(brush_type)
  existing.sort(key=lambda name: posixpath.dirname(name) != folder)
  shown = ", ".join(existing[:_EXAMPLES_SHOWN]) or "none"
  if len(existing) > _EXAMPLES_SHOWN:
    shown += f", ... ({len(existing)} in all)"
  raise FileNotFoundError(
      f"brush {brush_type!r} not found: no {brush_type}.myb in "
      f"{[str(d) for d in dirs]}. Brushes that exist: {shown}. Install "
      "Debian's mypaint-brushes package or pass brushes_basedir.")


def load_brush_json(brush_type: str,
                    brushes_basedir: Optional[os.PathLike] = None) -> str:
  """Returns the text of the brush file (what the binding loads)."""
  return find_brush(brush_type, brushes_basedir).read_text(encoding="utf-8")
