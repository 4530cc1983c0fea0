"""How a program graph is run: threads, processes, Ray, or not at all."""

import enum
from typing import Union


class LaunchType(enum.Enum):
  """The launch types, named and valued as in Launchpad where it has them.

  `SINGLE_PROCESS` is reserved for the deterministic single-process agent,
  which runs its parts in a fixed schedule without a program graph; `launch`
  rejects it.
  """
  LOCAL_MULTI_THREADING = "local_mt"
  LOCAL_MULTI_PROCESSING = "local_mp"
  RAY = "ray"
  SINGLE_PROCESS = "single_process"


def parse_launch_type(value: Union[LaunchType, str]) -> LaunchType:
  """Returns `value` as a LaunchType; accepts the enum or its string value."""
  if isinstance(value, LaunchType):
    return value
  try:
    return LaunchType(value)
  except ValueError:
    raise ValueError(
        f"Unknown launch type {value!r}; expected one of "
        f"{[t.value for t in LaunchType]}.") from None
