"""Reverb tables, the episode adder and variable sync on a real server."""

import time

import dm_env
import numpy as np
import pytest
import reverb
import tensorflow as tf

from spiral_acme import replay

T = 3  # Actions per episode.
EPISODE_SIGNATURE = {
    "observation": {"canvas": tf.TensorSpec([T + 1, 4, 4, 1], tf.uint8)},
    "action": {"a": tf.TensorSpec([T], tf.int32)},
    "extras": {"logits": {"a": tf.TensorSpec([T, 5], tf.float32)}},
    "episode": {"noise": tf.TensorSpec([2], tf.float32)},
}
CANVAS_SIGNATURE = {
    "observation": {"canvas": tf.TensorSpec([4, 4, 1], tf.uint8)},
    "episode": {"noise": tf.TensorSpec([2], tf.float32)},
}


@pytest.fixture
def server():
  tables = [
      replay.episode_table("episodes", max_queue_size=4,
                           signature=EPISODE_SIGNATURE),
      replay.canvas_table("canvases", replay=replay.SampleReplay.QUEUE,
                          max_size=4, signature=CANVAS_SIGNATURE),
      replay.variable_table("variables"),
  ]
  server = reverb.Server(tables, port=None)
  yield server
  server.stop()


@pytest.fixture
def client(server):
  return reverb.Client(f"127.0.0.1:{server.port}")


def _observation(value: int):
  return {"canvas": np.full([4, 4, 1], value, np.uint8)}


def _write_episode(adder: replay.EpisodeAdder, episode: int) -> None:
  adder.add_first(dm_env.restart(_observation(10 * episode)),
                  episode_extras={"noise": np.full(2, episode, np.float32)})
  for t in range(T):
    observation = _observation(10 * episode + t + 1)
    timestep = (dm_env.termination(0.0, observation) if t == T - 1 else
                dm_env.transition(0.0, observation))
    adder.add({"a": np.int32(t)}, timestep,
              extras={"logits": {"a": np.full(5, t, np.float32)}})


def test_adder_writes_one_item_per_episode_with_final_canvas(client):
  adder = replay.EpisodeAdder(
      client, table="episodes", max_episode_length=T,
      final_observation_table="canvases", final_observation_keys=("canvas",),
      final_episode_keys=("noise",))
  _write_episode(adder, 1)
  _write_episode(adder, 2)
  info = client.server_info()
  assert info["episodes"].current_size == 2
  assert info["canvases"].current_size == 2

  dataset = reverb.TrajectoryDataset.from_table_signature(
      client.server_address, "episodes", max_in_flight_samples_per_worker=2)
  data = next(iter(dataset.batch(2))).data
  np.testing.assert_array_equal(data["observation"]["canvas"][:, :, 0, 0, 0],
                                [[10, 11, 12, 13], [20, 21, 22, 23]])
  np.testing.assert_array_equal(data["action"]["a"], [[0, 1, 2]] * 2)
  np.testing.assert_array_equal(data["extras"]["logits"]["a"][0, :, 0],
                                [0, 1, 2])
  np.testing.assert_array_equal(data["episode"]["noise"], [[1, 1], [2, 2]])

  canvas_item = next(client.sample("canvases", 1, emit_timesteps=False)).data
  noise, final_canvas = canvas_item  # Flattened in sorted key order.
  assert final_canvas.shape == (4, 4, 1)
  assert final_canvas[0, 0, 0] == 13  # The first episode's final canvas.
  np.testing.assert_array_equal(noise, [1, 1])


def test_adder_transform_is_applied_to_every_observation(client):
  adder = replay.EpisodeAdder(
      client, table="episodes", max_episode_length=T,
      observation_transform=lambda o: {"canvas": o["canvas"] + 1})
  _write_episode(adder, 2)
  dataset = reverb.TrajectoryDataset.from_table_signature(
      client.server_address, "episodes", max_in_flight_samples_per_worker=1)
  data = next(iter(dataset)).data
  np.testing.assert_array_equal(data["observation"]["canvas"][:, 0, 0, 0],
                                [21, 22, 23, 24])


