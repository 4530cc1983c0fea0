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
    FileNotFoundError: the directory or its images file is missing; the
      message lists the file names looked for.
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
  directory = os.fspath(path)
  image_names = _candidates(family, split, "images", subset)
  if not os.path.isdir(directory):
    raise FileNotFoundError(
        f"{family.value} directory {directory!r} does not exist; expected a "
        f"directory holding {image_names[0]} (or {image_names[1]}).")
  images_file = _find(directory, image_names)
  if images_file is None:
    raise FileNotFoundError(
        f"No {family.value} {split} images in {directory!r} or its gzip/ "
        f"folder; expected one of {image_names}.")
  pixels = idx.read_idx(images_file, limit)
  if pixels.ndim != 3 or pixels.shape[1] != pixels.shape[2]:
    raise ValueError(f"{images_file!r} holds shape {pixels.shape}; expected "
                     "square images [N, S, S].")
  if pixels.dtype != np.uint8:
    raise ValueError(f"{images_file!r} holds {pixels.dtype}; expected uint8.")
  if transpose is None:
    transpose = family == Family.EMNIST
  if transpose:
    pixels = pixels.transpose(0, 2, 1)
  labels_file = _find(directory, _candidates(family, split, "labels", subset))
  labels = None
  if labels_file is not None:
    labels = idx.read_idx(labels_file, limit).astype(np.int64)
    if labels.shape != pixels.shape[:1]:
      raise ValueError(f"{labels_file!r} holds {labels.shape} labels for "
                       f"{len(pixels)} images in {images_file!r}.")
  out = images_lib.to_canvas_images(
      pixels[..., None], canvas_width=canvas_width, channels=channels,
      invert=invert)
  return dataset.ImageDataset(out, labels, family.value)
