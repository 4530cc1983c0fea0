"""DataError: a dataset's files are missing, misplaced or unreadable.

Every loader and `check_dataset` raise these, so a caller can tell "your data
is not there / not what I expected" apart from a bug. The message names the
path at fault (the configured folder, or the one bad file inside it) and what
was expected there; `path` and `problem` hold the two parts, so a launcher can
re-word the message around its own flag:

    try:
      check_dataset(config)
    except DataError as e:
      print(f"data_dir={config.path!r}: {e.problem}" if e.path == config.path
            else f"data_dir={config.path!r}: {e}")
"""

import os
from typing import Optional, Union


class DataError(ValueError):
  """The data at `path` is missing or not what was expected.

  Attributes:
    path: the folder or file at fault; None when no path was given at all.
    problem: what is wrong and what was expected, without the path.
  """

  def __init__(self, path: Optional[Union[str, os.PathLike]], problem: str):
    self.path = None if path is None else os.fspath(path)
    self.problem = problem
    super().__init__(problem if path is None else f"{self.path!r}: {problem}")

  def __reduce__(self):
    return type(self), (self.path, self.problem)


class DataNotFoundError(DataError, FileNotFoundError):
  """A DataError for a missing folder or file (also a FileNotFoundError)."""
