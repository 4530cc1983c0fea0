"""DatasetConfig and load_dataset: every dataset by name, cached per process.

    config = DatasetConfig("digits", canvas_width=64)
    check_dataset(config)  # Cheap: raises DataError before any work.
    rest, targets = load_dataset(config).split(20, seed=0)

Ink convention when `invert` is None: the MNIST family and scikit-learn digits
draw light ink on dark and are inverted; Hershey glyphs, Omniglot and image
folders (photos such as CelebA-HQ) are kept; tfds datasets follow their base
name (see `tfds_source.polarity`). "mujoco_scenes" renders random 3D scenes
(RGB, on a grey floor) and keeps their scene programs as labels.
"""

import dataclasses
import enum
import functools
from typing import Callable, Optional, Sequence

from spiral_acme.datasets import dataset
from spiral_acme.datasets import digits
from spiral_acme.datasets import errors
from spiral_acme.datasets import hershey
from spiral_acme.datasets import image_folder
from spiral_acme.datasets import images as images_lib
from spiral_acme.datasets import mnist
from spiral_acme.datasets import mujoco_scenes
from spiral_acme.datasets import omniglot
from spiral_acme.datasets import tfds_source


class DatasetName(str, enum.Enum):
  DIGITS = "digits"
  HERSHEY = "hershey"
  MNIST = "mnist"
  EMNIST = "emnist"
  KMNIST = "kmnist"
  OMNIGLOT = "omniglot"
  IMAGE_FOLDER = "image_folder"
  TFDS = "tfds"
  MUJOCO_SCENES = "mujoco_scenes"


KNOWN_NAMES = tuple(n.value for n in DatasetName)
# Need no path: shipped with the package or rendered on the fly.
_EMBEDDED = (DatasetName.DIGITS, DatasetName.HERSHEY,
             DatasetName.MUJOCO_SCENES)
# Scenes rendered when `limit` is not given.
DEFAULT_NUM_SCENES = 1000
_IDX = {DatasetName.MNIST: mnist.Family.MNIST,
        DatasetName.EMNIST: mnist.Family.EMNIST,
        DatasetName.KMNIST: mnist.Family.KMNIST}
_SPLITS = {DatasetName.DIGITS: ("train",), DatasetName.HERSHEY: ("train",),
           DatasetName.IMAGE_FOLDER: ("train",),
           DatasetName.MUJOCO_SCENES: ("train",),
           DatasetName.OMNIGLOT: tuple(omniglot.SPLITS),
           **{n: ("train", "test") for n in _IDX}}


