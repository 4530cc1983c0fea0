"""Writes paintings to disk: a PNG grid, a GIF, an SVG and a JSON per sample.

Shared by the demo, the launchers and `launch/sample.py`. With
`canvas_width` the stroke programs are re-rendered at that resolution (the
GIF frames too), since an agent's output is a program, not pixels. MuJoCo
scene samples get their scene program as JSON and a standalone MJCF scene
(`sample_i.xml`, opens in MuJoCo's viewer) instead of an SVG.

A folder never mixes two sample sets: `write_samples` refuses a folder that
holds an earlier set (`sample_files`), or with `overwrite=True` deletes that
set first. Other files in the folder are left alone.
"""

import dataclasses
import json
import os
import pathlib
import re
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from spiral_acme import images
from spiral_acme.datasets.images import resize
from spiral_acme.environments import strokes as strokes_lib
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig
from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig
from spiral_acme.environments.scene_program import SceneProgram
from spiral_acme.painting import Paintings

EnvironmentConfig = Union[LibMyPaintConfig, MujocoScenesConfig]


# The names `write_samples` gives its files; nothing else is ever deleted.
_SAMPLE_FILE = re.compile(r"^(grid\.png|sample_\d{3,}\.(svg|xml|json|gif))$")


@dataclasses.dataclass(frozen=True)
class Sample:
  """One painted episode, unbatched."""
  canvas: np.ndarray  # f32[W, W, C]
  frames: Optional[np.ndarray]  # f32[T+1, W, W, C] or None
  strokes: Sequence[strokes_lib.Stroke]
  actions: List[dict]  # One {key: int} per step.
  svg: str
  scene: Optional[SceneProgram] = None  # MuJoCo scenes only.


def unbatch(paintings: Sequence[Paintings], num: Optional[int] = None
            ) -> List[Sample]:
  """Splits batched results into per-episode samples (the first `num`)."""
  samples = []
  for p in paintings:
    for i in range(len(p.canvases)):
      samples.append(Sample(
          canvas=p.canvases[i],
          frames=None if p.frames is None else p.frames[:, i],
          strokes=p.strokes[i],
          actions=[{k: int(v[i]) for k, v in a.items()} for a in p.actions],
          svg=p.svgs[i],
          scene=None if p.scenes is None else p.scenes[i]))
  return samples if num is None else samples[:num]


def _render(sample: Sample, config: EnvironmentConfig,
            canvas_width: Optional[int]) -> np.ndarray:
  if sample.scene is not None:
    return sample.scene.render(canvas_width)
  return strokes_lib.render(sample.strokes, config, canvas_width=canvas_width)


def _frames(sample: Sample, config: EnvironmentConfig,
            canvas_width: Optional[int]) -> np.ndarray:
  if canvas_width is None and sample.frames is not None:
    return sample.frames
  if sample.scene is not None:  # One frame per placed object.
    return np.stack([sample.scene.prefix(t).render(canvas_width)
                     for t in range(len(sample.scene) + 1)])
  return np.stack([
      strokes_lib.render(sample.strokes[:t], config, canvas_width=canvas_width)
      for t in range(len(sample.strokes) + 1)])


def _stroke_dict(stroke: strokes_lib.Stroke) -> dict:
  return dataclasses.asdict(stroke)


def sample_files(directory: Union[str, os.PathLike]) -> List[pathlib.Path]:
  """The files of an earlier `write_samples` set in `directory`, sorted.

  Empty when the directory does not exist (or is not a directory).
  """
  directory = pathlib.Path(directory)
  if not directory.is_dir():
    return []
  return sorted(p for p in directory.iterdir()
                if p.is_file() and _SAMPLE_FILE.match(p.name))


def _earlier_set(directory: pathlib.Path,
                 overwrite: bool) -> List[pathlib.Path]:
  """The earlier set to delete; raises if `directory` may not be used."""
  if directory.exists() and not directory.is_dir():
    raise NotADirectoryError(f"{str(directory)!r} is a file; expected a "
                             "directory for the samples (created if missing).")
  earlier = sample_files(directory)
  if earlier and not overwrite:
    raise FileExistsError(
        f"{str(directory)!r} holds {len(earlier)} files of an earlier sample "
        f"set ({earlier[0].name}, ...); expected a directory without them, "
        "or overwrite=True to replace them.")
  return earlier


