"""Adders that write one Reverb item per whole episode.

For a stream of timesteps `o_0, (a_0, o_1), ..., (a_{T-1}, o_T)` the episode
item holds

    {"observation": o_0..o_T, "action": a_0..a_{T-1},
     "extras": x_0..x_{T-1}, "episode": e}

where `x_t` are per-step extras (e.g. behaviour logits) and `e` holds values
fixed for the episode (noise sample, target image, initial core state). When a
final-observation table is given, the same writer also creates a small item
`{"observation": {k: o_T[k]}, "episode": {k: e[k]}}`, so the final canvas
reaches the discriminator.

The steps are kept in memory and the finished episode is written at once, as
one Reverb step whose columns hold the stacked arrays: appending every step
separately made the writer's per-call bookkeeping about a fifth of a small
run's time. `BatchEpisodeAdder` writes the K episodes of a batched
environment through one writer and waits once for the server to take them.
"""

import time
from typing import Any, Callable, List, Mapping, Optional, Sequence

import dm_env
import numpy as np
import reverb
import tree

from spiral_acme.replay import reconnect
from spiral_acme.replay import timeouts

Nest = Any

# How often a write waiting for room in a full table checks `should_stop`.
_STOP_POLL_SECONDS = 0.5


class BatchEpisodeAdder:
  """Writes whole episodes of K environments that step together into Reverb.

  Timesteps, actions and extras are batched: every array leads with the K
  environments (as a `BatchedEnvironment` gives them), and the step type is
  shared. Nothing is written until the episodes end, so an episode cut short
  by `reset()` or a crash never reaches replay.
  """

  def __init__(self,
               client: reverb.Client,
               *,
               table: str,
               num_envs: int,
               max_episode_length: int,
               final_observation_table: Optional[str] = None,
               final_observation_keys: Sequence[str] = (),
               final_episode_keys: Sequence[str] = (),
               observation_transform: Optional[Callable[[Nest], Nest]] = None,
               priority: float = 1.0,
               timeout: Optional[float] = timeouts.DEFAULT_TIMEOUT_SECONDS,
               should_stop: Optional[Callable[[], bool]] = None):
    """Creates the adder.

    Args:
      client: client of the Reverb server holding the tables.
      table: episode table name.
      num_envs: K, the number of environments in every batched timestep.
      max_episode_length: largest number of actions in an episode.
      final_observation_table: optional table for the final observation.
      final_observation_keys: observation keys written to that table.
      final_episode_keys: per-episode keys written to that table.
      observation_transform: applied to each batched observation before it is
        kept (e.g. float canvases to uint8 to store them 4x smaller).
      priority: priority of the created items.
      timeout: seconds the episodes may wait for room in a full table before
        `ReplayTimeoutError` (None: wait forever).
      should_stop: checked while the episodes wait for room; when it returns
        True the wait ends with `reconnect.StopRequested` (the episodes are
        dropped: replay is not kept past a run). A program that stops its
        replay server with its actors must not wait out `timeout` on it.
    """
    if num_envs < 1:
      raise ValueError(f"num_envs must be >= 1, got {num_envs}.")
    if max_episode_length < 1:
      raise ValueError(
          f"max_episode_length must be >= 1, got {max_episode_length}.")
    if final_observation_table is None and (final_observation_keys or
                                            final_episode_keys):
      raise ValueError("final_observation_keys/final_episode_keys need a "
                       "final_observation_table.")
    self._client = client
    self._table = table
    self._num_envs = num_envs
    self._max_length = max_episode_length
    self._final_table = final_observation_table
    self._final_obs_keys = tuple(final_observation_keys)
    self._final_episode_keys = tuple(final_episode_keys)
    self._transform = observation_transform or (lambda x: x)
    self._priority = priority
    self._timeout = timeout
    self._should_stop = should_stop
    # One Reverb step per episode; chunks of one step, so that sampling an
    # item never carries the other environments' episodes with it.
    self._writer = client.trajectory_writer(num_keep_alive_refs=num_envs)
    self._configured = False
    self._observations: Optional[List[Nest]] = None
    self._actions: List[Nest] = []
    self._extras: List[Nest] = []
    self._episode: Mapping[str, Nest] = {}

  @property
  def num_envs(self) -> int:
    return self._num_envs

  def add_first(self, timestep: dm_env.TimeStep, *,
                episode_extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Starts K episodes with their first timestep and per-episode values."""
    if not timestep.first():
      raise ValueError(
          f"add_first needs a FIRST timestep, got {timestep.step_type}.")
    episode = dict(episode_extras or {})
    self._check_batch("episode_extras", episode)
    self._observations = [self._observation(timestep)]
    self._actions, self._extras = [], []
    self._episode = episode

  def add(self, action: Nest, next_timestep: dm_env.TimeStep, *,
          extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Records `action` (taken on the last observation) and its result."""
    if self._observations is None:
      raise ValueError("add() called before add_first().")
    if next_timestep.first():
      raise ValueError("add() got a FIRST timestep; call add_first().")
    if len(self._actions) >= self._max_length:
      raise ValueError(
          f"Episode longer than max_episode_length={self._max_length}.")
    extras = dict(extras or {})
    self._check_batch("action", action)
    self._check_batch("extras", extras)
    self._actions.append(action)
    self._extras.append(extras)
    self._observations.append(self._observation(next_timestep))
    if next_timestep.last():
      self._write_episodes()

  def reset(self) -> None:
    """Drops unfinished episodes (nothing of them was written)."""
    self._observations = None
    self._actions, self._extras = [], []
    self._episode = {}

  def close(self) -> None:
    self._writer.close()

  def _observation(self, timestep: dm_env.TimeStep) -> Nest:
    observation = self._transform(timestep.observation)
    self._check_batch("observation", observation)
    return observation

  def _check_batch(self, name: str, nest: Nest) -> None:
    for path, value in tree.flatten_with_path(nest):
      shape = np.shape(value)
      if not shape or shape[0] != self._num_envs:
        where = "/".join(str(p) for p in (name,) + tuple(path))
        got = f"shape {shape}" if shape else "a scalar"
        raise ValueError(
            f"{where} is {got}; expected a leading dimension of "
            f"{self._num_envs}, one entry per environment of this adder.")

  def _write_episodes(self) -> None:
    """Appends each environment's episode as one step and creates its items."""
    stack = lambda steps: tree.map_structure(  # [K, T(+1), ...]
        lambda *x: np.stack(x, axis=1), *steps)
    episodes = {
        "observation": stack(self._observations),
        "action": stack(self._actions),
        "extras": stack(self._extras),
        "episode": self._episode,
    }
    if self._final_table is not None:
      episodes["final_observation"] = {
          k: np.asarray(episodes["observation"][k])[:, -1]
          for k in self._final_obs_keys}
    self.reset()
    flat = [np.asarray(x) for x in tree.flatten(episodes)]
    for i in range(self._num_envs):
      self._append(tree.unflatten_as(episodes, [x[i] for x in flat]))
      step = tree.map_structure(lambda column: column[-1],
                                self._writer.history)
      self._writer.create_item(self._table, self._priority, {
          "observation": step["observation"], "action": step["action"],
          "extras": step["extras"], "episode": step["episode"]})
      if self._final_table is not None:
        self._writer.create_item(self._final_table, self._priority, {
            "observation": step["final_observation"],
            "episode": {k: step["episode"][k]
                        for k in self._final_episode_keys},
        })
    self._end_episode()

  def _append(self, step: Nest) -> None:
    if not self._configured:
      for path, _ in tree.flatten_with_path(step):
        self._writer.configure(path, num_keep_alive_refs=self._num_envs,
                               max_chunk_length=1)
      self._configured = True
    self._writer.append(step)

  def _end_episode(self) -> None:
    """Ends the episodes once the server took their items (a full queue makes room).

    Waits in short slices so that `should_stop` is honoured; raises
    `ReplayTimeoutError` after `timeout` seconds.
    """
    deadline = (None if self._timeout is None else
                time.monotonic() + self._timeout)
    while True:
      wait = None
      if self._should_stop is not None:
        wait = _STOP_POLL_SECONDS
      if deadline is not None:
        left = max(0.0, deadline - time.monotonic())
        wait = left if wait is None else min(wait, left)
      try:
        self._writer.end_episode(clear_buffers=True,
                                 timeout_ms=timeouts.milliseconds(wait))
        return
      except reverb.errors.DeadlineExceededError:
        if deadline is not None and time.monotonic() >= deadline:
          raise timeouts.timeout_error(
              self._client, self._table, "room to write an episode",
              self._timeout) from None
        if self._should_stop is not None and self._should_stop():
          raise reconnect.StopRequested(
              f"Stopped while an episode waited for room in {self._table!r}."
          ) from None


class EpisodeAdder:
  """Writes whole episodes of one environment into Reverb.

  The unbatched form of `BatchEpisodeAdder` (K = 1).
  """

  def __init__(self, client: reverb.Client, **kwargs: Any):
    """Takes `BatchEpisodeAdder`'s keyword arguments, less `num_envs`."""
    self._batch = BatchEpisodeAdder(client, num_envs=1, **kwargs)

  def add_first(self, timestep: dm_env.TimeStep, *,
                episode_extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Starts an episode with its first timestep and per-episode values."""
    self._batch.add_first(_batched(timestep),
                          episode_extras=_add_batch(episode_extras or {}))

  def add(self, action: Nest, next_timestep: dm_env.TimeStep, *,
          extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Records `action` (taken on the pending observation) and its result."""
    self._batch.add(_add_batch(action), _batched(next_timestep),
                    extras=_add_batch(extras or {}))

  def reset(self) -> None:
    """Drops an unfinished episode (nothing of it is written)."""
    self._batch.reset()

  def close(self) -> None:
    self._batch.close()


def _add_batch(nest: Nest) -> Nest:
  return tree.map_structure(lambda x: np.asarray(x)[None], nest)


def _batched(timestep: dm_env.TimeStep) -> dm_env.TimeStep:
  return timestep._replace(observation=_add_batch(timestep.observation))
