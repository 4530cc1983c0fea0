"""Waits on replay end with an error that names the table and its counts."""

import numpy as np
import pytest
import reverb
import tensorflow as tf

from spiral_acme import replay


@pytest.fixture
def server():
  server = replay.make_server([
      reverb.Table.queue("queue", max_size=2, signature={
          "x": tf.TensorSpec([1, 3], tf.float32)}),
      replay.variable_table("variables")])
  yield server
  server.stop()


def test_batch_wait_times_out_with_table_state(server):
  client = reverb.Client(f"127.0.0.1:{server.port}")
  client.insert({"x": np.zeros(3, np.float32)}, {"queue": 1.0})
  batches = replay.ReplayBatches(client, "queue", batch_size=2, timeout=0.5)
  with pytest.raises(replay.ReplayTimeoutError) as error:
    next(batches)
  message = str(error.value)
  assert "a batch of 2 items" in message
  assert "table 'queue': size 0/2, 1 inserted, 1 sampled" in message


def test_batches_are_delivered_before_the_deadline(server):
  client = reverb.Client(f"127.0.0.1:{server.port}")
  for i in range(2):
    client.insert({"x": np.full(3, i, np.float32)}, {"queue": 1.0})
  batch = next(replay.ReplayBatches(client, "queue", batch_size=2, timeout=5))
  np.testing.assert_array_equal(batch.data["x"].numpy()[:, 0, 0], [0, 1])


def test_unpublished_variables_time_out(server):
  client = reverb.Client(f"127.0.0.1:{server.port}")
  source = replay.ReverbVariableSource(client, {"policy": "variables"},
                                       timeout=0.3)
  with pytest.raises(replay.ReplayTimeoutError, match="published 'policy'"):
    source.get_variables(["policy"])


def test_server_leaves_no_temporary_folder(tmp_path, monkeypatch):
  monkeypatch.setenv("TMPDIR", str(tmp_path))
  import tempfile  # pylint: disable=g-import-not-at-top
  monkeypatch.setattr(tempfile, "tempdir", None)
  server = replay.make_server([replay.variable_table("v")])
  server.stop()
  assert list(tmp_path.iterdir()) == []
