"""Pickling of call arguments, results and remote exceptions.

cloudpickle is used when installed (it handles lambdas and classes defined in
`__main__`), plain pickle otherwise; numpy arrays pickle either way.
"""

import pickle
import traceback
from typing import Any, Optional, Tuple

try:
  import cloudpickle as _pickler
except ImportError:  # pragma: no cover - cloudpickle comes with TF and Ray.
  _pickler = pickle

_OK = "ok"
_ERROR = "error"


def dumps(value: Any) -> bytes:
  return _pickler.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
  return pickle.loads(data)


class RemoteError(RuntimeError):
  """An exception raised by a method of another node.

  The message holds the remote exception and its traceback text; when the
  exception itself could be pickled it is also attached as `__cause__`.
  """

  def __init__(self, message: str, remote_type: str, remote_traceback: str):
    super().__init__(message)
    self.remote_type = remote_type
    self.remote_traceback = remote_traceback


def encode_result(value: Any) -> bytes:
  return dumps((_OK, value))


def encode_error(error: BaseException) -> bytes:
  """The reply for a call that raised `error` (call inside `except`)."""
  text = "".join(traceback.format_exception(
      type(error), error, error.__traceback__))
  type_name = f"{type(error).__module__}.{type(error).__qualname__}"
  try:
    pickled: Optional[bytes] = dumps(error)
  except Exception:  # pylint: disable=broad-except
    pickled = None
  return dumps((_ERROR, (type_name, str(error), text, pickled)))


def decode_reply(data: bytes, where: str) -> Any:
  """Returns the result in `data`, or raises the remote error as RemoteError."""
  status, payload = loads(data)
  if status == _OK:
    return payload
  type_name, message, text, pickled = payload
  error = RemoteError(
      f"{where} raised {type_name}: {message}\n"
      f"--- remote traceback ---\n{text}", type_name, text)
  cause = _unpickle_or_none(pickled)
  if cause is not None:
    raise error from cause
  raise error


def _unpickle_or_none(data: Optional[bytes]) -> Optional[BaseException]:
  if data is None:
    return None
  try:
    value = loads(data)
  except Exception:  # pylint: disable=broad-except
    return None
  return value if isinstance(value, BaseException) else None


def encode_call(method: str, args: Tuple[Any, ...], kwargs: dict) -> bytes:
  return dumps((method, args, kwargs))


def decode_call(data: bytes) -> Tuple[str, Tuple[Any, ...], dict]:
  return loads(data)
