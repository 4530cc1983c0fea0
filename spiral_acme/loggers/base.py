"""The Logger interface and the value handling every logger shares.

Loggers receive flat-ish dicts of results (`{"loss": 0.3, "episode_return":
...}`) and decide how to present them: scalars go everywhere, images and other
arrays only where they can be shown (TensorBoard).
"""

import abc
from typing import Any, Dict, Mapping

import numpy as np

LoggingData = Mapping[str, Any]

# Channel counts accepted as images ([H, W, C] or [N, H, W, C]).
_IMAGE_CHANNELS = (1, 3, 4)


class Logger(abc.ABC):
  """Writes dicts of named values somewhere (terminal, file, TensorBoard).

    logger = make_default_logger("learner", steps_key="learner_steps")
    for _ in range(num_steps):
      logger.write({"learner_steps": step, "loss": loss})
    logger.close()
  """

  @abc.abstractmethod
  def write(self, data: LoggingData) -> None:
    """Records one set of values, e.g. the results of one learner step."""

  def close(self) -> None:
    """Flushes and releases files; the logger must not be written to after."""

  def __enter__(self) -> "Logger":
    return self

  def __exit__(self, *unused_exc_info) -> None:
    self.close()


class NoOpLogger(Logger):
  """Discards everything; the default where logging is not wanted."""

  def write(self, data: LoggingData) -> None:
    del data


def to_numpy(value: Any) -> Any:
  """Turns a tensor (anything with a `.numpy()` method) into a numpy value."""
  return value.numpy() if hasattr(value, "numpy") else value


def flatten(data: LoggingData, prefix: str = "") -> Dict[str, Any]:
  """Flattens nested mappings into "outer/inner" keys, keeping their order.

  Tensors become numpy values; values that are None are dropped (they mean
  "nothing to report"). Lists, tuples and arrays stay single values.
  """
  if not isinstance(data, Mapping):
    raise TypeError(
        f"Loggers expect a mapping of names to values, got {type(data)!r}.")
  flat = {}
  for key, value in data.items():
    name = f"{prefix}{key}"
    if isinstance(value, Mapping):
      flat.update(flatten(value, prefix=f"{name}/"))
    elif value is not None:
      flat[name] = to_numpy(value)
  return flat


def is_scalar(value: Any) -> bool:
  """True for one number or bool (Python, numpy scalar or 0-d array)."""
  if isinstance(value, (bool, int, float, np.number, np.bool_)):
    return True
  return (isinstance(value, np.ndarray) and value.ndim == 0 and
          (np.issubdtype(value.dtype, np.number) or value.dtype == np.bool_))


def is_image(value: Any) -> bool:
  """True for numeric arrays shaped [H, W, C] or [N, H, W, C], C in 1, 3, 4."""
  if not isinstance(value, np.ndarray) or value.ndim not in (3, 4):
    return False
  if not (np.issubdtype(value.dtype, np.number) and value.size):
    return False
  return value.shape[-1] in _IMAGE_CHANNELS
