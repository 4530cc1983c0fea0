"""Factories for the Reverb tables a SPIRAL run uses.

* an episode table: a rate-limited queue of whole episodes for the policy
  learner (IMPALA style: each episode is learnt from once);
* a canvas table: final canvases for the discriminator learner, either a FIFO
  queue (the hub agents) or a uniform replay of recent canvases (the paper's
  "replay of 20 batches");
* variable tables: `max_size=1` tables through which a learner publishes its
  newest weights.
"""

import enum
from typing import Any, Optional

import reverb


class SampleReplay(enum.Enum):
  """How the discriminator sees generated canvases."""
  QUEUE = "queue"  # Each canvas is used once, oldest first.
  UNIFORM = "uniform"  # Uniform replay over the newest `max_size` canvases.


def episode_table(name: str, *, max_queue_size: int,
                  signature: Optional[Any] = None) -> reverb.Table:
  """A queue of episodes: writers block when it is full, readers when empty."""
  if max_queue_size < 1:
    raise ValueError(f"max_queue_size must be >= 1, got {max_queue_size}.")
  return reverb.Table.queue(name, max_size=max_queue_size, signature=signature)


def canvas_table(name: str, *, replay: SampleReplay, max_size: int,
                 min_size_to_sample: int = 1,
                 signature: Optional[Any] = None) -> reverb.Table:
  """Generated canvases for the discriminator learner."""
  if max_size < 1:
    raise ValueError(f"max_size must be >= 1, got {max_size}.")
  if not 1 <= min_size_to_sample <= max_size:
    raise ValueError(
        f"min_size_to_sample must be in [1, max_size={max_size}], got "
        f"{min_size_to_sample}.")
  if replay is SampleReplay.QUEUE:
    return reverb.Table.queue(name, max_size=max_size, signature=signature)
  if replay is SampleReplay.UNIFORM:
    return reverb.Table(
        name,
        sampler=reverb.selectors.Uniform(),
        remover=reverb.selectors.Fifo(),
        max_size=max_size,
        rate_limiter=reverb.rate_limiters.MinSize(min_size_to_sample),
        signature=signature)
  raise ValueError(f"Unknown replay {replay!r}; expected a SampleReplay.")


def variable_table(name: str) -> reverb.Table:
  """Holds only the newest published set of variables; sampling keeps it."""
  return reverb.Table(
      name,
      sampler=reverb.selectors.Fifo(),
      remover=reverb.selectors.Fifo(),
      max_size=1,
      max_times_sampled=0,  # Unlimited.
      rate_limiter=reverb.rate_limiters.MinSize(1))
