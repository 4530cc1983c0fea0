"""check_dataset and loading errors: missing or damaged data names the file."""

import gzip
import zipfile

import numpy as np
from PIL import Image
import pytest

from spiral_acme import datasets
from spiral_acme.datasets import idx


def _mnist(folder, n=3, *, compress=False):
  folder.mkdir(parents=True, exist_ok=True)
  pixels = np.zeros((n, 6, 6), np.uint8)
  pixels[:, 2:4, 2:4] = 255
  name = "train-images-idx3-ubyte" + (".gz" if compress else "")
  idx.write_idx(folder / name, pixels, compress=compress)
  return folder / name


def _png(path, side=12):
  path.parent.mkdir(parents=True, exist_ok=True)
  Image.fromarray(np.full((side, side), 255, np.uint8)).save(path)


def _omniglot_zip(folder, stem="images_background"):
  folder.mkdir(parents=True, exist_ok=True)
  _png(folder / "drawing.png")
  with zipfile.ZipFile(folder / f"{stem}.zip", "w") as archive:
    for c in range(2):
      archive.write(folder / "drawing.png",
                    f"{stem}/Greek/character0{c + 1}/0{c}_01.png")
  return folder / f"{stem}.zip"


def _config(name, path, **kwargs):
  return datasets.DatasetConfig(name, path=str(path), canvas_width=8,
                                **kwargs)


def test_good_data_of_every_kind_passes(tmp_path):
  _mnist(tmp_path / "mnist", compress=True)
  _omniglot_zip(tmp_path / "omniglot")
  _png(tmp_path / "faces" / "sub" / "a.png")
  for config in [datasets.DatasetConfig("digits"),
                 datasets.DatasetConfig("hershey"),
                 _config("mnist", tmp_path / "mnist"),
                 _config("kmnist", tmp_path / "mnist"),
                 _config("omniglot", tmp_path / "omniglot"),
                 _config("omniglot", tmp_path / "omniglot" /
                         "images_background.zip"),
                 _config("image_folder", tmp_path / "faces")]:
    datasets.check_dataset(config)
    assert len(datasets.load_dataset(config)) >= 1


@pytest.mark.parametrize("name, kwargs, expected", [
    ("mnist", {}, "train-images-idx3-ubyte"),
    ("kmnist", dict(split="test"), "t10k-images-idx3-ubyte"),
    ("emnist", dict(emnist_subset="letters"),
     "emnist-letters-train-images-idx3-ubyte"),
    ("omniglot", {}, "images_background.zip"),
    ("omniglot", dict(split="evaluation"), "images_evaluation.zip"),
    ("image_folder", {}, ".png/.jpg"),
])
def test_missing_data_names_the_path_and_the_files_expected(
    tmp_path, name, kwargs, expected):
  for path in (tmp_path / "absent", tmp_path):
    config = _config(name, path, **kwargs)
    with pytest.raises(datasets.DataNotFoundError) as info:
      datasets.check_dataset(config)
    assert info.value.path == str(path)
    assert expected in info.value.problem
    assert str(info.value).startswith(repr(str(path)))
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(datasets.DataError, match=expected.replace(".", r"\.")):
      datasets.load_dataset(config)


def test_a_missing_path_is_a_data_error_naming_the_files_expected():
  with pytest.raises(datasets.DataError,
                     match="no path given.*train-images-idx3-ubyte") as info:
    datasets.DatasetConfig("mnist")
  assert info.value.path is None


def test_a_file_where_a_directory_is_expected(tmp_path):
  (tmp_path / "file").write_text("")
  for name in ("mnist", "image_folder"):
    with pytest.raises(datasets.DataNotFoundError, match="is a file"):
      datasets.check_dataset(_config(name, tmp_path / "file"))


@pytest.mark.parametrize("content, problem", [
    (b"PK\x03\x04 not idx", "not an IDX file"),
    (b"\x1f\x8b\x08 damaged gzip", "damaged gzip"),
    (b"\x00\x00\x08\x03" + (5).to_bytes(4, "big") * 3 + b"\x00" * 10,
     "truncated"),
])
def test_damaged_idx_names_the_file(tmp_path, content, problem):
  (tmp_path / "train-images-idx3-ubyte").write_bytes(content)
  config = _config("mnist", tmp_path)
  for action in (datasets.check_dataset, datasets.load_dataset):
    with pytest.raises(datasets.DataError, match=problem) as info:
      action(config)
    assert info.value.path == str(tmp_path / "train-images-idx3-ubyte")