def test_full_queue_write_times_out_naming_the_table(client):
  adder = replay.EpisodeAdder(client, table="episodes", max_episode_length=T,
                              timeout=0.5)
  for episode in range(4):  # max_queue_size=4 and nobody samples.
    _write_episode(adder, episode)
  with pytest.raises(replay.ReplayTimeoutError,
                     match="room to write an episode; table 'episodes'"):
    _write_episode(adder, 4)


def test_full_queue_write_ends_promptly_when_the_program_stops(client):
  stop_at = time.monotonic() + 1.0
  adder = replay.EpisodeAdder(
      client, table="episodes", max_episode_length=T, timeout=60.0,
      should_stop=lambda: time.monotonic() > stop_at)
  for episode in range(4):
    _write_episode(adder, episode)
  with pytest.raises(replay.reconnect.StopRequested, match="'episodes'"):
    _write_episode(adder, 4)
  # Ended by the stop (about 1 s), not by the 60 s timeout.
  assert time.monotonic() - stop_at < 10.0
  assert client.server_info()["episodes"].current_size == 4


def test_unfinished_episode_is_not_written(client):
  adder = replay.EpisodeAdder(client, table="episodes", max_episode_length=T)
  adder.add_first(dm_env.restart(_observation(0)),
                  episode_extras={"noise": np.zeros(2, np.float32)})
  adder.add({"a": np.int32(0)}, dm_env.transition(0.0, _observation(1)),
            extras={"logits": {"a": np.zeros(5, np.float32)}})
  adder.reset()
  assert client.server_info()["episodes"].current_size == 0
  _write_episode(adder, 3)
  assert client.server_info()["episodes"].current_size == 1


def test_adder_rejects_misuse(client):
  adder = replay.EpisodeAdder(client, table="episodes", max_episode_length=T)
  with pytest.raises(ValueError, match="before add_first"):
    adder.add({"a": np.int32(0)}, dm_env.transition(0.0, _observation(1)))
  with pytest.raises(ValueError, match="FIRST"):
    adder.add_first(dm_env.transition(0.0, _observation(1)))
  with pytest.raises(ValueError, match="max_episode_length must be >= 1"):
    replay.EpisodeAdder(client, table="episodes", max_episode_length=0)
  with pytest.raises(ValueError, match="need a final_observation_table"):
    replay.EpisodeAdder(client, table="episodes", max_episode_length=T,
                        final_observation_keys=("canvas",))


def test_episode_longer_than_declared_is_an_error(client):
  adder = replay.EpisodeAdder(client, table="episodes", max_episode_length=1)
  adder.add_first(dm_env.restart(_observation(0)))
  adder.add({"a": np.int32(0)}, dm_env.transition(0.0, _observation(1)))
  with pytest.raises(ValueError, match="longer than max_episode_length=1"):
    adder.add({"a": np.int32(1)}, dm_env.transition(0.0, _observation(2)))


def _batched_observation(values) -> dict:
  return {"canvas": np.stack([np.full([4, 4, 1], v, np.uint8)
                              for v in values])}


def _write_batch(adder: replay.BatchEpisodeAdder, episodes) -> None:
  """Writes episodes `episodes` (one per environment) stepping together."""
  k = len(episodes)
  adder.add_first(
      dm_env.restart(_batched_observation([10 * e for e in episodes])),
      episode_extras={"noise": np.stack(
          [np.full(2, e, np.float32) for e in episodes])})
  for t in range(T):
    observation = _batched_observation([10 * e + t + 1 for e in episodes])
    timestep = (dm_env.termination(0.0, observation) if t == T - 1 else
                dm_env.transition(0.0, observation))
    adder.add({"a": np.arange(k, dtype=np.int32) + t}, timestep,
              extras={"logits": {"a": np.full([k, 5], t, np.float32)}})


