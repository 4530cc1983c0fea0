"""What every benchmark records beside its numbers: when, where, with what."""

import dataclasses
import datetime
import enum
import json
import os
import pathlib
import platform
from typing import Any, Mapping

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def cpu_model() -> str:
  try:
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("model name"):
          return line.split(":", 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or "unknown"


def device() -> dict:
  """The machine: CPU model, cores, load, and GPUs TensorFlow sees."""
  info = {"cpu_model": cpu_model(), "logical_cores": os.cpu_count(),
          "load_average": list(os.getloadavg())}
  try:
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    info["gpus"] = [g.name for g in tf.config.list_physical_devices("GPU")]
  except ImportError:
    pass
  return info


def versions() -> dict:
  import numpy  # pylint: disable=g-import-not-at-top
  import spiral_acme  # pylint: disable=g-import-not-at-top
  found = {"python": platform.python_version(), "numpy": numpy.__version__,
           "spiral_acme": spiral_acme.__version__}
  try:
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    found["tensorflow"] = tf.__version__
  except ImportError:
    pass
  return found


def jsonable(value: Any) -> Any:
  """Configs (dataclasses, enums, tuples) as plain JSON values."""
  if dataclasses.is_dataclass(value):
    return {f.name: jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)}
  if isinstance(value, enum.Enum):
    return value.value
  if isinstance(value, Mapping):
    return {str(k): jsonable(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [jsonable(v) for v in value]
  if hasattr(value, "item"):  # numpy scalars
    return value.item()
  return value


def write(name: str, result: Mapping[str, Any]) -> pathlib.Path:
  """Writes results/<name>.json with date, device and versions added."""
  record = {"benchmark": name,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
            "device": device(), "versions": versions(), **jsonable(result)}
  RESULTS.mkdir(parents=True, exist_ok=True)
  path = RESULTS / f"{name}.json"
  path.write_text(json.dumps(record, indent=1) + "\n")
  return path