@dataclasses.dataclass(frozen=True)
class DatasetConfig:
  """Which images to load and how to shape them.

  Attributes:
    name: one of KNOWN_NAMES (a string or a DatasetName).
    path: the local copy (directory of IDX files, Omniglot zips/folders, image
      folder) or, for "tfds", the tfds data_dir (optional); None for the
      embedded "digits" and "hershey".
    canvas_width: side of the output images.
    channels: 1, or 3 (grey replicated, colour kept).
    split: "train" for the embedded sets and image folders (the whole set:
      hold images out with `ImageDataset.split`); "train"/"test" for the
      MNIST family; "background"/"evaluation" (or "train"/"test") for
      Omniglot; any tfds split string for "tfds".
    limit: keep only the first `limit` images.
    invert: None for the dataset's ink convention (module docstring), or
      True/False to force it.
    emnist_subset: "balanced", "letters", ... (EMNIST only).
    transpose: swap rows/columns (MNIST family only; None: EMNIST only).
    tfds_name: the tfds dataset name, e.g. "mnist" ("tfds" only).
    fonts: Hershey font names (None: all).
    max_objects: most objects per scene ("mujoco_scenes" only; default 5).
    grid_width: the scene environment's location grid ("mujoco_scenes"
      only; default 16). `limit` is the number of scenes (default
      DEFAULT_NUM_SCENES) and `seed` seeds them.
    seed: seeds generated datasets ("mujoco_scenes").
  """
  name: str
  path: Optional[str] = None
  canvas_width: int = 64
  channels: int = 1
  split: str = "train"
  limit: Optional[int] = None
  invert: Optional[bool] = None
  emnist_subset: Optional[str] = None
  transpose: Optional[bool] = None
  tfds_name: Optional[str] = None
  fonts: Optional[Sequence[str]] = None
  max_objects: Optional[int] = None
  grid_width: Optional[int] = None
  seed: int = 0

  def __post_init__(self):
    if self.name not in KNOWN_NAMES:
      raise ValueError(f"Unknown dataset name {self.name!r}; known names: "
                       f"{', '.join(KNOWN_NAMES)}.")
    name = DatasetName(self.name)
    object.__setattr__(self, "name", name)
    if self.fonts is not None:
      object.__setattr__(self, "fonts", tuple(self.fonts))
    if isinstance(self.canvas_width, bool) or not isinstance(
        self.canvas_width, int) or self.canvas_width < 1:
      raise ValueError(f"canvas_width must be a positive int, got "
                       f"{self.canvas_width!r}.")
    if self.channels not in images_lib.VALID_CHANNELS:
      raise ValueError(f"channels must be one of {images_lib.VALID_CHANNELS}"
                       f", got {self.channels!r}.")
    if self.limit is not None and (not isinstance(self.limit, int)
                                   or self.limit < 1):
      raise ValueError(f"limit must be a positive int or None, got "
                       f"{self.limit!r}.")
    if name in _SPLITS and self.split not in _SPLITS[name]:
      raise ValueError(f"split for {name.value!r} must be one of "
                       f"{_SPLITS[name]}, got {self.split!r}.")
    if name in _EMBEDDED and self.path is not None:
      raise errors.DataError(self.path, f"{name.value!r} is embedded in the "
                             "package and reads no files; expected no path")
    self._check_only_for("emnist_subset", DatasetName.EMNIST)
    self._check_only_for("transpose", *_IDX)
    self._check_only_for("tfds_name", DatasetName.TFDS)
    self._check_only_for("fonts", DatasetName.HERSHEY)
    self._check_only_for("max_objects", DatasetName.MUJOCO_SCENES)
    self._check_only_for("grid_width", DatasetName.MUJOCO_SCENES)
    if name == DatasetName.MUJOCO_SCENES and self.channels != 3:
      raise ValueError(f"'mujoco_scenes' renders RGB scenes: channels must "
                       f"be 3, got {self.channels!r}.")
    if name == DatasetName.EMNIST and (
        self.emnist_subset not in mnist.EMNIST_SUBSETS):
      raise ValueError(f"emnist_subset must be one of "
                       f"{mnist.EMNIST_SUBSETS}, got {self.emnist_subset!r}.")
    if name == DatasetName.TFDS and not self.tfds_name:
      raise ValueError("'tfds' needs tfds_name=, e.g. 'mnist'.")
    if name not in _EMBEDDED + (DatasetName.TFDS,) and not self.path:
      raise errors.DataNotFoundError(
          None, f"no path given; {name.value!r} reads a local copy: "
          f"expected {expected_source(self)}")

  def _check_only_for(self, field: str, *names: DatasetName) -> None:
    if getattr(self, field) is not None and self.name not in names:
      raise ValueError(
          f"{field}={getattr(self, field)!r} applies only to "
          f"{[n.value for n in names]}, not {self.name.value!r}.")


def expected_source(config: DatasetConfig) -> str:
  """Says what `config.path` must hold, for messages ("a directory ...")."""
  name = config.name
  if name in _EMBEDDED:
    return "no path (the data is embedded in the package)"
  if name in _IDX:
    return "a directory holding " + mnist.expected_files(
        _IDX[name], config.split, config.emnist_subset)
  if name == DatasetName.OMNIGLOT:
    return omniglot.expected_files(config.split)
  if name == DatasetName.IMAGE_FOLDER:
    return ("a directory holding image files "
            f"({'/'.join(image_folder.IMAGE_EXTENSIONS)})")
  return (f"a tfds data_dir holding the prepared dataset {config.tfds_name!r} "
          "(tfds's default data_dir when no path is given)")


def _invert(config: DatasetConfig, polarity: images_lib.Polarity) -> bool:
  if config.invert is not None:
    return config.invert
  return polarity == images_lib.Polarity.LIGHT_ON_DARK


def _digits(c: DatasetConfig) -> dataset.ImageDataset:
  return digits.load_digits(canvas_width=c.canvas_width, channels=c.channels,
                            invert=_invert(c, digits.POLARITY))


def _hershey(c: DatasetConfig) -> dataset.ImageDataset:
  return hershey.load_hershey(canvas_width=c.canvas_width,
                              channels=c.channels, fonts=c.fonts,
                              invert=_invert(c, hershey.POLARITY))


