"""Users' local Omniglot: `images_background.zip` / `images_evaluation.zip`.

Either the zips as distributed or their extracted folders are accepted, in
the given directory; `path` may also point at one zip or extracted folder.
Inside, drawings lie at `<set>/<alphabet>/<characterNN>/<id>_<drawer>.png`
(105x105, black ink on white), so they are kept as they are (no inversion).
Labels are (alphabet, character) rows.
"""

import io
import os
import zipfile
from typing import Optional, Union

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.datasets import image_folder
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.DARK_ON_LIGHT
# Omniglot's own set names, and the train/test aliases the registry uses.
SPLITS = {"background": "images_background", "train": "images_background",
          "evaluation": "images_evaluation", "test": "images_evaluation"}


def _locate(path: str, split: str) -> str:
  """Returns the zip or folder holding `split` under `path`."""
  stem = SPLITS[split]
  if os.path.isfile(path) and zipfile.is_zipfile(path):
    return path
  if os.path.isdir(path):
    for candidate in (os.path.join(path, stem), os.path.join(path,
                                                             stem + ".zip")):
      if os.path.exists(candidate):
        return candidate
    if os.path.basename(os.path.normpath(path)) == stem:
      return path
  raise FileNotFoundError(
      f"No Omniglot {split} set at {path!r}; expected {stem}.zip or an "
      f"extracted {stem}/ folder in that directory, or the path of one.")


def _entries(location: str) -> list[tuple[str, str, str]]:
  """Lists `(relative_path, alphabet, character)` for every PNG, sorted."""
  if os.path.isdir(location):
    names = [os.path.relpath(f, location).replace(os.sep, "/")
             for f in image_folder.list_images(location)]
  else:
    with zipfile.ZipFile(location) as archive:
      names = sorted(n for n in archive.namelist()
                     if n.lower().endswith(".png"))
  entries = []
  for name in names:
    parts = name.split("/")
    if len(parts) < 3:
      raise ValueError(f"Omniglot file {name!r} in {location!r} is not at "
                       "<alphabet>/<character>/<file>.png.")
    entries.append((name, parts[-3], parts[-2]))
  if not entries:
    raise FileNotFoundError(f"No PNG drawings in Omniglot set {location!r}.")
  return entries


def load_omniglot(path: Union[str, os.PathLike], *, split: str = "background",
                  canvas_width: int = 64, channels: int = 1,
                  invert: bool = False,
                  limit: Optional[int] = None) -> dataset.ImageDataset:
  """Loads an Omniglot set as dark-on-white canvas images.

  Args:
    path: a directory holding the zips or extracted folders, or one of them.
    split: "background" ("train") or "evaluation" ("test").
    canvas_width: the side of the output images.
    channels: 1, or 3 to replicate grey into RGB.
    invert: True gives white ink on black.
    limit: keep only the first `limit` drawings in sorted path order.
  """
  if split not in SPLITS:
    raise ValueError(f"Omniglot split must be one of {sorted(SPLITS)}, got "
                     f"{split!r}.")
  if limit is not None and limit < 1:
    raise ValueError(f"limit must be positive or None, got {limit}.")
  location = _locate(os.fspath(path), split)
  entries = _entries(location)[:limit]
  def decode(source) -> np.ndarray:
    return image_folder.decode_square(source, canvas_width=canvas_width,
                                      channels=channels)

  if os.path.isdir(location):
    squares = [decode(os.path.join(location, name)) for name, _, _ in entries]
  else:
    with zipfile.ZipFile(location) as archive:
      squares = [decode(io.BytesIO(archive.read(name)))
                 for name, _, _ in entries]
  out = image_folder.stack_to_canvas(squares, canvas_width=canvas_width,
                                     channels=channels, invert=invert)
  labels = np.array([(a, c) for _, a, c in entries], dtype=str).reshape(-1, 2)
  return dataset.ImageDataset(out, labels, "omniglot")
