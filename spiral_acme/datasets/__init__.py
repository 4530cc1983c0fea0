"""Target and real-image datasets in the canvas convention.

Every dataset yields float32 images `[N, W, W, C]` in [0, 1] with dark ink on
a white background (like the environment's white canvas), resized to the
requested canvas width, C = 1 or 3.
"""

from spiral_acme.datasets.dataset import ImageDataset
from spiral_acme.datasets.digits import load_digits
from spiral_acme.datasets.images import Polarity

__all__ = ["ImageDataset", "Polarity", "load_digits"]
