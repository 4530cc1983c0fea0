"""Courier clients: `client.method(*args)` and `client.futures.method(*args)`.

What a CourierNode's handle dereferences to. Subclasses provide `_call`
(synchronous) and `_submit` (returns a concurrent.futures.Future); the base
class turns attribute access into those calls, as Launchpad's client does.
"""

import abc
import concurrent.futures
import threading
from typing import Any, Callable, Dict, Tuple


class CourierUnavailableError(ConnectionError):
  """The server went away during a call (it was killed or is restarting).

  Calls made while a server is down wait for it; only a call in flight when
  it goes gets this, and whether the server acted on it is unknown.
  """


class CourierClient(abc.ABC):
  """Calls public methods of a remote object by name."""

  def __init__(self, label: str):
    self._label = label
    self._futures = _Futures(self)

  @property
  def futures(self) -> "_Futures":
    """`client.futures.method(*args)` returns a concurrent.futures.Future."""
    return self._futures

  @abc.abstractmethod
  def _call(self, method: str, args: Tuple[Any, ...],
            kwargs: Dict[str, Any]) -> Any:
    """Calls `method` remotely and returns its result (or raises)."""

  @abc.abstractmethod
  def _submit(self, method: str, args: Tuple[Any, ...],
              kwargs: Dict[str, Any]) -> concurrent.futures.Future:
    """Starts the call and returns a future of its result."""

  def __getattr__(self, method: str) -> Callable[..., Any]:
    if method.startswith("_"):
      raise AttributeError(method)
    return lambda *args, **kwargs: self._call(method, args, kwargs)

  def __repr__(self) -> str:
    return f"{type(self).__name__}({self._label})"


class _Futures:
  """The `.futures` view of a client."""

  def __init__(self, client: CourierClient):
    self._client = client

  def __getattr__(self, method: str) -> Callable[..., concurrent.futures.Future]:
    if method.startswith("_"):
      raise AttributeError(method)
    # pylint: disable=protected-access
    return lambda *args, **kwargs: self._client._submit(method, args, kwargs)


class LocalCourierClient(CourierClient):
  """Calls an object of the same process (local_mt), once it has been built.

  The object arrives through `slot` when its node has constructed it, so
  handles work across cycles: a call waits for the object (up to
  `construction_timeout` seconds), not the dereference.
  """

  def __init__(self, label: str, slot: concurrent.futures.Future,
               executor: concurrent.futures.Executor, *,
               construction_timeout: float = 600.0):
    super().__init__(label)
    self._slot = slot
    self._executor = executor
    self._timeout = construction_timeout

  def _target(self, method: str) -> Callable[..., Any]:
    try:
      obj = self._slot.result(timeout=self._timeout)
    except concurrent.futures.TimeoutError:
      raise TimeoutError(
          f"{self._label} was not constructed within {self._timeout} s; "
          f"cannot call {method}().") from None
    target = getattr(obj, method)
    if not callable(target):
      raise TypeError(f"{self._label}.{method} is not a method.")
    return target

  def _call(self, method, args, kwargs):
    return self._target(method)(*args, **kwargs)

  def _submit(self, method, args, kwargs):
    return self._executor.submit(self._call, method, args, kwargs)


class ObjectSlots:
  """Futures of the objects of local Courier nodes, keyed by node id."""

  def __init__(self):
    self._slots: Dict[str, concurrent.futures.Future] = {}
    self._lock = threading.Lock()

  def get(self, node_id: str) -> concurrent.futures.Future:
    with self._lock:
      return self._slots.setdefault(node_id, concurrent.futures.Future())
