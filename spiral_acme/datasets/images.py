"""Pixel conventions shared by every dataset: resize, crop, channels, ink.

Every loader ends by calling `to_canvas_images`, so all datasets agree on the
canvas convention of the environment: float32 `[N, W, W, C]` in [0, 1] with
dark ink on a white background. Resizing is done here in numpy (separable
triangle filter, antialiased when shrinking, like TF's `antialias=True`
bilinear and PIL's BILINEAR) so loading the embedded sets needs no TensorFlow.
"""

import enum
import functools

import numpy as np

# ITU-R BT.601 luma weights, used when an RGB dataset is asked for 1 channel.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
VALID_CHANNELS = (1, 3)
_CHUNK = 1024


class Polarity(enum.Enum):
  """How a source draws its ink; decides whether it is inverted."""
  DARK_ON_LIGHT = "dark_on_light"  # Omniglot, photos: kept as they are.
  LIGHT_ON_DARK = "light_on_dark"  # MNIST family, sklearn digits: inverted.


@functools.lru_cache(maxsize=64)
def _resize_matrix(in_size: int, out_size: int) -> np.ndarray:
  """Returns the [out, in] weights of a half-pixel-centred triangle filter.

  The filter's support is widened by the shrink factor when downsampling
  (antialiasing); rows are renormalised so edges do not darken.
  """
  scale = in_size / out_size
  support = max(1.0, scale)
  centres = (np.arange(out_size) + 0.5) * scale
  taps = np.arange(in_size) + 0.5
  weights = 1.0 - np.abs(taps[None, :] - centres[:, None]) / support
  weights = np.maximum(weights, 0.0)
  weights /= weights.sum(axis=1, keepdims=True)
  matrix = weights.astype(np.float32)
  matrix.flags.writeable = False
  return matrix


def resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
  """Resizes float images `[N, h, w, C]` to `[N, height, width, C]`."""
  if images.ndim != 4:
    raise ValueError(
        f"Expected images of shape [N, H, W, C], got shape {images.shape}.")
  if height < 1 or width < 1:
    raise ValueError(f"Expected a positive target size, got {height}x{width}.")
  images = np.asarray(images, np.float32)
  _, h, w, _ = images.shape
  if (h, w) == (height, width):
    return images.copy()
  rows = _resize_matrix(h, height)
  cols = _resize_matrix(w, width)
  # Two batched matmuls over [N, C, h, w] are much faster than one einsum.
  planes = np.moveaxis(images, -1, 1)
  planes = np.matmul(np.matmul(rows, planes), cols.T)
  return np.ascontiguousarray(np.moveaxis(planes, 1, -1))


def center_crop_square(image: np.ndarray) -> np.ndarray:
  """Crops the central square of an `[H, W, ...]` image (the shorter side)."""
  h, w = image.shape[:2]
  side = min(h, w)
  top, left = (h - side) // 2, (w - side) // 2
  return image[top:top + side, left:left + side]


def to_channels(images: np.ndarray, channels: int) -> np.ndarray:
  """Converts `[N, H, W, 1 or 3]` images to the requested channel count.

  Grey images are replicated to RGB; RGB images become luma (BT.601) grey.
  """
  if channels not in VALID_CHANNELS:
    raise ValueError(f"channels must be one of {VALID_CHANNELS}, got "
                     f"{channels!r}.")
  have = images.shape[-1]
  if have == channels:
    return images
  if have == 1:
    return np.repeat(images, channels, axis=-1)
  if have == 3:
    return np.tensordot(images, _LUMA, axes=([-1], [0]))[..., None]
  raise ValueError(f"Expected source images with 1 or 3 channels, got {have} "
                   f"(shape {images.shape}).")


def to_canvas_images(images: np.ndarray, *, canvas_width: int, channels: int,
                     invert: bool) -> np.ndarray:
  """Turns square float images in [0, 1] into canvas-convention images.

  Args:
    images: `[N, S, S, C]` with C in (1, 3): floats in [0, 1] or uint8.
    canvas_width: the output side W.
    channels: 1 or 3.
    invert: whether to flip light ink on dark to dark ink on light.

  Returns:
    Read-only float32 `[N, W, W, channels]` in [0, 1].
  """
  if images.ndim != 4 or images.shape[1] != images.shape[2]:
    raise ValueError(f"Expected square images [N, S, S, C], got shape "
                     f"{images.shape}.")
  if canvas_width < 1:
    raise ValueError(f"canvas_width must be positive, got {canvas_width}.")
  if channels not in VALID_CHANNELS:
    raise ValueError(f"channels must be one of {VALID_CHANNELS}, got "
                     f"{channels!r}.")
  if images.dtype != np.uint8:
    low, high = float(images.min(initial=0)), float(images.max(initial=1))
  if images.dtype != np.uint8 and (low < 0.0 or high > 1.0):
    raise ValueError(f"Expected pixel values in [0, 1], got range "
                     f"[{low}, {high}].")
  out = np.empty(images.shape[:1] + (canvas_width, canvas_width, channels),
                 np.float32)
  # Chunks bound the temporaries when converting tens of thousands of images.
  for start in range(0, len(images), _CHUNK):
    chunk = images[start:start + _CHUNK]
    if chunk.dtype == np.uint8:
      chunk = uint8_to_float(chunk)
    if channels == 1:
      chunk = to_channels(chunk, 1)  # Mix colours before resizing.
    chunk = resize(chunk, canvas_width, canvas_width)
    if invert:
      np.subtract(1.0, chunk, out=chunk)
    # The triangle filter is a convex combination, so values only drift by
    # float rounding; clip that rounding (not real out-of-range data).
    np.clip(chunk, 0.0, 1.0, out=chunk)
    out[start:start + _CHUNK] = to_channels(chunk, channels)
  out.flags.writeable = False
  return out


def uint8_to_float(images: np.ndarray) -> np.ndarray:
  """Scales uint8 pixels to float32 in [0, 1]."""
  if images.dtype != np.uint8:
    raise ValueError(f"Expected uint8 pixels, got dtype {images.dtype}.")
  return images.astype(np.float32) / 255.0
