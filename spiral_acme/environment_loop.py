"""Runs an actor in an environment, episode by episode, and logs the results."""

import operator
import time
from typing import Any, Callable, Dict, Optional

import dm_env
import numpy as np
import tree

from spiral_acme import core
from spiral_acme import counting
from spiral_acme import loggers


def _check_bound(name: str, value: Optional[int]) -> None:
  if value is None:
    return
  if isinstance(value, bool) or not isinstance(value, int) or value < 0:
    raise ValueError(f"{name} must be a non-negative int, got {value!r}.")


class EnvironmentLoop:
  """Plays episodes: the actor acts, observes and updates at every step.

    loop = EnvironmentLoop(env, actor, counter=counter, logger=logger)
    loop.run(num_episodes=10)
    loop.run(should_stop=lambda: lp.wait_for_stop(0))  # Until the program stops.

  Each episode's result (length, return, steps per second and the counter's
  counts) is written to the logger. Returns are summed with dm-tree, so
  environments with nested rewards get nested returns.
  """

  def __init__(self,
               environment: dm_env.Environment,
               actor: core.Actor,
               *,
               counter: Optional[counting.Counter] = None,
               logger: Optional[loggers.Logger] = None,
               should_update: bool = True,
               label: str = "environment_loop"):
    """Creates the loop.

    Args:
      environment: the dm_env environment to play in.
      actor: chooses actions and receives every transition.
      counter: counts "episodes" and "steps"; a fresh Counter when None.
      logger: receives each episode's result; when None, a terminal logger
        labelled `label` that prints at most once every 10 seconds.
      should_update: call `actor.update()` after every step (False for
        evaluation-only loops whose actor never changes).
      label: name of this loop in logs.
    """
    self._environment = environment
    self._actor = actor
    self._counter = counter if counter is not None else counting.Counter()
    self._logger = logger if logger is not None else (
        loggers.make_default_logger(
            label, time_delta=10.0, steps_key=self._counter.get_steps_key()))
    self._should_update = should_update

  def run_episode(self) -> Dict[str, Any]:
    """Plays one episode and returns its result (not written to the logger).

    Returns:
      A dict with `episode_length` (number of actions), `episode_return` (the
      summed rewards, shaped like the reward spec), `steps_per_second`, and
      the counter's counts after adding this episode.
    """
    start_time = time.monotonic()
    episode_return = tree.map_structure(
        lambda spec: np.zeros(spec.shape, spec.dtype),
        self._environment.reward_spec())
    episode_steps = 0

    timestep = self._environment.reset()
    if not timestep.first():
      raise ValueError(
          "environment.reset() must return a FIRST timestep, got step_type "
          f"{timestep.step_type!r}.")
    self._actor.observe_first(timestep)
    while not timestep.last():
      action = self._actor.select_action(timestep.observation)
      timestep = self._environment.step(action)
      self._actor.observe(action, next_timestep=timestep)
      if self._should_update:
        self._actor.update()
      episode_steps += 1
      if timestep.reward is not None:
        episode_return = tree.map_structure(
            operator.add, episode_return, timestep.reward)

    counts = self._counter.increment(episodes=1, steps=episode_steps)
    elapsed = time.monotonic() - start_time
    result = {
        "episode_length": episode_steps,
        "episode_return": episode_return,
        "steps_per_second": episode_steps / max(elapsed, 1e-9),
    }
    result.update(counts)
    return result

  def run(self,
          num_episodes: Optional[int] = None,
          num_steps: Optional[int] = None,
          *,
          should_stop: Optional[Callable[[], bool]] = None) -> int:
    """Plays episodes until a bound is reached or `should_stop()` is true.

    With `num_episodes`, plays that many; with `num_steps`, plays episodes
    until that many steps were taken (the last episode is always finished,
    so slightly more steps may be taken); give at most one of the two. With
    neither, plays until `should_stop()` returns True (forever when it is
    None), e.g. `should_stop=lambda: lp.wait_for_stop(0)` in a distributed
    program. `should_stop` is checked before each episode.

    Returns:
      The number of steps taken.
    """
    if num_episodes is not None and num_steps is not None:
      raise ValueError(
          "Give at most one of num_episodes and num_steps; got "
          f"num_episodes={num_episodes!r}, num_steps={num_steps!r}.")
    _check_bound("num_episodes", num_episodes)
    _check_bound("num_steps", num_steps)
    episodes, steps = 0, 0
    while True:
      if num_episodes is not None and episodes >= num_episodes:
        break
      if num_steps is not None and steps >= num_steps:
        break
      if should_stop is not None and should_stop():
        break
      result = self.run_episode()
      episodes += 1
      steps += result["episode_length"]
      self._logger.write(result)
    return steps
