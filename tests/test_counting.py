"""Tests for spiral_acme.counting.Counter."""

import threading
import time

import pytest

from spiral_acme import counting


def test_increment_accumulates_and_returns_counts():
  counter = counting.Counter()
  assert counter.increment(steps=3) == {"steps": 3}
  assert counter.increment(steps=2, episodes=1) == {"steps": 5, "episodes": 1}
  assert counter.get_counts() == {"steps": 5, "episodes": 1}
  assert counter.get_steps_key() == "steps"


def test_children_report_prefixed_counts_to_parent_and_siblings():
  root = counting.Counter()
  actor = counting.Counter(root, "actor", time_delta=0)
  learner = counting.Counter(root, "learner", time_delta=0)
  actor.increment(steps=19, episodes=1)
  counts = learner.increment(steps=1)
  assert counts == {"actor_steps": 19, "actor_episodes": 1, "learner_steps": 1}
  assert root.get_counts() == counts
  assert learner.get_steps_key() == "learner_steps"


def test_return_only_prefixed_strips_own_prefix_and_hides_others():
  root = counting.Counter()
  counting.Counter(root, "actor", time_delta=0).increment(steps=7)
  learner = counting.Counter(root, "learner", time_delta=0,
                             return_only_prefixed=True)
  assert learner.increment(steps=2) == {"steps": 2}
  assert learner.get_steps_key() == "steps"


def test_time_delta_delays_pushes_but_own_counts_stay_current():
  root = counting.Counter()
  child = counting.Counter(root, "actor", time_delta=0.2)
  child.increment(steps=1)  # The first read always pushes.
  assert root.get_counts() == {"actor_steps": 1}
  child.increment(steps=1)
  assert child.get_counts() == {"actor_steps": 2}
  assert root.get_counts() == {"actor_steps": 1}  # Not pushed yet.
  time.sleep(0.25)
  assert child.get_counts() == {"actor_steps": 2}
  assert root.get_counts() == {"actor_steps": 2}


def test_grandchild_counts_reach_the_root_with_both_prefixes():
  root = counting.Counter()
  mid = counting.Counter(root, "a", time_delta=0)
  leaf = counting.Counter(mid, "b", time_delta=0)
  leaf.increment(steps=4)
  mid.get_counts()
  assert root.get_counts() == {"a_b_steps": 4}


def test_concurrent_increments_are_not_lost():
  root = counting.Counter()
  children = [counting.Counter(root, "w", time_delta=0) for _ in range(4)]

  def work(counter):
    for _ in range(500):
      counter.increment(steps=1)

  threads = [threading.Thread(target=work, args=(c,)) for c in children]
  for thread in threads:
    thread.start()
  for thread in threads:
    thread.join()
  for child in children:
    child.get_counts()
  assert root.get_counts() == {"w_steps": 2000}


def test_save_and_restore_round_trip():
  counter = counting.Counter()
  counter.increment(steps=10, episodes=2)
  state = counter.save()
  counter.increment(steps=5)
  counter.restore(state)
  assert counter.get_counts() == {"steps": 10, "episodes": 2}
  fresh = counting.Counter()
  fresh.restore(state)
  assert fresh.increment(steps=1) == {"steps": 11, "episodes": 2}


def test_restored_child_pushes_to_its_parent():
  root = counting.Counter()
  child = counting.Counter(root, "actor", time_delta=100)
  child.restore({"counts": {"steps": 3}, "cache": {}})
  assert child.get_counts() == {"actor_steps": 3}
  assert root.get_counts() == {"actor_steps": 3}


@pytest.mark.parametrize("kwargs, match", [
    ({"time_delta": -1}, "time_delta"),
    ({"time_delta": float("inf")}, "time_delta"),
    ({"return_only_prefixed": True}, "prefix"),
])
def test_bad_arguments_are_rejected(kwargs, match):
  with pytest.raises(ValueError, match=match):
    counting.Counter(**kwargs)


def test_bad_parent_prefix_and_values_are_rejected():
  with pytest.raises(TypeError, match="parent"):
    counting.Counter({"steps": 1})
  with pytest.raises(TypeError, match="prefix"):
    counting.Counter(None, 3)
  with pytest.raises(TypeError, match="'steps'.*'many'"):
    counting.Counter().increment(steps="many")
  with pytest.raises(ValueError, match="'counts' and 'cache'"):
    counting.Counter().restore({"steps": 1})
  with pytest.raises(TypeError, match="'episodes'"):
    counting.Counter().restore({"counts": {"episodes": None}, "cache": {}})


class _LostOnce:
  """A parent whose first push is lost with the server (like a counter node
  killed during the call), and then answers; other errors stay errors."""

  def __init__(self, error: Exception):
    self.root = counting.Counter()
    self._error = error

  def increment(self, **counts):
    if self._error is not None:
      error, self._error = self._error, None
      raise error
    return self.root.increment(**counts)


def test_a_parent_lost_during_a_push_keeps_the_counts_for_the_next():
  parent = _LostOnce(ConnectionError("counter went away"))
  child = counting.Counter(parent, "learner", time_delta=0)
  # No error for the caller: its own counts, nothing lost.
  assert child.increment(steps=1) == {"learner_steps": 1}
  assert parent.root.get_counts() == {}
  assert child.increment(steps=2) == {"learner_steps": 3}
  assert parent.root.get_counts() == {"learner_steps": 3}
  # Anything else is a bug, raised; the counts still wait for the next push.
  parent = _LostOnce(ValueError("bad count"))
  child = counting.Counter(parent, "learner", time_delta=0)
  with pytest.raises(ValueError, match="bad count"):
    child.increment(steps=1)
  assert child.increment(steps=1) == {"learner_steps": 2}
