"""Courier over gRPC (grpcio): one generic bytes-in/bytes-out method.

The server exposes `/spiral_acme.launchpad.Courier/Call`; the request is a
pickled (method, args, kwargs) and the reply a pickled result or error (see
serialization). Every call carries the program's token as metadata and the
server rejects other calls with PERMISSION_DENIED, so only nodes of the same
program can call each other. Clients use `wait_for_ready`, so a call made
while the server is down or restarting waits for it instead of failing; a
call in flight when the server goes raises `clients.CourierUnavailableError`.
"""

import concurrent.futures
import hmac
from typing import Any, Callable, Optional

from absl import logging
import grpc

from spiral_acme.launchpad.courier import clients
from spiral_acme.launchpad.courier import serialization

_SERVICE = "spiral_acme.launchpad.Courier"
_METHOD = f"/{_SERVICE}/Call"
TOKEN_METADATA_KEY = "lp-token"
_OPTIONS = [
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
]
_CLIENT_OPTIONS = _OPTIONS + [
    # Find a restarted server within about a second, not minutes.
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]
# One server per port: never share a port with a stale or foreign server.
_SERVER_OPTIONS = _OPTIONS + [("grpc.so_reuseport", 0)]


class _TokenInterceptor(grpc.ServerInterceptor):
  """Rejects calls whose token metadata is not the program's."""

  def __init__(self, token: str):
    self._token = token.encode()

    def deny(request, context):
      del request
      context.abort(grpc.StatusCode.PERMISSION_DENIED,
                    "Missing or wrong launchpad program token.")

    self._deny = grpc.unary_unary_rpc_method_handler(deny)

  def intercept_service(self, continuation, handler_call_details):
    metadata = dict(handler_call_details.invocation_metadata or ())
    token = str(metadata.get(TOKEN_METADATA_KEY, "")).encode()
    if not hmac.compare_digest(token, self._token):
      return self._deny
    return continuation(handler_call_details)


def _dispatch(obj: Any, label: str) -> Callable[[bytes, Any], bytes]:
  def call(request: bytes, context) -> bytes:
    del context
    try:
      method, args, kwargs = serialization.decode_call(request)
      if method.startswith("_"):
        raise AttributeError(f"{label}: private method {method!r} cannot be "
                             "called remotely.")
      target = getattr(obj, method)
      return serialization.encode_result(target(*args, **kwargs))
    except Exception as e:  # pylint: disable=broad-except
      return serialization.encode_error(e)
  return call


def serve(obj: Any, port: int, token: str, *, label: str,
          max_workers: int = 16) -> Callable[[], None]:
  """Serves `obj`'s public methods on 127.0.0.1:`port`; returns a closer."""
  server = grpc.server(
      concurrent.futures.ThreadPoolExecutor(
          max_workers=max_workers, thread_name_prefix=f"courier-{label}"),
      interceptors=[_TokenInterceptor(token)], options=_SERVER_OPTIONS)
  handler = grpc.method_handlers_generic_handler(
      _SERVICE, {"Call": grpc.unary_unary_rpc_method_handler(
          _dispatch(obj, label))})
  server.add_generic_rpc_handlers((handler,))
  if server.add_insecure_port(f"127.0.0.1:{port}") == 0:
    raise OSError(f"{label}: cannot bind 127.0.0.1:{port}; expected a free "
                  "port.")
  server.start()
  logging.info("%s serves Courier calls on 127.0.0.1:%d.", label, port)
  return lambda: server.stop(grace=1.0).wait()


class GrpcCourierClient(clients.CourierClient):
  """Calls a Courier server at `address` (the channel is made on first use)."""

  def __init__(self, label: str, address: str, token: str, *,
               timeout: Optional[float] = None):
    super().__init__(label)
    self._address = address
    self._token = token
    self._timeout = timeout
    self._rpc = None

  def _stub(self):
    if self._rpc is None:
      channel = grpc.insecure_channel(self._address, options=_CLIENT_OPTIONS)
      self._rpc = channel.unary_unary(_METHOD)
    return self._rpc

  def _call_kwargs(self):
    return dict(metadata=((TOKEN_METADATA_KEY, self._token),),
                wait_for_ready=True, timeout=self._timeout)

  def _call(self, method, args, kwargs):
    request = serialization.encode_call(method, args, kwargs)
    where = f"{self._label}.{method}()"
    try:
      reply = self._stub()(request, **self._call_kwargs())
    except grpc.RpcError as e:
      lost = _lost_server(e, where)
      if lost is None:
        raise
      raise lost from e
    return serialization.decode_reply(reply, where)

  def _submit(self, method, args, kwargs):
    request = serialization.encode_call(method, args, kwargs)
    rpc_future = self._stub().future(request, **self._call_kwargs())
    future = concurrent.futures.Future()
    where = f"{self._label}.{method}()"

    def done(rpc):
      if not future.set_running_or_notify_cancel():
        return
      try:
        future.set_result(serialization.decode_reply(rpc.result(), where))
      except grpc.RpcError as e:
        future.set_exception(_lost_server(e, where) or e)
      except BaseException as e:  # pylint: disable=broad-except
        future.set_exception(e)

    rpc_future.add_done_callback(done)
    return future


def _lost_server(error: grpc.RpcError, where: str
                 ) -> Optional[clients.CourierUnavailableError]:
  """`CourierUnavailableError` (caused by `error`) when the server went away
  during the call; None for any other gRPC error."""
  if getattr(error, "code", lambda: None)() != grpc.StatusCode.UNAVAILABLE:
    return None
  details = getattr(error, "details", lambda: "")()
  lost = clients.CourierUnavailableError(
      f"{where}: the server went away during the call ({details}).")
  lost.__cause__ = error
  return lost
