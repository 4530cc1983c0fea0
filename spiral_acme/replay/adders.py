"""An adder that writes one Reverb item per whole episode.

For a stream of timesteps `o_0, (a_0, o_1), ..., (a_{T-1}, o_T)` the episode
item holds

    {"observation": o_0..o_T, "action": a_0..a_{T-1},
     "extras": x_0..x_{T-1}, "episode": e}

where `x_t` are per-step extras (e.g. behaviour logits) and `e` holds values
fixed for the episode (noise sample, target image, initial core state). When a
final-observation table is given, the same writer also creates a small item
`{"observation": {k: o_T[k]}, "episode": {k: e[k]}}` that references the same
data, so the final canvas reaches the discriminator without being copied.
"""

import time
from typing import Any, Callable, Mapping, Optional, Sequence

import dm_env
import reverb
import tree

from spiral_acme.replay import reconnect
from spiral_acme.replay import timeouts

Nest = Any

# How often a write waiting for room in a full table checks `should_stop`.
_STOP_POLL_SECONDS = 0.5


class EpisodeAdder:
  """Writes whole episodes of one environment into Reverb."""

  def __init__(self,
               client: reverb.Client,
               *,
               table: str,
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
      max_episode_length: largest number of actions in an episode.
      final_observation_table: optional table for the final observation.
      final_observation_keys: observation keys written to that table.
      final_episode_keys: per-episode keys written to that table.
      observation_transform: applied to each observation before writing
        (e.g. float canvases to uint8 to store them 4x smaller).
      priority: priority of the created items.
      timeout: seconds an episode may wait for room in a full table before
        `ReplayTimeoutError` (None: wait forever).
      should_stop: checked while an episode waits for room; when it returns
        True the wait ends with `reconnect.StopRequested` (the episode is
        dropped: replay is not kept past a run). A program that stops its
        replay server with its actors must not wait out `timeout` on it.
    """
    if max_episode_length < 1:
      raise ValueError(
          f"max_episode_length must be >= 1, got {max_episode_length}.")
    if final_observation_table is None and (final_observation_keys or
                                            final_episode_keys):
      raise ValueError("final_observation_keys/final_episode_keys need a "
                       "final_observation_table.")
    self._client = client
    self._table = table
    self._max_length = max_episode_length
    self._final_table = final_observation_table
    self._final_obs_keys = tuple(final_observation_keys)
    self._final_episode_keys = tuple(final_episode_keys)
    self._transform = observation_transform or (lambda x: x)
    self._priority = priority
    self._timeout = timeout
    self._should_stop = should_stop
    self._writer = client.trajectory_writer(
        num_keep_alive_refs=max_episode_length + 1)
    self._pending: Optional[Mapping[str, Nest]] = None
    self._num_actions = 0

  def add_first(self, timestep: dm_env.TimeStep, *,
                episode_extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Starts an episode with its first timestep and per-episode values."""
    if not timestep.first():
      raise ValueError(
          f"add_first needs a FIRST timestep, got {timestep.step_type}.")
    if self._pending is not None:
      self.reset()
    self._pending = {"observation": self._transform(timestep.observation),
                     "episode": dict(episode_extras or {})}
    self._num_actions = 0

  def add(self, action: Nest, next_timestep: dm_env.TimeStep, *,
          extras: Optional[Mapping[str, Nest]] = None) -> None:
    """Records `action` (taken on the pending observation) and its result."""
    if self._pending is None:
      raise ValueError("add() called before add_first().")
    if next_timestep.first():
      raise ValueError("add() got a FIRST timestep; call add_first().")
    if self._num_actions >= self._max_length:
      raise ValueError(
          f"Episode longer than max_episode_length={self._max_length}.")
    step = dict(self._pending)
    step["action"] = action
    step["extras"] = dict(extras or {})
    self._writer.append(step)
    self._num_actions += 1
    self._pending = {"observation": self._transform(next_timestep.observation)}
    if next_timestep.last():
      self._write_episode()

  def _write_episode(self) -> None:
    """Appends the final observation and creates the episode's items."""
    self._writer.append(self._pending)
    history = self._writer.history
    n = self._num_actions
    episode = tree.map_structure(lambda c: c[0], history["episode"])
    self._writer.create_item(
        self._table, self._priority, {
            "observation": tree.map_structure(lambda c: c[:], history[
                "observation"]),
            "action": tree.map_structure(lambda c: c[:n], history["action"]),
            "extras": tree.map_structure(lambda c: c[:n], history["extras"]),
            "episode": episode,
        })
    if self._final_table is not None:
      final = {
          "observation": {k: history["observation"][k][-1]
                          for k in self._final_obs_keys},
          "episode": {k: episode[k] for k in self._final_episode_keys},
      }
      self._writer.create_item(self._final_table, self._priority, final)
    self._end_episode()
    self._pending = None
    self._num_actions = 0

  def _end_episode(self) -> None:
    """Ends the episode once the server took its items (a full queue makes room).

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

  def reset(self) -> None:
    """Drops an unfinished episode (nothing of it is written)."""
    self._writer.end_episode(clear_buffers=True)
    self._pending = None
    self._num_actions = 0

  def close(self) -> None:
    self._writer.close()
