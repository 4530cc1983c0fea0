"""Image helpers shared by the sampler, the demo and the loggers.

Canvases are float arrays in [0, 1] with 1 (grey), 3 (RGB) or 4 (RGBA)
channels; these helpers tile them into grids and write PNG and GIF files with
Pillow. Out-of-range values raise instead of being clipped, so a bug upstream
shows up here rather than as a quietly saturated picture.
"""

import math
import os
import pathlib
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from PIL import Image

ArrayLike = Union[np.ndarray, Sequence[np.ndarray]]
_GREY = (128, 128, 128)


def to_uint8(array: np.ndarray, *, name: str = "array") -> np.ndarray:
  """uint8 stays as is; floats in [0, 1] are scaled and rounded."""
  array = np.asarray(array)
  if array.dtype == np.uint8:
    return array
  if not np.issubdtype(array.dtype, np.floating):
    raise ValueError(f"{name} must be uint8 or float in [0, 1], got dtype "
                     f"{array.dtype}")
  if array.size and not np.all(np.isfinite(array)):
    raise ValueError(f"{name} holds NaN or infinite values")
  if array.size and (array.min() < 0.0 or array.max() > 1.0):
    raise ValueError(f"{name} must lie in [0, 1], got values in "
                     f"[{array.min():.4g}, {array.max():.4g}]")
  return np.round(array * 255.0).astype(np.uint8)


def to_rgb(images: np.ndarray) -> np.ndarray:
  """[..., C] uint8 -> [..., 3]: grey is repeated, RGBA is put on white."""
  channels = images.shape[-1]
  if channels == 3:
    return images
  if channels == 1:
    return np.repeat(images, 3, axis=-1)
  if channels == 4:
    alpha = images[..., 3:].astype(np.float32) / 255.0
    rgb = images[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.round(rgb).astype(np.uint8)
  raise ValueError(f"images must have 1, 3 or 4 channels, got {channels}")


def image_grid(images: ArrayLike, ncols: Optional[int] = None, *,
               border: int = 1,
               border_colour: Tuple[int, int, int] = _GREY) -> np.ndarray:
  """Tiles images [N, H, W, C] into one uint8 RGB picture.

  Args:
    images: N images, float in [0, 1] or uint8, C in {1, 3, 4}.
    ncols: images per row (default: ceil(sqrt(N))).
    border: pixels of `border_colour` around and between images.
    border_colour: RGB of the border and of unused cells.

  Returns:
    uint8 [rows * (H + border) + border, ncols * (W + border) + border, 3].
  """
  images = to_uint8(np.asarray(images), name="images")
  if images.ndim != 4 or images.shape[0] == 0:
    raise ValueError(f"images must have shape [N >= 1, H, W, C], got "
                     f"{images.shape}")
  images = to_rgb(images)
  count, height, width, _ = images.shape
  ncols = math.ceil(math.sqrt(count)) if ncols is None else ncols
  if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
    raise ValueError(f"ncols must be a positive int, got {ncols!r}")
  if isinstance(border, bool) or not isinstance(border, int) or border < 0:
    raise ValueError(f"border must be an int >= 0, got {border!r}")
  if len(border_colour) != 3 or not all(0 <= c <= 255 for c in border_colour):
    raise ValueError(f"border_colour must be three ints in [0, 255], got "
                     f"{border_colour!r}")
  ncols = min(ncols, count)
  nrows = math.ceil(count / ncols)
  grid = np.empty((nrows * (height + border) + border,
                   ncols * (width + border) + border, 3), np.uint8)
  grid[...] = np.asarray(border_colour, np.uint8)
  for i, image in enumerate(images):
    row, col = divmod(i, ncols)
    top = border + row * (height + border)
    left = border + col * (width + border)
    grid[top:top + height, left:left + width] = image
  return grid


def pair_grid(targets: ArrayLike, paintings: ArrayLike,
              pairs_per_row: Optional[int] = None, **kwargs) -> np.ndarray:
  """Each target with its painting to its right, pairs tiled in a grid."""
  targets = to_rgb(to_uint8(np.asarray(targets), name="targets"))
  paintings = to_rgb(to_uint8(np.asarray(paintings), name="paintings"))
  if targets.shape != paintings.shape:
    raise ValueError(f"targets and paintings must have the same [N, H, W] "
                     f"shape, got {targets.shape} and {paintings.shape}")
  if targets.ndim != 4:
    raise ValueError(f"targets must have shape [N, H, W, C], got "
                     f"{targets.shape}")
  count = targets.shape[0]
  if pairs_per_row is None:
    pairs_per_row = max(1, math.ceil(math.sqrt(count / 2)))
  if isinstance(pairs_per_row, bool) or not isinstance(pairs_per_row, int) or (
      pairs_per_row < 1):
    raise ValueError(f"pairs_per_row must be a positive int, got "
                     f"{pairs_per_row!r}")
  interleaved = np.stack([targets, paintings], axis=1).reshape(
      (2 * count,) + targets.shape[1:])
  return image_grid(interleaved, 2 * min(pairs_per_row, count), **kwargs)


def _as_picture(array: np.ndarray, name: str) -> Image.Image:
  array = to_uint8(np.asarray(array), name=name)
  if array.ndim == 3 and array.shape[-1] == 1:
    array = array[..., 0]
  if array.ndim == 2 or (array.ndim == 3 and array.shape[-1] in (3, 4)):
    return Image.fromarray(array)
  raise ValueError(f"{name} must have shape [H, W], [H, W, 1], [H, W, 3] or "
                   f"[H, W, 4], got {array.shape}")


def save_png(path: Union[str, os.PathLike], array: np.ndarray) -> pathlib.Path:
  """Writes an image (uint8, or float in [0, 1]) as PNG; makes parent dirs."""
  path = pathlib.Path(path)
  picture = _as_picture(array, "array")
  path.parent.mkdir(parents=True, exist_ok=True)
  picture.save(path, format="PNG")
  return path


def save_gif(path: Union[str, os.PathLike], frames: ArrayLike,
             duration_ms: int = 200) -> pathlib.Path:
  """Writes frames [T, H, W, C] as a looping GIF, `duration_ms` per frame."""
  if isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or (
      duration_ms <= 0):
    raise ValueError(f"duration_ms must be a positive int, got "
                     f"{duration_ms!r}")
  frames = list(frames)
  if not frames:
    raise ValueError("frames must hold at least one image, got none")
  pictures = [_as_picture(f, f"frames[{i}]") for i, f in enumerate(frames)]
  sizes = {p.size for p in pictures}
  if len(sizes) != 1:
    raise ValueError(f"frames must all have the same size, got {sorted(sizes)}")
  pictures = [p.convert("RGB") for p in pictures]
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  pictures[0].save(path, format="GIF", save_all=True,
                   append_images=pictures[1:], duration=duration_ms, loop=0)
  return path
