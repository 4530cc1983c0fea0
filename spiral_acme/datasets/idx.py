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

import numpy as np

_GZIP_MAGIC = b"\x1f\x8b"
_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_bytes(path: Union[str, os.PathLike]) -> bytes:
  with open(path, "rb") as f:
    data = f.read()
  if data[:2] == _GZIP_MAGIC:
    try:
      data = gzip.decompress(data)
    except (OSError, EOFError) as e:
      raise ValueError(f"{os.fspath(path)!r} is a damaged gzip file: {e}")
  return data


def read_idx(path: Union[str, os.PathLike],
             limit: Optional[int] = None) -> np.ndarray:
  """Reads an IDX file (raw or gzip) into a native-endian numpy array.

  Args:
    path: the file.
    limit: keep only the first `limit` entries of the leading dimension.

  Raises:
    FileNotFoundError: `path` does not exist.
    ValueError: the file is not IDX, or is shorter than its header says.
  """
  if not os.path.isfile(path):
    raise FileNotFoundError(f"IDX file {os.fspath(path)!r} does not exist.")
  data = _read_bytes(path)
  name = os.fspath(path)
  if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in _TYPES:
    raise ValueError(
        f"{name!r} is not an IDX file: expected the header 00 00 <type> "
        f"<ndim> with type in {[hex(t) for t in _TYPES]}, got "
        f"{data[:4].hex(' ')}.")
  dtype, ndim = _TYPES[data[2]], data[3]
  header = 4 + 4 * ndim
  if len(data) < header:
    raise ValueError(f"{name!r} is truncated inside its IDX header.")
  shape = struct.unpack(f">{ndim}I", data[4:header])
  count = int(np.prod(shape, dtype=np.int64))
  if len(data) - header < count * dtype.itemsize:
    raise ValueError(
        f"{name!r} is truncated: its header promises shape {shape} of "
        f"{dtype} ({count * dtype.itemsize} bytes), the file holds "
        f"{len(data) - header}.")
  array = np.frombuffer(data, dtype, count, header).reshape(shape)
  if limit is not None and ndim > 0:
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