def test_batch_adder_writes_each_environment_as_its_own_episode(client):
  adder = replay.BatchEpisodeAdder(
      client, table="episodes", num_envs=3, max_episode_length=T,
      final_observation_table="canvases", final_observation_keys=("canvas",),
      final_episode_keys=("noise",))
  _write_batch(adder, [1, 2, 3])
  info = client.server_info()
  assert info["episodes"].current_size == 3
  assert info["canvases"].current_size == 3

  dataset = reverb.TrajectoryDataset.from_table_signature(
      client.server_address, "episodes", max_in_flight_samples_per_worker=3)
  data = next(iter(dataset.batch(3))).data  # A queue: in the order written.
  np.testing.assert_array_equal(
      data["observation"]["canvas"][:, :, 0, 0, 0],
      [[10, 11, 12, 13], [20, 21, 22, 23], [30, 31, 32, 33]])
  np.testing.assert_array_equal(data["action"]["a"],
                                [[0, 1, 2], [1, 2, 3], [2, 3, 4]])
  np.testing.assert_array_equal(data["extras"]["logits"]["a"][:, :, 0],
                                [[0, 1, 2]] * 3)
  np.testing.assert_array_equal(data["episode"]["noise"][:, 0], [1, 2, 3])

  for episode in (1, 2, 3):
    noise, final_canvas = next(
        client.sample("canvases", 1, emit_timesteps=False)).data
    assert final_canvas.shape == (4, 4, 1)
    assert final_canvas[0, 0, 0] == 10 * episode + T
    np.testing.assert_array_equal(noise, [episode, episode])


def test_batch_adder_writes_nothing_before_the_episodes_end(client):
  adder = replay.BatchEpisodeAdder(client, table="episodes", num_envs=2,
                                   max_episode_length=T)
  adder.add_first(dm_env.restart(_batched_observation([0, 0])),
                  episode_extras={"noise": np.zeros([2, 2], np.float32)})
  adder.add({"a": np.zeros(2, np.int32)},
            dm_env.transition(0.0, _batched_observation([1, 1])),
            extras={"logits": {"a": np.zeros([2, 5], np.float32)}})
  assert client.server_info()["episodes"].current_size == 0
  adder.reset()
  _write_batch(adder, [4, 5])
  assert client.server_info()["episodes"].current_size == 2


def test_batch_adder_names_a_value_without_the_environments(client):
  adder = replay.BatchEpisodeAdder(client, table="episodes", num_envs=3,
                                   max_episode_length=T)
  with pytest.raises(ValueError, match=(
      r"observation/canvas is shape \(2, 4, 4, 1\); expected a leading "
      "dimension of 3, one entry per environment")):
    adder.add_first(dm_env.restart(_batched_observation([0, 0])))
  adder.add_first(dm_env.restart(_batched_observation([0, 0, 0])),
                  episode_extras={"noise": np.zeros([3, 2], np.float32)})
  with pytest.raises(ValueError, match="action/a is a scalar; expected a"):
    adder.add({"a": np.int32(0)},
              dm_env.transition(0.0, _batched_observation([1, 1, 1])))
  with pytest.raises(ValueError, match="num_envs must be >= 1, got 0"):
    replay.BatchEpisodeAdder(client, table="episodes", num_envs=0,
                             max_episode_length=T)


def test_variable_table_keeps_only_the_newest_and_serves_it_repeatedly(client):
  weights = [tf.Variable(np.zeros([2, 3], np.float32)),
             tf.Variable(np.zeros([3], np.float32))]
  publisher = replay.VariablePublisher(client, "variables", weights)
  source = replay.ReverbVariableSource(client, {"policy": "variables"})
  assert not source.has_variables("policy")
  for value in (1.0, 2.0, 3.0):
    for w in weights:
      w.assign(tf.fill(w.shape, value))
    publisher.publish()
  assert client.server_info()["variables"].current_size == 1
  for _ in range(2):  # Sampling does not consume the published set.
    [values] = source.get_variables(["policy"])
    np.testing.assert_array_equal(values[0], np.full([2, 3], 3.0))
    np.testing.assert_array_equal(values[1], np.full([3], 3.0))
  with pytest.raises(KeyError, match="Unknown variable set 'critic'"):
    source.get_variables(["critic"])


