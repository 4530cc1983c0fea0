"""scikit-learn's embedded 8x8 handwritten digits as MNIST-like targets.

1,797 real digits ship with scikit-learn, so this is the default dataset that
needs no download. Each 8x8 image (values 0..16, light ink on dark) is padded
by one pixel to 10x10 so strokes do not touch the border, resized to the canvas
with an antialiased bilinear filter and inverted to dark ink on white.
"""

import functools

import numpy as np

from spiral_acme.datasets import dataset
from spiral_acme.datasets import images as images_lib

POLARITY = images_lib.Polarity.LIGHT_ON_DARK
_PAD = 1
_MAX_VALUE = 16.0


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
  """Returns the padded digits `f32[N, 10, 10, 1]` in [0, 1] and labels."""
  # Imported lazily: scikit-learn takes about a second to import.
  # pylint: disable-next=g-import-not-at-top
  from sklearn import datasets as sk_datasets
  bunch = sk_datasets.load_digits()
  pixels = (bunch.images / _MAX_VALUE).astype(np.float32)
  pixels = np.pad(pixels, ((0, 0), (_PAD, _PAD), (_PAD, _PAD)))
  return pixels[..., None], bunch.target.astype(np.int64)


def load_digits(*, canvas_width: int = 64, channels: int = 1,
                invert: bool = True) -> dataset.ImageDataset:
  """Loads the 1,797 scikit-learn digits at `canvas_width` (labels 0..9).

  Args:
    canvas_width: the side of the output images.
    channels: 1, or 3 to replicate grey into RGB.
    invert: flip the source's light-on-dark ink to dark on white (the canvas
      convention); False keeps the source's polarity.
  """
  pixels, labels = _raw_digits()
  out = images_lib.to_canvas_images(
      pixels, canvas_width=canvas_width, channels=channels, invert=invert)
  return dataset.ImageDataset(out, labels.copy(), "digits")
