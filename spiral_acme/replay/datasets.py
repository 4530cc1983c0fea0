"""Batches of whole items from a Reverb table, with a deadline on each wait.

    batches = ReplayBatches(client, "episodes", batch_size=64, timeout=600)
    sample = next(batches)   # ReplaySample of [64, ...] tensors

One sampler worker reads the table (Reverb requires exactly one for a queue,
or items race out of order), and it asks for one item at a time. That
works around a Reverb 0.14 defect that lost episodes and hung runs: a
sampling request that times out holding some but not all of its items is
failed, and the items it holds are dropped (fixed upstream after 0.14, in
"Report OK status for timed out sampling requests which contain some
samples"). An in-process reader times its requests out every 3 seconds to
check for cancellation, so with room for several items a request could
collect a few episodes, pass its deadline and lose them; a queue never
returns them, and the learner waited forever for a batch. A request for one
item is complete as soon as it holds anything, so nothing is dropped. The
cost is one request per item, hidden by prefetching in distributed runs.

The wait for a batch is bounded: Reverb closes the stream when the rate
limiter blocks a waiting reader for `timeout` seconds, and `next` then
raises `ReplayTimeoutError` with the table's state.
"""

from typing import Any, Optional

import reverb
import tensorflow as tf

from spiral_acme.replay import timeouts


class ReplayBatches:
  """An iterator of `batch_size` items sampled from `table`."""

  def __init__(self, client: reverb.Client, table: str, *, batch_size: int,
               timeout: Optional[float] = timeouts.DEFAULT_TIMEOUT_SECONDS,
               prefetch: int = 0):
    """Creates the iterator.

    Args:
      client: the replay server's client.
      table: a table with a signature.
      batch_size: items per batch.
      timeout: seconds a waiting reader may be blocked before the run stops
        (None: wait forever).
      prefetch: batches assembled ahead of `next` (0: none). While a batch is
        prefetched its wait counts against `timeout`, so keep it 0 when the
        consumer itself produces the data between calls (single process).
    """
    if batch_size < 1:
      raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    if timeout is not None and not timeout > 0:
      raise ValueError(f"timeout must be > 0 seconds or None, got {timeout!r}.")
    self._client = client
    self._table = table
    self._batch_size = batch_size
    self._timeout = timeout
    dataset = reverb.TrajectoryDataset.from_table_signature(
        client.server_address, table,
        max_in_flight_samples_per_worker=1,
        num_workers_per_iterator=1,
        rate_limiter_timeout_ms=timeouts.milliseconds(timeout))
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if prefetch:
      dataset = dataset.prefetch(prefetch)
    self._iterator = iter(dataset)

  def __iter__(self) -> "ReplayBatches":
    return self

  def __next__(self) -> Any:
    try:
      return next(self._iterator)
    except (StopIteration, tf.errors.OutOfRangeError,
            tf.errors.DeadlineExceededError):
      raise timeouts.timeout_error(
          self._client, self._table,
          f"a batch of {self._batch_size} items", self._timeout) from None
