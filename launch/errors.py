"""One-line errors for the launchers: a bad input is reported, not traced.

A user who mistypes a flag should read one line that names the flag, the
value and what was expected, and get a non-zero exit (2, like argparse):

    sample.py: error: num_samples=0: expected an int >= 1

Launchers start with `errors.run(main)` instead of `app.run(main)`. Inside
`main`, input checks run under `with errors.checking_inputs(...)`: any
ValueError or missing file raised there is the user's input, not a bug. Past
that block only `FlagError`, `DataError`, `app.UsageError` and flag errors
are reported in one line; anything else keeps its traceback. Setting
SPIRAL_ACME_DEBUG=1 shows the traceback of every error.

    def main(argv):
      with errors.checking_inputs(data_flag=("data_dir", FLAGS.data_dir)):
        count = validation.positive_int("num_samples", FLAGS.num_samples)
        check_dataset(config)
      ...  # The work: errors here are bugs and show their traceback.

    if __name__ == "__main__":
      errors.run(main)
"""

import contextlib
import os
import re
import sys
from typing import Any, Callable, Iterator, NoReturn, Optional, Sequence

from absl import app
from absl import flags

from spiral_acme.datasets import DataError

DEBUG_ENV = "SPIRAL_ACME_DEBUG"
EXIT_CODE = 2
# absl words a bad flag value "flag --name=value: reason".
_ABSL_FLAG_MESSAGE = re.compile(r"^flag --([\w.-]+)=(.*?): (.*)$", re.DOTALL)


class InputError(Exception):
  """The user's input is wrong; `run` prints the message as one line."""


class FlagError(InputError, ValueError):
  """A flag's value is wrong: `flag=value: problem` (no dashes)."""

  def __init__(self, flag: str, value: Any, problem: str):
    self.flag = flag
    self.value = value
    self.problem = problem
    super().__init__(f"{flag}={value!r}: {problem}")


def from_data_error(flag: str, value: Any, error: DataError) -> FlagError:
  """Re-words a DataError around the flag that gave the data's path.

  The path is not repeated when it is the flag's value; a file inside it
  (a damaged zip, an undecodable image) stays named.
  """
  given = None if value is None else os.path.normpath(os.fspath(value))
  if error.path is None or os.path.normpath(error.path) == given:
    return FlagError(flag, value, error.problem)
  return FlagError(flag, value, str(error))


def debugging() -> bool:
  """Whether SPIRAL_ACME_DEBUG asks for tracebacks."""
  return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _one_line(message: str) -> str:
  return " ".join(line.strip() for line in message.splitlines()
                  if line.strip())


def _message(error: BaseException) -> str:
  """The error's text, flag names without their dashes where absl adds them."""
  match = _ABSL_FLAG_MESSAGE.match(str(error))
  if isinstance(error, flags.Error) and match:
    name, value, reason = match.groups()
    return f"{name}={value}: {reason}"
  return str(error) or type(error).__name__


def fail(message: str) -> NoReturn:
  """Prints `<program>: error: <message>` on one line and exits 2."""
  program = os.path.basename(sys.argv[0]) if sys.argv else "launch"
  print(f"{program}: error: {_one_line(message)}", file=sys.stderr)
  sys.exit(EXIT_CODE)


@contextlib.contextmanager
def checking_inputs(*, data_flag: Optional[tuple[str, Any]] = None
                    ) -> Iterator[None]:
  """Treats every ValueError or missing file raised inside as bad input.

  Args:
    data_flag: `(flag name, value)` that gave the dataset's path; a
      DataError raised inside is re-worded around it (`data_dir=...: ...`).

  Raises:
    InputError: in place of a ValueError, FileNotFoundError or
      NotADirectoryError raised inside (chained to it).
  """
  try:
    yield
  except InputError:
    raise
  except DataError as e:
    if data_flag is None:
      raise InputError(str(e)) from e
    raise from_data_error(*data_flag, e) from e
  except (ValueError, FileNotFoundError, NotADirectoryError) as e:
    raise InputError(str(e)) from e


# Raised in `main` these are the user's input; other flags.Errors (reading a
# flag before parsing) are bugs and keep their traceback.
_REPORTED = (InputError, DataError, app.UsageError,
             flags.IllegalFlagValueError, flags.ValidationError)


def report_errors(main: Callable[[Sequence[str]], Any]
                  ) -> Callable[[Sequence[str]], Any]:
  """Wraps an absl `main` so input errors print one line and exit 2."""

  def wrapped(argv: Sequence[str]) -> Any:
    try:
      return main(argv)
    except _REPORTED as e:
      if debugging():
        raise
      fail(_message(e))

  return wrapped


def _parse_flags(argv: Sequence[str]) -> list[str]:
  """absl's flag parsing, with its errors printed as one line."""
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    if debugging():
      raise
    fail(_message(e))


def run(main: Callable[[Sequence[str]], Any]) -> None:
  """`app.run(main)` with one-line errors for flags and inputs (see above)."""
  app.run(report_errors(main), flags_parser=_parse_flags)