def _idx(c: DatasetConfig) -> dataset.ImageDataset:
  return mnist.load_idx_dataset(
      c.path, family=_IDX[c.name], split=c.split, canvas_width=c.canvas_width,
      channels=c.channels, subset=c.emnist_subset, transpose=c.transpose,
      invert=_invert(c, mnist.POLARITY), limit=c.limit)


def _omniglot(c: DatasetConfig) -> dataset.ImageDataset:
  return omniglot.load_omniglot(
      c.path, split=c.split, canvas_width=c.canvas_width, channels=c.channels,
      invert=_invert(c, omniglot.POLARITY), limit=c.limit)


def _image_folder(c: DatasetConfig) -> dataset.ImageDataset:
  return image_folder.load_image_folder(
      c.path, canvas_width=c.canvas_width, channels=c.channels,
      invert=_invert(c, image_folder.POLARITY), limit=c.limit)


def _tfds(c: DatasetConfig) -> dataset.ImageDataset:
  return tfds_source.load_tfds(
      c.tfds_name, data_dir=c.path, split=c.split,
      canvas_width=c.canvas_width, channels=c.channels, invert=c.invert,
      limit=c.limit)


def _mujoco_scenes(c: DatasetConfig) -> dataset.ImageDataset:
  return mujoco_scenes.load_mujoco_scenes(
      canvas_width=c.canvas_width,
      num_scenes=DEFAULT_NUM_SCENES if c.limit is None else c.limit,
      max_objects=5 if c.max_objects is None else c.max_objects,
      grid_width=16 if c.grid_width is None else c.grid_width, seed=c.seed)


_LOADERS: dict[DatasetName, Callable[[DatasetConfig], dataset.ImageDataset]]
_LOADERS = {DatasetName.DIGITS: _digits, DatasetName.HERSHEY: _hershey,
            **{n: _idx for n in _IDX}, DatasetName.OMNIGLOT: _omniglot,
            DatasetName.IMAGE_FOLDER: _image_folder, DatasetName.TFDS: _tfds,
            DatasetName.MUJOCO_SCENES: _mujoco_scenes}


def _check_nothing(config: DatasetConfig) -> None:
  del config  # Embedded data ships with the package.


def _check_idx(c: DatasetConfig) -> None:
  mnist.check_idx_dataset(c.path, family=_IDX[c.name], split=c.split,
                          subset=c.emnist_subset)


def _check_omniglot(c: DatasetConfig) -> None:
  omniglot.check_omniglot(c.path, split=c.split)


def _check_image_folder(c: DatasetConfig) -> None:
  image_folder.check_image_folder(c.path)


def _check_tfds(c: DatasetConfig) -> None:
  tfds_source.check_tfds(c.tfds_name, data_dir=c.path)


_CHECKS: dict[DatasetName, Callable[[DatasetConfig], None]]
_CHECKS = {DatasetName.DIGITS: _check_nothing,
           DatasetName.HERSHEY: _check_nothing,
           DatasetName.MUJOCO_SCENES: _check_nothing,  # Rendered here.
           **{n: _check_idx for n in _IDX},
           DatasetName.OMNIGLOT: _check_omniglot,
           DatasetName.IMAGE_FOLDER: _check_image_folder,
           DatasetName.TFDS: _check_tfds}


def check_dataset(config: DatasetConfig) -> None:
  """Checks cheaply that the data `config` names is there and readable.

  Meant to run before any work starts (a server, a workdir): it looks for
  the expected files and reads a header, a zip directory or one image, not
  the whole dataset. Embedded datasets always pass.

  Raises:
    DataError: naming the path (or the one bad file in it) and what was
      expected there; a DataNotFoundError (also a FileNotFoundError) when
      something is missing.
  """
  _CHECKS[config.name](config)


@functools.lru_cache(maxsize=8)
def load_dataset(config: DatasetConfig) -> dataset.ImageDataset:
  """Loads the dataset `config` names; cached in memory for this process.

  The returned images are read-only, so sharing the cached copy is safe.

  Raises:
    DataError: the data is missing or damaged (see `check_dataset`).
  """
  ds = _LOADERS[config.name](config)
  if config.limit is not None and len(ds) > config.limit:
    ds = ds.subset(range(config.limit))
  return ds
