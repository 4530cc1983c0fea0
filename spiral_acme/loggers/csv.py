"""Appends results to a CSV file, one row per write, for later analysis."""

import csv
import os
from typing import Any, List, Optional

import numpy as np

from spiral_acme.loggers import base


def _cell(value: Any) -> Optional[Any]:
  """The CSV cell for a value, or None when the value is not a scalar."""
  if isinstance(value, str):
    return value
  if base.is_scalar(value):
    return np.asarray(value).item()
  return None


class CSVLogger(base.Logger):
  """Writes scalar and string values to `{directory}/{label}.csv`.

  Columns are the keys seen so far; when a write brings a new key (say, a
  counter that appears once the learner starts), the file is rewritten with
  the wider header and earlier rows get empty cells. An existing file is
  appended to, so a restarted run continues its log.
  """

  def __init__(self, directory: str, *, label: str = "logs"):
    if not label or os.sep in label:
      raise ValueError(
          f"label must be a non-empty file name without {os.sep!r}, got "
          f"{label!r}.")
    os.makedirs(directory, exist_ok=True)
    self._path = os.path.join(directory, f"{label}.csv")
    self._fieldnames: List[str] = []
    if os.path.exists(self._path):
      with open(self._path, newline="") as f:
        self._fieldnames = list(next(csv.reader(f), []))
    self._file = open(self._path, "a", newline="")

  @property
  def path(self) -> str:
    return self._path

  def write(self, data: base.LoggingData) -> None:
    if self._file.closed:
      raise ValueError(f"CSVLogger for {self._path} was already closed.")
    row = {}
    for key, value in base.flatten(data).items():
      cell = _cell(value)
      if cell is not None:
        row[key] = cell
    if not row:
      return
    new_keys = [key for key in row if key not in self._fieldnames]
    if new_keys:
      self._widen_header(self._fieldnames + new_keys)
    writer = csv.DictWriter(self._file, fieldnames=self._fieldnames,
                            restval="")
    writer.writerow(row)
    self._file.flush()

  def _widen_header(self, fieldnames: List[str]) -> None:
    """Rewrites the file with `fieldnames` as its header, keeping old rows."""
    self._file.close()
    with open(self._path, newline="") as f:
      rows = list(csv.DictReader(f)) if self._fieldnames else []
    tmp_path = self._path + ".tmp"
    with open(tmp_path, "w", newline="") as f:
      writer = csv.DictWriter(f, fieldnames=fieldnames, restval="")
      writer.writeheader()
      writer.writerows(rows)
    os.replace(tmp_path, self._path)
    self._fieldnames = fieldnames
    self._file = open(self._path, "a", newline="")

  def close(self) -> None:
    if not self._file.closed:
      self._file.close()
