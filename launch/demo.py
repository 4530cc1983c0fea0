"""`make demo`: a short SPIRAL run on the embedded digits, then its paintings.

Trains the `tiny_digits` preset (16x16 digit reconstruction, about 2 minutes on
two CPU cores), reports the held-out L2 next to a blank canvas and a random
policy, and writes into --output_dir: `grid.png` (each target next to the
agent's painting, enlarged 8x), one SVG,
one stroke-by-stroke GIF and one JSON of actions per painting.
(`launch/sample.py --canvas_width=...` re-renders stroke programs at any
resolution.)
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import spiral_acme  # noqa: E402  pylint: disable=unused-import
from absl import app  # noqa: E402
from absl import flags  # noqa: E402

import errors  # noqa: E402  pylint: disable=g-bad-import-order
from spiral_acme import metrics  # noqa: E402
from spiral_acme import outputs  # noqa: E402
from spiral_acme import validation  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
from spiral_acme.agents.spiral.agent import SpiralAgent  # noqa: E402

flags.DEFINE_string("output_dir", "outputs/demo",
                    "Where paintings go (created if missing); the set an "
                    "earlier demo wrote there (grid.png, sample_*) is "
                    "replaced, other files are kept.")
flags.DEFINE_integer("num_steps", 650, "Policy-learner steps (>= 1).")
flags.DEFINE_integer("num_samples", 16, "Held-out digits to paint (>= 1).")
flags.DEFINE_integer("display_scale", 8,
                     "Enlarge the 16x16 paintings by this factor in the PNG "
                     "grid and GIFs (>= 1).")
flags.DEFINE_integer("seed", 0, "Seed of the run (>= 0).")
FLAGS = flags.FLAGS
# Held-out digits the classifier reads, as in the learning benchmark.
_QUALITY_TARGETS = 64


def main(argv):
  with errors.checking_inputs():
    if len(argv) > 1:
      raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    validation.positive_int("num_steps", FLAGS.num_steps)
    validation.positive_int("num_samples", FLAGS.num_samples)
    validation.positive_int("display_scale", FLAGS.display_scale)
    validation.non_negative_int("seed", FLAGS.seed)
    if os.path.exists(FLAGS.output_dir) and not os.path.isdir(
        FLAGS.output_dir):
      raise errors.FlagError("output_dir", FLAGS.output_dir,
                             "is a file; expected a directory")
  experiment = presets.tiny_digits(seed=FLAGS.seed)
  agent = SpiralAgent(experiment, log_every_seconds=15.0)
  try:
    _, held_out = agent.builder.datasets
    baselines = agent.baselines(held_out.images)
    start = time.time()
    agent.run(num_steps=FLAGS.num_steps)
    result = agent.evaluate(held_out.images)
    num_targets = min(_QUALITY_TARGETS, len(held_out.images))
    quality = agent.quality(num_targets=num_targets)
    low, high = metrics.accuracy_interval(quality["classifier_accuracy"],
                                          num_targets)
    print(f"Trained {FLAGS.num_steps} steps in {time.time() - start:.0f} s. "
          f"Held-out L2: agent {result.l2:.4f}, blank canvas "
          f"{baselines['blank_l2']:.4f}, random policy "
          f"{baselines['random_l2']:.4f} (agent/blank = "
          f"{result.l2 / baselines['blank_l2']:.2f}). A digit classifier "
          f"recognises {quality['classifier_accuracy']:.0%} of the "
          f"{num_targets} paintings (95% interval {low:.0%}-{high:.0%}; "
          f"{quality['real_classifier_accuracy']:.0%} of the real digits); "
          f"{quality['blank_fraction']:.0%} are blank.")
    samples, targets = agent.sample(FLAGS.num_samples)
    written = outputs.write_samples(
        FLAGS.output_dir, samples, experiment.environment, targets=targets,
        display_scale=FLAGS.display_scale, overwrite=True)
    print(f"Wrote {written['grid']} and {len(samples)} SVGs, GIFs and "
          f"action JSONs in {FLAGS.output_dir}.")
  finally:
    agent.close()


if __name__ == "__main__":
  errors.run(main)
