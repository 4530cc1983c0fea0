"""The interfaces every spiral_acme component implements, named as in Acme.

An agent is an actor (acts in an environment and feeds experience to replay)
plus a learner (consumes replay, updates weights and serves them back to the
actors). Keeping these contracts tiny is what lets the single-process agent
and the distributed program wire the same components together.
"""

import abc
import itertools
from typing import Any, Generic, List, Optional, Sequence, TypeVar

import dm_env

# A nest (dict, list, tuple, namedtuple) of numpy arrays or tensors.
NestedArray = Any

T = TypeVar("T")


class Actor(abc.ABC):
  """Chooses actions and records what happened, one step at a time.

  An actor is driven by a loop such as:

    timestep = env.reset()
    actor.observe_first(timestep)
    while not timestep.last():
      action = actor.select_action(timestep.observation)
      timestep = env.step(action)
      actor.observe(action, next_timestep=timestep)
      actor.update()
  """

  @abc.abstractmethod
  def select_action(self, observation: NestedArray) -> NestedArray:
    """Returns the action to take given the current observation."""

  @abc.abstractmethod
  def observe_first(self, timestep: dm_env.TimeStep) -> None:
    """Records the FIRST timestep of a new episode (no action led to it)."""

  @abc.abstractmethod
  def observe(self, action: NestedArray,
              next_timestep: dm_env.TimeStep) -> None:
    """Records `action` and the timestep that it produced."""

  @abc.abstractmethod
  def update(self, wait: bool = False) -> None:
    """Refreshes the actor's weights from its variable source.

    Args:
      wait: when True, block until fresh weights have arrived; otherwise an
        update may be skipped or run in the background so acting never stalls.
    """


class VariableSource(abc.ABC):
  """Something that serves the current values of named variable collections.

  Actors keep their policy fresh with:

    [policy_weights] = source.get_variables(["policy"])
  """

  @abc.abstractmethod
  def get_variables(self, names: Sequence[str]) -> List[NestedArray]:
    """Returns one nest of numpy arrays per name, in the order asked for."""


class Worker(abc.ABC):
  """A unit of work that runs until done (or forever), e.g. one program node.

  A launcher starts each worker with:

    worker.run()
  """

  @abc.abstractmethod
  def run(self) -> None:
    """Does the work; long-running workers never return on their own."""


class Saveable(abc.ABC, Generic[T]):
  """An object whose state can be captured and put back, for checkpoints.

    state = thing.save()
    ...
    thing.restore(state)
  """

  @abc.abstractmethod
  def save(self) -> T:
    """Returns a snapshot of the state that `restore` accepts."""

  @abc.abstractmethod
  def restore(self, state: T) -> None:
    """Replaces the current state with a snapshot from `save`."""


class Learner(VariableSource, Worker, Saveable):
  """Updates weights from experience and serves them to actors.

  A learner is stepped by:

    while True:
      learner.step()          # one batch of experience, one update

  and actors (or the reward path) read its weights through `get_variables`.
  Saving and restoring are optional: learners that cannot be checkpointed keep
  the defaults, which raise NotImplementedError.
  """

  @abc.abstractmethod
  def step(self) -> None:
    """Performs one update (typically: sample a batch, take a gradient step)."""

  def run(self, num_steps: Optional[int] = None) -> None:
    """Calls `step` `num_steps` times, or forever when `num_steps` is None."""
    if num_steps is None:
      steps = itertools.count()
    else:
      if (isinstance(num_steps, bool) or not isinstance(num_steps, int)
          or num_steps < 0):
        raise ValueError(
            f"num_steps must be None or a non-negative int, got {num_steps!r}.")
      steps = range(num_steps)
    for _ in steps:
      self.step()

  def save(self) -> Any:
    raise NotImplementedError(
        f"{type(self).__name__} does not implement save().")

  def restore(self, state: Any) -> None:
    raise NotImplementedError(
        f"{type(self).__name__} does not implement restore().")