def write_samples(directory: Union[str, pathlib.Path],
                  samples: Sequence[Sample], config: EnvironmentConfig, *,
                  targets: Optional[np.ndarray] = None,
                  canvas_width: Optional[int] = None,
                  display_scale: int = 1,
                  gifs: bool = True,
                  overwrite: bool = False) -> dict:
  """Writes `grid.png`, and per sample `sample_i.{svg,json,gif}`.

  Scene samples get `sample_i.{xml,json,gif}`: the MJCF scene (at
  `canvas_width` when given) and the scene program with the actions.

  Args:
    directory: created if missing.
    samples: what to write.
    config: the environment the samples were painted in (for re-rendering).
    targets: f32[N, W, W, C]; the grid then shows each target next to its
      painting.
    canvas_width: re-render the programs at this width (None: as painted).
    display_scale: enlarge the PNG grid and GIFs by this integer factor
      (nearest neighbour), for small canvases.
    gifs: write one GIF per sample, stroke by stroke.
    overwrite: delete an earlier sample set in `directory` (its grid.png and
      sample_* files, nothing else) before writing; without it such a
      directory is refused.

  Returns:
    {"grid": path, "samples": [{"svg" or "mjcf", "json", "gif"}...]} of
    written files.

  Raises:
    FileExistsError: `directory` holds an earlier set and not `overwrite`.
    NotADirectoryError: `directory` is a file.
  """
  if not samples:
    raise ValueError("write_samples needs at least one sample.")
  if (isinstance(display_scale, bool) or not isinstance(display_scale, int) or
      display_scale < 1):
    raise ValueError(
        f"display_scale must be an int >= 1, got {display_scale!r}.")
  enlarge = lambda x: np.repeat(np.repeat(x, display_scale, -3),
                                display_scale, -2)
  if targets is not None and len(targets) != len(samples):
    raise ValueError(f"Got {len(targets)} targets for {len(samples)} "
                     "samples; expected one target per sample.")
  directory = pathlib.Path(directory)
  earlier = _earlier_set(directory, overwrite)  # Checked before rendering.
  if canvas_width is None:
    canvases = np.stack([s.canvas for s in samples])
  else:
    canvases = np.stack([_render(s, config, canvas_width) for s in samples])
  if targets is None:
    grid = images.image_grid(canvases)
  else:
    shown_targets = np.asarray(targets, np.float32)
    width = canvases.shape[1]
    if shown_targets.shape[1] != width:
      shown_targets = resize(shown_targets, width, width)
    grid = images.pair_grid(shown_targets, canvases)
  for path in earlier:
    path.unlink()
  directory.mkdir(parents=True, exist_ok=True)
  written: dict[str, Any] = {"grid": str(images.save_png(
      directory / "grid.png", enlarge(grid))), "samples": []}
  for i, sample in enumerate(samples):
    files = {}
    json_path = directory / f"sample_{i:03d}.json"
    if sample.scene is None:
      svg_path = directory / f"sample_{i:03d}.svg"
      svg_path.write_text(sample.svg)
      files["svg"] = str(svg_path)
      json_path.write_text(json.dumps({
          "environment": config.to_dict(),
          "actions": sample.actions,
          "strokes": [_stroke_dict(s) for s in sample.strokes],
      }, indent=1))
    else:
      mjcf_path = directory / f"sample_{i:03d}.xml"
      mjcf_path.write_text(sample.scene.to_mjcf(canvas_width))
      files["mjcf"] = str(mjcf_path)
      json_path.write_text(json.dumps(
          {**sample.scene.to_dict(), "actions": sample.actions}, indent=1))
    files["json"] = str(json_path)
    if gifs:
      files["gif"] = str(images.save_gif(
          directory / f"sample_{i:03d}.gif",
          enlarge(_frames(sample, config, canvas_width)), duration_ms=250))
    written["samples"].append(files)
  return written
