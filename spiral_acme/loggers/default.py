"""The logger every component gets unless it is handed another."""

import os
from typing import Callable, Optional

from spiral_acme.loggers import aggregators
from spiral_acme.loggers import base
from spiral_acme.loggers import csv
from spiral_acme.loggers import tensorboard
from spiral_acme.loggers import terminal


def make_default_logger(label: str,
                        *,
                        directory: Optional[str] = None,
                        time_delta: float = 1.0,
                        steps_key: Optional[str] = None,
                        use_csv: bool = True,
                        use_tensorboard: bool = True,
                        use_terminal: bool = True,
                        print_fn: Callable[[str], None] = print
                        ) -> base.Logger:
  """Terminal output, plus CSV and TensorBoard files under `directory`.

  Args:
    label: names the component ("learner", "actor"); used as the terminal
      prefix, the CSV file name and the TensorBoard run name.
    directory: where files go: `{directory}/csv/{label}.csv` and the
      TensorBoard run `{directory}/tensorboard/{label}`. None: terminal only.
    time_delta: minimum seconds between terminal lines. Files get every write.
    steps_key: key of the value used as TensorBoard's x-axis
      (e.g. "learner_steps"); None counts writes instead.
    use_csv: write the CSV file (when `directory` is set).
    use_tensorboard: write TensorBoard events (when `directory` is set).
    use_terminal: print lines (off where a progress line says enough).
    print_fn: where terminal lines go.

  Returns:
    A logger that fans each write out to all of the above.
  """
  if not label or os.sep in label:
    raise ValueError(
        f"label must be a non-empty name without {os.sep!r}, got {label!r}.")
  loggers = []
  if use_terminal:
    loggers.append(terminal.TerminalLogger(label, time_delta=time_delta,
                                           print_fn=print_fn))
  if directory is not None:
    if use_csv:
      loggers.append(
          csv.CSVLogger(os.path.join(directory, "csv"), label=label))
    if use_tensorboard:
      loggers.append(tensorboard.TensorBoardLogger(
          os.path.join(directory, "tensorboard", label), steps_key=steps_key))
  return aggregators.Dispatcher(loggers)
