"""No episode is lost between a queue table and the learner's batches.

Reverb 0.14 drops the items of a sampling request that times out holding
some but not all of its items; in-process readers time out every 3 seconds,
so bursts of episodes that straddle that deadline used to vanish and the
learner waited forever (see spiral_acme/replay/datasets.py). This test
writes bursts of episodes at random moments while CPU hogs slow Reverb's
threads down (widening the window), and checks that every episode written
arrives in a batch.
"""

import multiprocessing
import random
import threading
import time

import numpy as np
import pytest
import reverb
import tensorflow as tf

from spiral_acme import replay

BATCH = 16
SIGNATURE = {"canvas": tf.TensorSpec([6, 32, 32, 1], tf.uint8),
             "step": tf.TensorSpec([5], tf.int32)}


def _hog(stop_at: float) -> None:
  while time.time() < stop_at:
    pass


def _write_burst(writers, rounds: int) -> None:
  for _ in range(rounds):
    for writer in writers:
      for t in range(6):
        writer.append({"canvas": np.zeros([32, 32, 1], np.uint8),
                       "step": np.int32(t)})
      writer.create_item("episodes", 1.0, {
          "canvas": writer.history["canvas"][:],
          "step": writer.history["step"][:5]})
      writer.end_episode(clear_buffers=True, timeout_ms=30_000)


@pytest.mark.slow
def test_every_episode_written_reaches_a_batch():
  duration = 40.0
  server = replay.make_server([reverb.Table.queue(
      "episodes", max_size=8 * BATCH, signature=SIGNATURE)])
  hogs = [multiprocessing.Process(target=_hog,
                                  args=(time.time() + duration,))
          for _ in range(2)]
  for hog in hogs:
    hog.start()
  try:
    client = reverb.Client(f"127.0.0.1:{server.port}")
    batches = replay.ReplayBatches(client, "episodes", batch_size=BATCH,
                                   timeout=60)
    writers = [client.trajectory_writer(num_keep_alive_refs=7)
               for _ in range(BATCH // 4)]
    rng = random.Random(0)
    written = delivered = 0
    start = time.time()
    while time.time() - start < duration:
      # The single-process schedule: act (bursts of episodes), then learn.
      for _ in range(4):
        _write_burst(writers, 1)
        time.sleep(rng.uniform(0, 1.5))
      written += BATCH
      result = []
      reader = threading.Thread(target=lambda: result.append(next(batches)),
                                daemon=True)
      reader.start()
      reader.join(timeout=60)
      info = client.server_info()["episodes"].rate_limiter_info
      assert result, (
          f"batch {written // BATCH} never came: {written} episodes written, "
          f"{info.insert_stats.completed} inserted, "
          f"{info.sample_stats.completed} sampled, {delivered} delivered")
      delivered += int(result[0].info.key.shape[0])
      time.sleep(rng.uniform(0, 5))  # The learner step; crosses 3 s often.
    assert delivered == written
  finally:
    for hog in hogs:
      hog.terminate()
    server.stop()
