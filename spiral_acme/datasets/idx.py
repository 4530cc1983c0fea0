"""Reader for the IDX array format of MNIST, EMNIST, KMNIST and friends.

An IDX file starts with two zero bytes, a type code, the number of
dimensions, then one big-endian uint32 per dimension, then the array in
big-endian C order. Files may be gzip-compressed (`.gz`); the gzip magic
number decides, not the file name.
"""

import gzip
import os
import struct
from typing import Optional, Union
import zlib

import numpy as np

from spiral_acme.datasets import errors

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_HEADER = 4 + 4 * 255  # Magic, type, ndim and up to 255 dimensions.
_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read(path: str, size: int = -1) -> tuple[bytes, bool]:
  """(first `size` bytes or all, decompressed; whether the file is gzip)."""
  if not os.path.isfile(path):
    raise errors.DataNotFoundError(path,
                                   "does not exist; expected an IDX file")
  with open(path, "rb") as raw:
    compressed = raw.read(2) == _GZIP_MAGIC
    raw.seek(0)
    if not compressed:
      return raw.read(size), False
    try:
      with gzip.GzipFile(fileobj=raw, mode="rb") as f:
        return f.read(size), True
    except (OSError, EOFError, zlib.error) as e:
      raise errors.DataError(path, f"damaged gzip file ({e})") from e


def _parse_header(data: bytes, path: str) -> tuple[np.dtype, tuple[int, ...],
                                                     int]:
  """(dtype, shape, header length) of IDX bytes, or raises naming `path`."""
  if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _TYPES:
    raise errors.DataError(
        path, f"not an IDX file: expected the header 00 00 <type> <ndim> "
        f"with type in {[hex(t) for t in _TYPES]}, got {data[:4].hex(' ')}")
  dtype, ndim = _TYPES[data[2]], data[3]
  header = 4 + 4 * ndim
  if len(data) < header:
    raise errors.DataError(path, "IDX file truncated inside its header")
  return dtype, struct.unpack(f">{ndim}I", data[4:header]), header


def read_header(path: Union[str, os.PathLike]) -> tuple[np.dtype,
                                                        tuple[int, ...]]:
  """Reads only an IDX file's header: `(dtype, shape)`; a cheap check.

  Raises:
    DataNotFoundError: `path` does not exist.
    DataError: the file is not IDX (or a damaged gzip of one), or, when
      uncompressed, shorter than its header promises.
  """
  name = os.fspath(path)
  data, compressed = _read(name, _MAX_HEADER)
  dtype, shape, header = _parse_header(data, name)
  expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
  if not compressed and os.path.getsize(name) < expected:
    raise errors.DataError(
        name, f"IDX file truncated: its header promises shape {shape} of "
        f"{dtype} ({expected} bytes with the header), the file holds "
        f"{os.path.getsize(name)}")
  return dtype, shape


def read_idx(path: Union[str, os.PathLike],
             limit: Optional[int] = None) -> np.ndarray:
  """Reads an IDX file (raw or gzip) into a native-endian numpy array.

  Args:
    path: the file.
    limit: keep only the first `limit` entries of the leading dimension.

  Raises:
    DataNotFoundError: `path` does not exist.
    DataError: the file is not IDX, a damaged gzip, or shorter than its
      header says; the message names the file.
  """
  name = os.fspath(path)
  data, _ = _read(name)
  dtype, shape, header = _parse_header(data, name)
  count = int(np.prod(shape, dtype=np.int64))
  if len(data) - header < count * dtype.itemsize:
    raise errors.DataError(
        name, f"IDX file truncated: its header promises shape {shape} of "
        f"{dtype} ({count * dtype.itemsize} bytes), the file holds "
        f"{len(data) - header}")
  array = np.frombuffer(data, dtype, count, header).reshape(shape)
  if limit is not None and len(shape) > 0:
    array = array[:limit]
  return array.astype(dtype.newbyteorder("="))


def write_idx(path: Union[str, os.PathLike], array: np.ndarray, *,
              compress: bool = False) -> None:
  """Writes `array` as an IDX file (gzip when `compress`); for tests/tools."""
  big = array.dtype.newbyteorder(">")
  codes = [c for c, t in _TYPES.items() if t.newbyteorder(">") == big]
  if not codes:
    raise ValueError(f"IDX cannot store dtype {array.dtype}; expected one of "
                     f"{[str(t) for t in _TYPES.values()]}.")
  code = codes[0]
  header = bytes([0, 0, code, array.ndim]) + struct.pack(
      f">{array.ndim}I", *array.shape)
  payload = header + np.ascontiguousarray(array, big).tobytes()
  with open(path, "wb") as f:
    f.write(gzip.compress(payload) if compress else payload)
