"""ImageDataset: canvas-convention images held in memory, plus labels.

Targets for conditional agents and real images for the discriminator both come
from here: `sample` draws a batch, `split` holds some images out (for example
the held-out targets an evaluation paints).
"""

import dataclasses
from typing import Optional, Union

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class ImageDataset:
  """Images `f32[N, W, W, C]` in [0, 1] (dark ink on white) and labels.

  Attributes:
    images: read-only float32 `[N, W, W, C]`, C in (1, 3).
    labels: optional array whose first dimension is N (ints for digit sets,
      `[N, 2]` strings such as (font, glyph) or (alphabet, character)).
    name: the dataset's registry name, for logs.
  """
  images: np.ndarray
  labels: Optional[np.ndarray] = None
  name: str = ""

  def __post_init__(self):
    images = self.images
    if not isinstance(images, np.ndarray) or images.dtype != np.float32:
      raise ValueError(f"images must be a float32 numpy array, got "
                       f"{type(images).__name__} "
                       f"{getattr(images, 'dtype', '')}.")
    if (images.ndim != 4 or images.shape[1] != images.shape[2]
        or images.shape[3] not in (1, 3)):
      raise ValueError(f"images must have shape [N, W, W, 1 or 3], got "
                       f"{images.shape}.")
    if self.labels is not None and len(self.labels) != len(images):
      raise ValueError(f"Got {len(self.labels)} labels for {len(images)} "
                       "images; expected one label per image.")

  def __len__(self) -> int:
    return len(self.images)

  @property
  def canvas_width(self) -> int:
    return self.images.shape[1]

  @property
  def channels(self) -> int:
    return self.images.shape[3]

  def subset(self, indices: np.ndarray) -> "ImageDataset":
    """Returns the images (and labels) at `indices`, in that order."""
    indices = np.asarray(indices)
    images = self.images[indices]
    images.flags.writeable = False
    labels = None if self.labels is None else self.labels[indices]
    return ImageDataset(images, labels, self.name)

  def sample(self, batch_size: int, rng: np.random.Generator, *,
             replace: bool = True) -> np.ndarray:
    """Draws `batch_size` images uniformly, with replacement by default."""
    if batch_size < 1:
      raise ValueError(f"batch_size must be positive, got {batch_size}.")
    if not replace and batch_size > len(self):
      raise ValueError(f"Cannot draw {batch_size} images without replacement "
                       f"from a dataset of {len(self)}.")
    if len(self) == 0:
      raise ValueError("Cannot sample from an empty dataset.")
    indices = rng.choice(len(self), size=batch_size, replace=replace)
    return self.images[indices]

  def split(self, held_out: Union[int, float],
            seed: int = 0) -> tuple["ImageDataset", "ImageDataset"]:
    """Splits into `(rest, held_out)` after a seeded shuffle.

    Args:
      held_out: an int count in [1, N - 1] or a float fraction in (0, 1) of
        the images to hold out.
      seed: seeds the shuffle; the same seed gives the same split.

    Returns:
      `(rest, held_out)` datasets; together they hold every image once.
    """
    n = len(self)
    if isinstance(held_out, bool) or not isinstance(
        held_out, (int, float, np.integer, np.floating)):
      raise ValueError(f"held_out must be an int count or a float fraction, "
                       f"got {held_out!r}.")
    if isinstance(held_out, (float, np.floating)):
      if not 0.0 < held_out < 1.0:
        raise ValueError(f"A held-out fraction must be in (0, 1), got "
                         f"{held_out}.")
      count = int(round(held_out * n))
    else:
      count = int(held_out)
    if not 1 <= count <= n - 1:
      raise ValueError(f"Holding out {held_out!r} of {n} images leaves "
                       f"{count} held out; expected between 1 and {n - 1}.")
    order = np.random.default_rng(seed).permutation(n)
    return self.subset(order[count:]), self.subset(order[:count])
