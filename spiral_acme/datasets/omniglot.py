"""Users' local Omniglot: `images_background.zip` / `images_evaluation.zip`.

Either the zips as distributed or their extracted folders are accepted, in
the given directory; `path` may also point at one zip or extracted folder.
Inside, drawings lie at `<set>/<alphabet>/<characterNN>/<id>_<drawer>.png`
(105x105, black ink on white), so they are kept as they are (no inversion).
Labels are (alphabet, character) rows.
"""

import contextlib
import io
import os
from typing import Iterator, Optional, Sequence, Union
import zipfile
import zlib

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.datasets import errors
from spiral_acme.datasets import image_folder
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.DARK_ON_LIGHT
# Omniglot's own set names, and the train/test aliases the registry uses.
SPLITS = {"background": "images_background", "train": "images_background",
          "evaluation": "images_evaluation", "test": "images_evaluation"}


def expected_files(split: str) -> str:
  """Says where `split`'s drawings must be, for error messages."""
  stem = SPLITS[split]
  return (f"a directory holding {stem}.zip or an extracted {stem}/ folder, "
          "or the path of one")


def _locate(path: str, split: str) -> str:
  """Returns the zip or folder holding `split` under `path`."""
  stem = SPLITS[split]
  if not os.path.exists(path):
    raise errors.DataNotFoundError(
        path, f"does not exist; expected {expected_files(split)}")
  if os.path.isfile(path):
    return path  # A zip given directly; `_open_zip` checks it.
  for candidate in (os.path.join(path, stem), os.path.join(path,
                                                           stem + ".zip")):
    if os.path.exists(candidate):
      return candidate
  if os.path.basename(os.path.normpath(path)) == stem:
    return path
  raise errors.DataNotFoundError(
      path, f"holds no Omniglot {split} set; expected "
      f"{expected_files(split)}")


@contextlib.contextmanager
def _open_zip(location: str) -> Iterator[zipfile.ZipFile]:
  """Opens an Omniglot zip; a damaged or foreign file raises naming it."""
  try:
    archive = zipfile.ZipFile(location)
  except (zipfile.BadZipFile, OSError, EOFError) as e:
    raise errors.DataError(
        location, f"is not a readable zip file ({type(e).__name__}: {e}); "
        "expected Omniglot's images_background.zip or "
        "images_evaluation.zip") from e
  with archive:
    yield archive


def _read_member(archive: zipfile.ZipFile, location: str, name: str) -> bytes:
  """Reads one zip member; a damaged one raises naming the zip and member."""
  try:
    return archive.read(name)
  except (zipfile.BadZipFile, zlib.error, EOFError, OSError,
          NotImplementedError) as e:
    raise errors.DataError(
        location, f"its member {name!r} cannot be read "
        f"({type(e).__name__}: {e}); the zip is damaged") from e


def _entries(location: str) -> list[tuple[str, str, str]]:
  """Lists `(relative_path, alphabet, character)` for every PNG, sorted."""
  if os.path.isdir(location):
    names = [os.path.relpath(f, location).replace(os.sep, "/")
             for f in image_folder.list_images(location)]
  else:
    with _open_zip(location) as archive:
      names = sorted(n for n in archive.namelist()
                     if n.lower().endswith(".png"))
  entries = []
  for name in names:
    parts = name.split("/")
    if len(parts) < 3:
      raise errors.DataError(
          location, f"holds {name!r}, not at <alphabet>/<character>/"
          "<file>.png; expected Omniglot's layout")
    entries.append((name, parts[-3], parts[-2]))
  if not entries:
    raise errors.DataNotFoundError(
        location, "holds no PNG drawings; expected Omniglot's "
        "<alphabet>/<character>/<file>.png")
  return entries


def _decode(location: str, names: Sequence[str], *, canvas_width: int,
            channels: int) -> list[np.ndarray]:
  """Decodes the drawings `names` of a zip or folder to squares."""
  def decode(source, name: str) -> np.ndarray:
    return image_folder.decode_square(
        source, canvas_width=canvas_width, channels=channels,
        name=os.path.join(location, name))

  if os.path.isdir(location):
    return [decode(os.path.join(location, name), name) for name in names]
  with _open_zip(location) as archive:
    return [decode(io.BytesIO(_read_member(archive, location, name)), name)
            for name in names]


def check_omniglot(path: Union[str, os.PathLike], *,
                   split: str = "background") -> None:
  """Checks cheaply that `path` holds a readable Omniglot `split`.

  Opens the zip (its directory only) or lists the folder, checks the
  <alphabet>/<character>/<file>.png layout and decodes the first drawing.

  Raises:
    DataError: naming the directory, the zip or the drawing at fault.
  """
  if split not in SPLITS:
    raise ValueError(f"Omniglot split must be one of {sorted(SPLITS)}, got "
                     f"{split!r}.")
  location = _locate(os.fspath(path), split)
  first = _entries(location)[0][0]
  _decode(location, [first], canvas_width=1, channels=1)


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

  Raises:
    DataError: the set is missing, a zip is damaged or a drawing cannot be
      decoded; names the path, zip or drawing at fault.
  """
  if split not in SPLITS:
    raise ValueError(f"Omniglot split must be one of {sorted(SPLITS)}, got "
                     f"{split!r}.")
  if limit is not None and limit < 1:
    raise ValueError(f"limit must be positive or None, got {limit}.")
  location = _locate(os.fspath(path), split)
  entries = _entries(location)[:limit]
  squares = _decode(location, [name for name, _, _ in entries],
                    canvas_width=canvas_width, channels=channels)
  out = image_folder.stack_to_canvas(squares, canvas_width=canvas_width,
                                     channels=channels, invert=invert)
  labels = np.array([(a, c) for _, a, c in entries], dtype=str).reshape(-1, 2)
  return dataset.ImageDataset(out, labels, "omniglot")
