"""Target and real-image datasets in the canvas convention.

Every dataset yields float32 images `[N, W, W, C]` in [0, 1] with dark ink on
a white background (like the environment's white canvas), resized to the
requested canvas width, C = 1 or 3. Start from `load_dataset(DatasetConfig(
"digits", canvas_width=64))`; the registry module lists the names and each
dataset's ink convention. `check_dataset(config)` checks cheaply, before any
work, that the files are there; missing or damaged data raises `DataError`
naming the path or file and what was expected.
"""

from spiral_acme.datasets.dataset import ImageDataset
from spiral_acme.datasets.digits import load_digits
from spiral_acme.datasets.errors import DataError
from spiral_acme.datasets.errors import DataNotFoundError
from spiral_acme.datasets.hershey import load_hershey
from spiral_acme.datasets.image_folder import load_image_folder
from spiral_acme.datasets.images import Polarity
from spiral_acme.datasets.mnist import Family
from spiral_acme.datasets.mnist import load_idx_dataset
from spiral_acme.datasets.omniglot import load_omniglot
from spiral_acme.datasets.registry import check_dataset
from spiral_acme.datasets.registry import DatasetConfig
from spiral_acme.datasets.registry import DatasetName
from spiral_acme.datasets.registry import expected_source
from spiral_acme.datasets.registry import KNOWN_NAMES
from spiral_acme.datasets.registry import load_dataset
from spiral_acme.datasets.tfds_source import load_tfds

__all__ = [
    "DataError", "DataNotFoundError", "DatasetConfig", "DatasetName",
    "Family", "ImageDataset", "KNOWN_NAMES", "Polarity", "check_dataset",
    "expected_source", "load_dataset", "load_digits", "load_hershey",
    "load_idx_dataset", "load_image_folder", "load_omniglot", "load_tfds",
]
