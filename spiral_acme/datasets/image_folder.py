"""Any folder of image files (for example CelebA-HQ), searched recursively.

Photos are kept as they are (no inversion by default). Each image is decoded
with Pillow, centre-cropped to a square (the shorter side) and resized to the
canvas; JPEGs are decoded at a reduced scale when they are much larger than
the canvas, which makes large photo sets load several times faster.
"""

import os
import struct
from typing import Iterator, Optional, Sequence, Union

import numpy as np
from PIL import Image

from spiral_acme.datasets import dataset
from spiral_acme.datasets import errors
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.DARK_ON_LIGHT
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif",
                    ".tiff")


# What Pillow raises for a damaged or foreign file, depending on the format.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)


def decode_square(source, *, canvas_width: int, channels: int,
                  name: Optional[str] = None) -> np.ndarray:
  """Decodes an image file to a centre-cropped square `u8[S, S, channels]`.

  Args:
    source: a path or a binary file object Pillow can open.
    canvas_width: the final canvas side; large JPEGs are decoded at a scale
      that keeps at least twice this resolution.
    channels: 1 (luma) or 3 (RGB).
    name: how errors name the file (default: `source` when it is a path).

  Raises:
    DataError: the file is not a readable image; names the file.
  """
  try:
    return _decode_square(source, canvas_width, channels)
  except _DECODE_ERRORS as e:
    where = name if name is not None else (
        os.fspath(source) if isinstance(source, (str, os.PathLike)) else
        repr(source))
    if isinstance(e, FileNotFoundError):
      raise errors.DataNotFoundError(where, "does not exist") from e
    raise errors.DataError(where, f"cannot be decoded as an image "
                           f"({type(e).__name__}: {e})") from e


def _decode_square(source, canvas_width: int, channels: int) -> np.ndarray:
  with Image.open(source) as image:
    short = min(image.size)
    if image.format == "JPEG" and short > 2 * canvas_width:
      scale = 2 * canvas_width / short
      image.draft(image.mode, (int(image.size[0] * scale) + 1,
                               int(image.size[1] * scale) + 1))
    image = image.convert("L" if channels == 1 else "RGB")
    pixels = np.asarray(image)
  if pixels.ndim == 2:
    pixels = pixels[..., None]
  return np.ascontiguousarray(images_lib.center_crop_square(pixels))


def _walk_images(directory: str) -> Iterator[str]:
  """Yields the image files under `directory` in sorted order, lazily."""
  for root, dirs, files in os.walk(directory):
    dirs.sort()
    for f in sorted(files):
      if f.lower().endswith(IMAGE_EXTENSIONS):
        yield os.path.join(root, f)


def _expected() -> str:
  return (f"a directory holding image files "
          f"({'/'.join(IMAGE_EXTENSIONS)}, subfolders searched too)")


def check_image_folder(path: Union[str, os.PathLike]) -> None:
  """Checks cheaply that `path` is a directory with at least one image.

  Stops at the first image file and decodes only it, so a folder of many
  thousand photos is checked in milliseconds.

  Raises:
    DataError: naming the folder (missing, a file, no images) or the first
      image (not decodable).
  """
  directory = os.fspath(path)
  if not os.path.exists(directory):
    raise errors.DataNotFoundError(directory,
                                   f"does not exist; expected {_expected()}")
  if not os.path.isdir(directory):
    raise errors.DataNotFoundError(directory,
                                   f"is a file; expected {_expected()}")
  first = next(_walk_images(directory), None)
  if first is None:
    raise errors.DataNotFoundError(
        directory, f"holds no image files; expected {_expected()}")
  decode_square(first, canvas_width=1, channels=1)


def list_images(directory: str) -> list[str]:
  """Returns the image files under `directory`, sorted, recursively."""
  return list(_walk_images(directory))


def stack_to_canvas(squares: Sequence[np.ndarray], *, canvas_width: int,
                    channels: int, invert: bool) -> np.ndarray:
  """Resizes squares of mixed sizes to canvas images, batching equal sizes."""
  out = np.empty((len(squares), canvas_width, canvas_width, channels),
                 np.float32)
  by_size = {}
  for i, square in enumerate(squares):
    by_size.setdefault(square.shape, []).append(i)
  for indices in by_size.values():
    out[indices] = images_lib.to_canvas_images(
        np.stack([squares[i] for i in indices]), canvas_width=canvas_width,
        channels=channels, invert=invert)
  out.flags.writeable = False
  return out


def load_image_folder(path: Union[str, os.PathLike], *,
                      canvas_width: int = 64, channels: int = 3,
                      invert: bool = False,
                      limit: Optional[int] = None) -> dataset.ImageDataset:
  """Loads every image under `path` as a canvas image.

  Args:
    path: a directory; subdirectories are searched too.
    canvas_width: the side of the output images.
    channels: 3 for RGB, 1 for luma.
    invert: flip the images (for light-ink-on-dark drawings).
    limit: keep only the first `limit` files in sorted path order.

  Returns:
    An ImageDataset; labels are the files' folders relative to `path` when
    any image lies in a subfolder, else None.

  Raises:
    DataError: the folder is missing or holds no images, or an image cannot
      be decoded; names the folder or the file.
  """
  directory = os.fspath(path)
  if limit is not None and limit < 1:
    raise ValueError(f"limit must be positive or None, got {limit}.")
  check_image_folder(directory)
  files = list_images(directory)[:limit]
  squares = [decode_square(f, canvas_width=canvas_width, channels=channels)
             for f in files]
  out = stack_to_canvas(squares, canvas_width=canvas_width, channels=channels,
                        invert=invert)
  folders = [os.path.relpath(os.path.dirname(f), directory) for f in files]
  labels = None
  if any(folder != "." for folder in folders):
    labels = np.array(folders, dtype=str)
  return dataset.ImageDataset(out, labels, "image_folder")
