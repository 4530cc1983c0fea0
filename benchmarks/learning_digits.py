"""How well SPIRAL paints the embedded digits in 30 minutes on this machine.

Measures the presets the launchers use (`presets.for_task("digits", ...)`):

* conditional (`--task=reconstruct`): held-out digits reconstructed; L2 as a
  ratio to the blank canvas's, the accuracy of a digit classifier (trained
  on the training digits) on the reconstructions next to its accuracy on
  the real targets, and the fraction of blank paintings; references: a
  uniformly random policy and greedy search (best of 200 random actions per
  step, same environment and steps).
* unconditional (`--task=generate`), several seeds: Frechet distance of
  samples to held-out digits in the classifier's hidden features and the
  entropy of its mean prediction (log 10 = 2.30 for evenly spread digits);
  references: real digits, blank canvases, a random policy. Medians over
  seeds are reported next to each seed's values.

Training time excludes evaluation time. Every point records the machine's
1-minute load average: on a shared machine, minutes mean less at high load.

    python benchmarks/learning_digits.py                # 30 min x (1 + 3)
    python benchmarks/learning_digits.py --minutes=10 --seeds=0
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402  (benchmarks/common.py)
import spiral_acme  # noqa: E402  pylint: disable=unused-import
import training  # noqa: E402  (benchmarks/training.py)

from spiral_acme.agents.spiral import presets  # noqa: E402


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--dataset", default="digits",
                      help="Launcher dataset whose presets are measured.")
  parser.add_argument("--minutes", type=float, default=30.0,
                      help="Training time of the conditional run (0: skip).")
  parser.add_argument("--unconditional_minutes", type=float, default=30.0,
                      help="Training time of each unconditional run (0: "
                           "skip).")
  parser.add_argument("--seeds", default="0,1,2",
                      help="Seeds of the unconditional runs.")
  parser.add_argument("--eval_every_seconds", type=float, default=150.0)
  args = parser.parse_args()
  name = "learning_digits" if args.dataset == "digits" else (
      "learning_glyphs")
  result = training.run_benchmark(
      name, args.dataset, minutes=args.minutes,
      unconditional_minutes=args.unconditional_minutes,
      seeds=[int(s) for s in args.seeds.split(",") if s],
      eval_every=args.eval_every_seconds)
  print(f"wrote {common.write(name, result)}")


if __name__ == "__main__":
  main()
