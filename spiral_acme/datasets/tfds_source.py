"""TensorFlow Datasets that the user has already prepared (no download).

`tfds.load(name, data_dir=..., download=False)` reads a prepared copy; nothing
is fetched at run time. The first `Image` feature ("image" when present) is
used, centre-cropped to a square and resized; a `ClassLabel` "label" feature
becomes the labels. The ink convention follows the dataset's base name: the
MNIST family draws white on black (inverted), everything else (Omniglot,
CelebA-HQ, photos) is kept.
"""

import os
from typing import Optional, Union

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.datasets import errors
from spiral_acme.datasets import image_folder
from spiral_acme.datasets import images as images_lib

LIGHT_ON_DARK_DATASETS = frozenset(
    {"mnist", "emnist", "kmnist", "fashion_mnist", "binarized_mnist"})


def polarity(name: str) -> images_lib.Polarity:
  """Returns the ink convention of tfds dataset `name` ("emnist/letters")."""
  base = name.split("/")[0].split(":")[0]
  if base in LIGHT_ON_DARK_DATASETS:
    return images_lib.Polarity.LIGHT_ON_DARK
  return images_lib.Polarity.DARK_ON_LIGHT


def _image_key(features) -> str:
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  keys = [k for k, f in features.items()
          if isinstance(f, tfds.features.Image)]
  if not keys:
    raise ValueError(f"The dataset has no Image feature; its features are "
                     f"{list(features.keys())}.")
  return "image" if "image" in keys else keys[0]


def _not_prepared(name: str) -> str:
  """Says what a data_dir lacks when `name` is not prepared in it."""
  base = name.split("/")[0].split(":")[0]
  return (f"does not hold the prepared tfds dataset {name!r}; expected "
          f"{name.split(':')[0]}/<version>/dataset_info.json there (prepare "
          f"it once with `tfds build {base} --data_dir=...` where a download "
          "is possible)")


def check_tfds(name: str, *,
               data_dir: Optional[Union[str, os.PathLike]] = None) -> None:
  """Checks that `data_dir` holds the prepared dataset `name`, reading none.

  Raises:
    DataNotFoundError: `data_dir` is missing or the dataset is not prepared
      there (tfds's default data_dir when None).
    ValueError: tfds does not know `name`.
  """
  import spiral_acme  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  data_dir = None if data_dir is None else os.fspath(data_dir)
  if data_dir is not None and not os.path.isdir(data_dir):
    raise errors.DataNotFoundError(
        data_dir, ("is a file" if os.path.exists(data_dir) else
                   "does not exist") + "; expected a tfds data_dir holding "
        f"the prepared dataset {name!r}")
  try:
    builder = tfds.builder(name, data_dir=data_dir)
  except tfds.core.registered.DatasetNotFoundError as e:
    raise ValueError(f"tfds does not know the dataset {name!r}.") from e
  if not builder.is_prepared():
    raise errors.DataNotFoundError(builder.data_dir_root,
                                   _not_prepared(name))


def load_tfds(name: str, *, data_dir: Optional[Union[str, os.PathLike]] = None,
              split: str = "train", canvas_width: int = 64,
              channels: int = 1, invert: Optional[bool] = None,
              limit: Optional[int] = None) -> dataset.ImageDataset:
  """Loads a prepared tfds dataset as canvas images.

  Args:
    name: the tfds name, with an optional config/version ("emnist/letters").
    data_dir: where the prepared data lives (tfds's default when None).
    split: any tfds split string ("train", "test[:10%]", ...).
    canvas_width: the side of the output images.
    channels: 1 or 3.
    invert: override the per-dataset ink convention (see `polarity`).
    limit: keep only the first `limit` examples.

  Raises:
    DataNotFoundError: the dataset is not prepared in `data_dir`.
    ValueError: tfds does not know `name`, or it has no image feature.
  """
  import spiral_acme  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  if limit is not None and limit < 1:
    raise ValueError(f"limit must be positive or None, got {limit}.")
  if invert is None:
    invert = polarity(name) == images_lib.Polarity.LIGHT_ON_DARK
  data_dir = None if data_dir is None else os.fspath(data_dir)
  try:
    ds, info = tfds.load(name, split=split, data_dir=data_dir,
                         download=False, with_info=True)
  except tfds.core.registered.DatasetNotFoundError as e:
    raise ValueError(f"tfds does not know the dataset {name!r}.") from e
  except AssertionError as e:  # tfds's way of saying "not prepared".
    raise errors.DataNotFoundError(
        data_dir or tfds.core.constants.DATA_DIR,
        f"{_not_prepared(name)} ({e})") from e
  image_key = _image_key(info.features)
  keep_labels = "label" in info.features and isinstance(
      info.features["label"], tfds.features.ClassLabel)
  if limit is not None:
    ds = ds.take(limit)
  squares, labels = [], []
  for example in tfds.as_numpy(ds):
    pixels = example[image_key]
    if pixels.shape[-1] == 4:  # Drop alpha; keep colour.
      pixels = pixels[..., :3]
    squares.append(images_lib.center_crop_square(pixels))
    if keep_labels:
      labels.append(int(example["label"]))
  if not squares:
    raise ValueError(f"tfds split {split!r} of {name!r} holds no examples.")
  out = image_folder.stack_to_canvas(squares, canvas_width=canvas_width,
                                     channels=channels, invert=invert)
  return dataset.ImageDataset(
      out, np.array(labels, np.int64) if keep_labels else None, "tfds")
