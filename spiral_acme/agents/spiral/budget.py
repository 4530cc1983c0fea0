"""The program's shared counter and the node that ends the run on budget.

    counter = program.add_node(lp.CourierNode(SavedCounter, WORKDIR/...))
    program.add_node(lp.PyClassNode(StepsLimiter, counter, learners,
                                    num_steps=600))

`SavedCounter` is the root of every node's `counting.Counter` (children
push to it through its handle about once a second) and keeps its totals in
a JSON file, so frame counts and training time add up over restarts of a
node or of the whole run. Counts are for reading, logging and the actor
budget: a learner restarted from its checkpoint redoes (and so recounts)
the steps after it, and a killed counter loses what came in since its last
save. The learner budget is therefore read from the learners themselves,
whose step is checkpointed with their weights.
"""

import json
import os
import threading
import time
from typing import Any, Dict, Mapping, Optional, Sequence

from absl import logging

from spiral_acme import counting
import spiral_acme.launchpad as lp

ELAPSED_KEY = "elapsed_seconds"


class SavedCounter:
  """A `counting.Counter` whose totals are saved in `path` (JSON)."""

  def __init__(self, path: str, *, save_every_seconds: float = 10.0):
    self._path = path
    self._every = save_every_seconds
    self._counter = counting.Counter()
    self._lock = threading.Lock()
    if os.path.exists(path):
      with open(path) as f:
        self._counter.restore(json.load(f))

  def increment(self, **counts: float) -> Dict[str, float]:
    return self._counter.increment(**counts)

  def get_counts(self) -> Dict[str, float]:
    return self._counter.get_counts()

  def save(self) -> None:
    with self._lock:
      os.makedirs(os.path.dirname(self._path), exist_ok=True)
      tmp = f"{self._path}.tmp"
      with open(tmp, "w") as f:
        json.dump(self._counter.save(), f)
      os.replace(tmp, self._path)

  def run(self) -> None:
    while not lp.wait_for_stop(self._every):
      self.save()
    self.save()


def total(counts: Mapping[str, float], prefix: str, suffix: str) -> float:
  """Sum of the counts named `<prefix>_<anything>_<suffix>`."""
  return sum(v for k, v in counts.items()
             if k.startswith(f"{prefix}_") and k.endswith(f"_{suffix}"))


class StepsLimiter:
  """Stops the program when a budget is spent (cf. Acme's StepsLimiter).

  Budgets: every policy learner finished at `num_steps` of its own steps
  (checkpointed and pushed to the counter: `finished_steps()`); the actors'
  environment steps (summed over actors, `max_actor_steps`); or the
  training time summed over every run of the workdir (`max_seconds`, kept
  in the counter as "elapsed_seconds").
  """

  def __init__(self, counter: Any, learners: Sequence[Any], *,
               num_steps: Optional[int] = None,
               max_actor_steps: Optional[int] = None,
               max_seconds: Optional[float] = None,
               poll_seconds: float = 1.0):
    self._counter = counter
    self._learners = list(learners)
    self._num_steps = num_steps
    self._max_actor_steps = max_actor_steps
    self._max_seconds = max_seconds
    self._poll = poll_seconds

  def _learners_done(self) -> bool:
    if self._num_steps is None:
      return False
    futures = [learner.futures.finished_steps()
               for learner in self._learners]
    try:
      steps = [f.result(timeout=30) for f in futures]
    except Exception as e:  # pylint: disable=broad-except
      logging.info("A learner did not answer (%s); asking again.", e)
      return False  # Restarting: ask again later.
    return all(s >= self._num_steps for s in steps)

  def spent(self) -> Optional[str]:
    """Which budget is spent, or None."""
    if self._learners_done():
      return f"every policy learner reached num_steps={self._num_steps}"
    if self._max_actor_steps is None and self._max_seconds is None:
      return None
    counts = self._counter.get_counts()
    if (self._max_actor_steps is not None and
        total(counts, "actor", "steps") >= self._max_actor_steps):
      return f"the actors reached max_actor_steps={self._max_actor_steps}"
    if (self._max_seconds is not None and
        counts.get(ELAPSED_KEY, 0) >= self._max_seconds):
      return f"training time reached {self._max_seconds:g} s"
    return None

  def run(self) -> None:
    last = time.monotonic()
    while not lp.wait_for_stop(self._poll):
      now = time.monotonic()
      try:
        self._counter.increment(**{ELAPSED_KEY: now - last})
        last = now
        reason = self.spent()
      except Exception as e:  # pylint: disable=broad-except
        logging.info("Budget check failed (%s); retrying.", e)
        continue
      if reason is not None:
        logging.info("Budget spent: %s; stopping the program.", reason)
        lp.stop()
        return
