"""The agent learns: held-out reconstructions beat a blank canvas and chance.

Beating only the random policy would prove nothing (an agent that learns not
to paint does that), so the test asks for a clear margin over both, and that
at most a quarter of the paintings are blank.
"""

import pytest

from spiral_acme import metrics
from spiral_acme.agents.spiral import presets
from spiral_acme.agents.spiral.agent import SpiralAgent

NUM_STEPS = 250  # ~60 s on two quiet cores.
MARGIN = 0.8  # Agent L2 must be below 80% of each baseline's.
MAX_BLANK_FRACTION = 0.25


@pytest.mark.slow
def test_conditional_digits_l2_falls_below_blank_and_random():
  agent = SpiralAgent(presets.tiny_digits(seed=0), log_every_seconds=1e9)
  try:
    _, held_out = agent.builder.datasets
    baselines = agent.baselines(held_out.images)
    before = agent.evaluate(held_out.images).l2
    agent.run(num_steps=NUM_STEPS)
    result = agent.evaluate(held_out.images)
  finally:
    agent.close()
  after = result.l2
  blank = metrics.blank_fraction(result.canvases)
  summary = (f"L2 before {before:.4f}, after {after:.4f}, blank "
             f"{baselines['blank_l2']:.4f}, random {baselines['random_l2']:.4f}"
             f"; blank paintings {blank:.2f}")
  assert after < MARGIN * baselines["blank_l2"], summary
  assert after < MARGIN * baselines["random_l2"], summary
  assert after < MARGIN * before, summary
  assert blank <= MAX_BLANK_FRACTION, summary
