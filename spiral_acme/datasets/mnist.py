"""Users' local MNIST, EMNIST and KMNIST copies (IDX files, raw or gzip).

File names follow the distributions: `train-images-idx3-ubyte[.gz]`,
`t10k-images-idx3-ubyte[.gz]` (MNIST, KMNIST, Fashion-MNIST; `.idx3-ubyte`
also accepted) and `emnist-<subset>-train-images-idx3-ubyte[.gz]` (EMNIST),
in the given directory or its `gzip/` subdirectory. Label files beside them
are optional. All three draw white ink on black, so they are inverted. EMNIST
stores each image transposed (column-major); `transpose=True` undoes it.
"""

import enum
import os
from typing import Optional, Union

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.datasets import errors
from spiral_acme.datasets import idx
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.LIGHT_ON_DARK
EMNIST_SUBSETS = ("balanced", "byclass", "bymerge", "digits", "letters",
                  "mnist")
_SPLIT_STEMS = {"train": ("train",), "test": ("t10k", "test")}


class Family(enum.Enum):
  """The IDX datasets this module knows; they differ in file names only."""
  MNIST = "mnist"
  EMNIST = "emnist"
  KMNIST = "kmnist"


def _candidates(family: Family, split: str, kind: str,
                subset: Optional[str]) -> list[str]:
  """File names an `kind` ("images"/"labels") file of `split` may have."""
  rank = "idx3" if kind == "images" else "idx1"
  prefix = f"emnist-{subset}-" if family == Family.EMNIST else ""
  return [f"{prefix}{stem}-{kind}{sep}{rank}-ubyte{ext}"
          for stem in _SPLIT_STEMS[split] for sep in ("-", ".")
          for ext in (".gz", "")]


def _find(directory: str, names: list[str]) -> Optional[str]:
  for folder in (directory, os.path.join(directory, "gzip")):
    for name in names:
      candidate = os.path.join(folder, name)
      if os.path.isfile(candidate):
        return candidate
  return None


def expected_files(family: Family, split: str = "train",
                   subset: Optional[str] = None) -> str:
  """Says which images file a directory must hold, for error messages."""
  names = _candidates(Family(family), split, "images", subset)
  return (f"{names[1]} or {names[0]} (labels optional), in the directory or "
          "its gzip/ folder")


def find_images_file(path: Union[str, os.PathLike], *, family: Family,
                     split: str = "train",
                     subset: Optional[str] = None) -> str:
  """Returns the path of the images file of `split` under `path`.

  Raises:
    DataNotFoundError: `path` is not a directory or holds no such file; the
      message lists the names looked for.
  """
  family = Family(family)
  directory = os.fspath(path)
  names = _candidates(family, split, "images", subset)
  expected = expected_files(family, split, subset)
  if not os.path.exists(directory):
    raise errors.DataNotFoundError(
        directory, f"does not exist; expected a directory holding "
        f"{expected}")
  if not os.path.isdir(directory):
    raise errors.DataNotFoundError(
        directory, f"is a file; expected a directory holding {expected}")
  images_file = _find(directory, names)
  if images_file is None:
    raise errors.DataNotFoundError(
        directory, f"holds no {family.value} {split} images; expected "
        f"{expected} (looked for {', '.join(names)})")
  return images_file


def check_idx_dataset(path: Union[str, os.PathLike], *, family: Family,
                      split: str = "train",
                      subset: Optional[str] = None) -> None:
  """Checks cheaply that `path` holds a readable images file of `split`.

  Finds the file and reads only its IDX header (square uint8 images), so a
  missing, misnamed or foreign file is reported before any training starts.

  Raises:
    DataError: naming the directory or the file and what was expected.
  """
  images_file = find_images_file(path, family=family, split=split,
                                 subset=subset)
  dtype, shape = idx.read_header(images_file)
  _check_images_layout(images_file, dtype, shape)


def _check_images_layout(images_file: str, dtype: np.dtype,
                         shape: tuple[int, ...]) -> None:
  if len(shape) != 3 or shape[1] != shape[2]:
    raise errors.DataError(images_file, f"holds shape {tuple(shape)}; "
                           "expected square images [N, S, S]")
  if dtype != np.uint8:
    raise errors.DataError(images_file, f"holds {dtype}; expected uint8")


def load_idx_dataset(path: Union[str, os.PathLike], *,
                     family: Family = Family.MNIST, split: str = "train",
                     canvas_width: int = 64, channels: int = 1,
                     subset: Optional[str] = None,
                     transpose: Optional[bool] = None,
                     invert: bool = True,
                     limit: Optional[int] = None) -> dataset.ImageDataset:
  """Loads an MNIST-family split from a directory of IDX files.

  Args:
    path: the directory holding the IDX files (or their `gzip/` folder).
    family: which naming convention to look for.
    split: "train" or "test".
    canvas_width: the side of the output images.
    channels: 1, or 3 to replicate grey into RGB.
    subset: the EMNIST subset, one of `EMNIST_SUBSETS` (EMNIST only).
    transpose: swap image rows and columns; defaults to True for EMNIST (its
      files store images transposed) and False otherwise.
    invert: flip the white-on-black ink to dark on white (the default).
    limit: keep only the first `limit` images.

  Raises:
    DataNotFoundError: the directory or its images file is missing; the
      message lists the file names looked for.
    DataError: a file is damaged or not what was expected; names the file.
  """
  family = Family(family)
  if split not in _SPLIT_STEMS:
    raise ValueError(f"split must be one of {sorted(_SPLIT_STEMS)} for "
                     f"{family.value}, got {split!r}.")
  if family == Family.EMNIST and subset not in EMNIST_SUBSETS:
    raise ValueError(f"EMNIST needs subset in {EMNIST_SUBSETS}, got "
                     f"{subset!r}.")
  if family != Family.EMNIST and subset is not None:
    raise ValueError(f"subset is for EMNIST only; got subset={subset!r} for "
                     f"{family.value}.")
  if limit is not None and limit < 1:
    raise ValueError(f"limit must be positive or None, got {limit}.")
  images_file = find_images_file(path, family=family, split=split,
                                 subset=subset)
  pixels = idx.read_idx(images_file, limit)
  _check_images_layout(images_file, pixels.dtype, pixels.shape)
  if transpose is None:
    transpose = family == Family.EMNIST
  if transpose:
    pixels = pixels.transpose(0, 2, 1)
  labels_file = _find(os.fspath(path),
                      _candidates(family, split, "labels", subset))
  labels = None
  if labels_file is not None:
    labels = idx.read_idx(labels_file, limit).astype(np.int64)
    if labels.shape != pixels.shape[:1]:
      raise errors.DataError(
          labels_file, f"holds labels of shape {labels.shape} for "
          f"{len(pixels)} images in {images_file!r}; expected one label per "
          "image")
  out = images_lib.to_canvas_images(
      pixels[..., None], canvas_width=canvas_width, channels=channels,
      invert=invert)
  return dataset.ImageDataset(out, labels, family.value)