def test_variable_client_updates_in_background_and_on_wait(client):
  published = [tf.Variable(np.full([3], 7.0, np.float32))]
  local = [tf.Variable(np.zeros([3], np.float32))]
  source = replay.ReverbVariableSource(client, {"policy": "variables"})
  variable_client = replay.VariableClient(source, {"policy": local},
                                          update_period=2)
  variable_client.update()  # Nothing published: must neither block nor fail.
  variable_client.update()
  replay.VariablePublisher(client, "variables", published).publish()
  variable_client.update_and_wait()
  np.testing.assert_array_equal(local[0].numpy(), [7, 7, 7])

  published[0].assign([1.0, 2.0, 3.0])
  replay.VariablePublisher(client, "variables", published).publish()
  for _ in range(200):  # The background fetch lands within a few calls.
    variable_client.update()
    if local[0].numpy()[0] == 1.0:
      break
    tf.timestamp()  # Yield briefly.
  np.testing.assert_array_equal(local[0].numpy(), [1, 2, 3])
  variable_client.close()


def test_variable_client_copies_mixed_dtypes_and_shapes_exactly(client):
  # Values travel as one flat array per dtype; each must land in its own
  # variable, in order, with its shape.
  rng = np.random.default_rng(0)
  published = [tf.Variable(rng.normal(size=[2, 3]).astype(np.float32)),
               tf.Variable(np.int32(-7)),
               tf.Variable(rng.normal(size=[0, 4]).astype(np.float32)),
               tf.Variable(np.arange(5, dtype=np.int32)),
               tf.Variable(np.float32(2.5))]
  local = [tf.Variable(tf.zeros_like(v)) for v in published]
  replay.VariablePublisher(client, "variables", published).publish()
  source = replay.ReverbVariableSource(client, {"policy": "variables"})
  variable_client = replay.VariableClient(source, {"policy": local})
  variable_client.update_and_wait()
  for mine, theirs in zip(local, published):
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
  variable_client.close()


def test_variable_client_rejects_mismatched_shapes_and_dtypes(client):
  replay.VariablePublisher(
      client, "variables", [tf.Variable(np.zeros([4], np.float32))]).publish()
  source = replay.ReverbVariableSource(client, {"policy": "variables"})
  local = [tf.Variable(np.zeros([3], np.float32))]
  variable_client = replay.VariableClient(source, {"policy": local})
  with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(4,\)"):
    variable_client.update_and_wait()
  # A value of another dtype is refused too, not cast.
  replay.VariablePublisher(
      client, "variables", [tf.Variable(np.zeros([3], np.int32))]).publish()
  with pytest.raises(ValueError, match="dtype float32 .* dtype int32"):
    variable_client.update_and_wait()


def test_uniform_canvas_table_replays_without_removing(client, server):
  del server
  table = replay.canvas_table("uniform", replay=replay.SampleReplay.UNIFORM,
                              max_size=3, min_size_to_sample=1)
  server = reverb.Server([table], port=None)
  local = reverb.Client(f"127.0.0.1:{server.port}")
  for i in range(5):
    local.insert([np.int32(i)], {"uniform": 1.0})
  assert local.server_info()["uniform"].current_size == 3  # FIFO eviction.
  seen = {int(next(local.sample("uniform", 1))[0].data[0])
          for _ in range(30)}  # Legacy inserts come back without a time axis.
  assert seen <= {2, 3, 4} and len(seen) >= 2
  assert local.server_info()["uniform"].current_size == 3
  server.stop()


@pytest.mark.parametrize("kwargs, message", [
    ({"max_queue_size": 0}, "max_queue_size must be >= 1"),
])
def test_episode_table_validation(kwargs, message):
  with pytest.raises(ValueError, match=message):
    replay.episode_table("x", **kwargs)


def test_canvas_table_validation():
  with pytest.raises(ValueError, match="max_size must be >= 1"):
    replay.canvas_table("x", replay=replay.SampleReplay.QUEUE, max_size=0)
  with pytest.raises(ValueError, match=r"min_size_to_sample must be in"):
    replay.canvas_table("x", replay=replay.SampleReplay.UNIFORM, max_size=2,
                        min_size_to_sample=3)
