"""Learner-node helpers that need no running program."""

from spiral_acme import counting
from spiral_acme.agents.spiral import learner_nodes


def test_resumed_learner_resets_its_step_total_on_the_counter():
  counter = counting.Counter()
  counter.increment(learner_0_steps=65, actor_0_steps=7)
  warnings = []
  # Resumed from a checkpoint at step 60: five steps will be taken again.
  learner_nodes.sync_step_count(counter, "learner_0_steps", 60,
                                warn=warnings.append)
  assert counter.get_counts()["learner_0_steps"] == 60
  assert counter.get_counts()["actor_0_steps"] == 7
  # A counter restored from an older checkpoint of its own is behind.
  learner_nodes.sync_step_count(counter, "learner_0_steps", 80,
                                warn=warnings.append)
  assert counter.get_counts()["learner_0_steps"] == 80
  assert not warnings


def test_a_counter_that_fails_only_warns():

  class Broken:

    def get_counts(self):
      raise ConnectionError("counter is restarting")

  warnings = []
  learner_nodes.sync_step_count(Broken(), "learner_0_steps", 3,
                                warn=warnings.append)
  assert warnings and "learner_0_steps" in warnings[0]