def test_truncated_gzip_idx_names_the_file_when_loaded(tmp_path):
  noise = np.random.default_rng(0).integers(0, 256, (50, 8, 8), np.uint8)
  idx.write_idx(tmp_path / "full", noise)
  (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(
      gzip.compress((tmp_path / "full").read_bytes())[:-400])
  config = _config("mnist", tmp_path)
  datasets.check_dataset(config)  # The header is intact.
  with pytest.raises(datasets.DataError, match="gzip") as info:
    datasets.load_dataset(config)
  assert info.value.path.endswith("train-images-idx3-ubyte.gz")


def test_idx_of_the_wrong_layout_is_refused_by_the_check(tmp_path):
  idx.write_idx(tmp_path / "train-images-idx3-ubyte",
                np.zeros((2, 3, 4), np.uint8))
  with pytest.raises(datasets.DataError, match="square images"):
    datasets.check_dataset(_config("mnist", tmp_path))


def test_bad_omniglot_zip_names_the_file(tmp_path):
  (tmp_path / "images_background.zip").write_bytes(b"not a zip at all")
  config = _config("omniglot", tmp_path)
  for action in (datasets.check_dataset, datasets.load_dataset):
    with pytest.raises(datasets.DataError, match="not a readable zip") as info:
      action(config)
    assert info.value.path == str(tmp_path / "images_background.zip")


def test_damaged_omniglot_member_names_the_zip_and_member(tmp_path):
  path = _omniglot_zip(tmp_path)
  data = bytearray(path.read_bytes())
  # Flip bytes inside the first member's data so its CRC check fails.
  with zipfile.ZipFile(path) as archive:
    info = archive.infolist()[0]
  start = info.header_offset + 30 + len(info.filename) + len(info.extra)
  data[start + 40:start + 60] = bytes(20)
  path.write_bytes(bytes(data))
  with pytest.raises(datasets.DataError, match="character01") as error:
    datasets.load_dataset(_config("omniglot", tmp_path))
  assert "images_background.zip" in str(error.value)


def test_omniglot_zip_without_drawings(tmp_path):
  with zipfile.ZipFile(tmp_path / "images_background.zip", "w") as archive:
    archive.writestr("README.txt", "nothing here")
  with pytest.raises(datasets.DataNotFoundError, match="no PNG drawings"):
    datasets.check_dataset(_config("omniglot", tmp_path))


def test_undecodable_image_names_the_file(tmp_path):
  (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
  config = _config("image_folder", tmp_path)
  for action in (datasets.check_dataset, datasets.load_dataset):
    with pytest.raises(datasets.DataError, match="cannot be decoded") as info:
      action(config)
    assert info.value.path == str(tmp_path / "a.png")


def test_undecodable_omniglot_drawing_names_it(tmp_path):
  (tmp_path / "images_background" / "Greek" / "character01").mkdir(
      parents=True)
  bad = tmp_path / "images_background" / "Greek" / "character01" / "x.png"
  bad.write_bytes(b"not a png")
  with pytest.raises(datasets.DataError, match="x.png"):
    datasets.check_dataset(_config("omniglot", tmp_path))


def test_embedded_dataset_refuses_a_path():
  with pytest.raises(datasets.DataError, match="reads no files") as info:
    datasets.DatasetConfig("digits", path="/data")
  assert info.value.path == "/data"


def test_tfds_check(tmp_path):
  with pytest.raises(datasets.DataNotFoundError,
                     match="does not exist") as info:
    datasets.check_dataset(datasets.DatasetConfig(
        "tfds", tfds_name="mnist", path=str(tmp_path / "absent")))
  assert info.value.path == str(tmp_path / "absent")
  with pytest.raises(datasets.DataNotFoundError,
                     match="prepared tfds dataset 'mnist'.*mnist/<version>"):
    datasets.check_dataset(datasets.DatasetConfig(
        "tfds", tfds_name="mnist", path=str(tmp_path)))
  assert not list(tmp_path.iterdir())  # The check created nothing.


def test_data_error_pickles():
  import pickle  # pylint: disable=g-import-not-at-top
  error = pickle.loads(pickle.dumps(datasets.DataNotFoundError("/d", "gone")))
  assert (error.path, error.problem, str(error)) == ("/d", "gone",
                                                     "'/d': gone")
