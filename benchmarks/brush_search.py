"""Which brush, size and pressure can paint the targets at all? Greedy search.

Before asking a policy to learn, ask what the environment allows: greedy
search (best of K random actions per step, `agents/greedy_search.py`) paints
held-out targets with each candidate environment, and the paintings are
scored like the agent's (L2 over the blank canvas's, classifier accuracy).
A uniformly random policy's L2 is reported too: when random strokes already
beat the blank canvas, exploring is safe and the agent does not learn to
stop painting.

    python benchmarks/brush_search.py --dataset=digits --candidates=50
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402  (benchmarks/common.py)
import numpy as np  # noqa: E402
import spiral_acme  # noqa: E402  pylint: disable=unused-import

from spiral_acme import images  # noqa: E402
from spiral_acme import painting  # noqa: E402
from spiral_acme.agents import greedy_search  # noqa: E402
from spiral_acme.agents.random_actor import UniformRandomActor  # noqa: E402
from spiral_acme.agents.spiral import evaluation  # noqa: E402
from spiral_acme.datasets import DatasetConfig  # noqa: E402
from spiral_acme.datasets import load_dataset  # noqa: E402
from spiral_acme.environments.batched import BatchedEnvironment  # noqa: E402
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig  # noqa: E402

# name -> (brush, sizes, pressure); all 64x64, grid 16, 10 actions, black.
CANDIDATES = {
    "digits": {
        "dry_brush4_pressure": ("classic/dry_brush", (4,), True),
        "pen2": ("classic/pen", (2,), False),
        "pen3": ("classic/pen", (3,), False),
        "marker_small5": ("classic/marker_small", (5,), False),
        "ballpen4_pressure": ("deevad/ballpen", (4,), True),
        "ballpen5_pressure": ("deevad/ballpen", (5,), True),
        "ballpen6_pressure": ("deevad/ballpen", (6,), True),
        "ballpen5": ("deevad/ballpen", (5,), False),
    },
    "hershey": {
        "dry_brush2_pressure": ("classic/dry_brush", (2,), True),
        "pen1": ("classic/pen", (1,), False),
        "pen1.5": ("classic/pen", (1.5,), False),
        "ballpen2_pressure": ("deevad/ballpen", (2,), True),
        "ballpen3_pressure": ("deevad/ballpen", (3,), True),
    },
}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--dataset", default="digits",
                      choices=sorted(CANDIDATES))
  parser.add_argument("--candidates", type=int, default=50)
  parser.add_argument("--num_targets", type=int, default=10)
  parser.add_argument("--episode_length", type=int, default=11)
  parser.add_argument("--grid_width", type=int, default=16)
  args = parser.parse_args()
  data = load_dataset(DatasetConfig(args.dataset, canvas_width=64,
                                    channels=1))
  held_out_count = 256 if args.dataset == "hershey" else 64
  train, held_out = data.split(held_out_count, seed=0)
  evaluator = evaluation.QualityEvaluator.for_dataset(
      train, held_out, num_targets=args.num_targets)
  results, grids = {}, [evaluator.targets]
  for name, (brush, sizes, pressure) in CANDIDATES[args.dataset].items():
    config = LibMyPaintConfig(
        canvas_width=64, grid_width=args.grid_width,
        episode_length=args.episode_length, brush_type=brush,
        brush_sizes=sizes, use_color=False, use_pressure=pressure)
    start = time.time()
    greedy = greedy_search.greedy_search(
        config, evaluator.targets, num_candidates=args.candidates)
    env = BatchedEnvironment([config.make() for _ in range(8)])
    actor = UniformRandomActor(env.action_spec(), np.random.default_rng(0))
    random_canvases = painting.final_canvases(
        painting.paint_many(actor, env, args.num_targets), args.num_targets)
    results[name] = {
        "environment": config,
        "greedy": evaluator.reconstructions(greedy.canvases),
        "random_policy": evaluator.reconstructions(random_canvases),
        "seconds": round(time.time() - start, 1)}
    print(name, results[name]["greedy"], "random l2/blank",
          results[name]["random_policy"]["l2_ratio_vs_blank"], flush=True)
    grids.append(greedy.canvases)
  grid = images.image_grid(np.concatenate(grids), ncols=args.num_targets)
  images.save_png(common.RESULTS / f"brush_search_{args.dataset}.png", grid)
  path = common.write(f"brush_search_{args.dataset}", {
      "candidates_per_step": args.candidates,
      "num_targets": args.num_targets, "results": results,
      "grid": f"brush_search_{args.dataset}.png (rows: targets, then each "
              "candidate in order)"})
  print(f"wrote {path}")


if __name__ == "__main__":
  main()
