"""One short learning experiment: a preset with overrides, scored over time.

Each run writes `results/experiments/<name>.json` (configuration, curve of
L2, classifier accuracy, blank fraction or Frechet distance and class
entropy, machine load) and `<name>.png` (targets next to reconstructions,
or samples). `docs/learning.md` summarises what the experiments found.

    python benchmarks/learning_experiment.py --preset=digits64 --minutes=8 \\
        --name=pen --set environment.brush_type='"classic/pen"'
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402  (benchmarks/common.py)
import numpy as np  # noqa: E402
import spiral_acme  # noqa: E402  pylint: disable=unused-import
import training  # noqa: E402  (benchmarks/training.py)

from spiral_acme import images  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
from spiral_acme.agents.spiral.agent import SpiralAgent  # noqa: E402


def _parse_overrides(pairs):
  """`key=json` pairs; a value that is not JSON is taken as a string."""
  overrides = {}
  for pair in pairs:
    key, _, text = pair.partition("=")
    try:
      value = json.loads(text)
    except json.JSONDecodeError:
      value = text
    overrides[key] = tuple(value) if isinstance(value, list) else value
  return overrides


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--preset", required=True)
  parser.add_argument("--name", required=True)
  parser.add_argument("--minutes", type=float, default=8.0)
  parser.add_argument("--eval_every_seconds", type=float, default=120.0)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--set", nargs="*", default=[],
                      help="section.field=JSON overrides, e.g. "
                           "agent.entropy_cost=0.003")
  args = parser.parse_args()
  overrides = _parse_overrides(args.set)
  experiment = training.with_overrides(
      presets.get(args.preset)(seed=args.seed), overrides)
  agent = SpiralAgent(experiment, log_every_seconds=1e9)
  out = common.RESULTS / "experiments"
  out.mkdir(parents=True, exist_ok=True)
  evaluator = training.evaluator_for(agent, seed=args.seed)

  def save(curve, finished=False):
    record = {"name": args.name, "preset": args.preset,
              "overrides": {k: common.jsonable(v)
                            for k, v in overrides.items()},
              "train_minutes": args.minutes, "finished": finished,
              "real_classifier_accuracy": evaluator.real_accuracy,
              "final": curve[-1], "curve": curve,
              "configuration": experiment, "grid": f"{args.name}.png"}
    return common.write(f"experiments/{args.name}", record)

  try:
    curve = training.train_with_curve(
        agent, args.minutes, args.eval_every_seconds,
        lambda: training.quality(agent, evaluator), on_point=save)
    samples, targets = agent.sample(16)
    canvases = np.stack([s.canvas for s in samples])
    grid = (images.image_grid(canvases) if targets is None else
            images.pair_grid(targets, canvases))
    images.save_png(out / f"{args.name}.png", grid)
  finally:
    agent.close()
  print(f"wrote {save(curve, finished=True)}")


if __name__ == "__main__":
  main()
