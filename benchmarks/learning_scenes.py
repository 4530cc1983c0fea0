"""How well SPIRAL reconstructs random MuJoCo scenes, on this machine.

For 1-object and 1-3-object scenes (`presets.mujoco_scenes`, 32x32, 8x8
grid, one action per target object), trains for `--minutes` each and
reports, on held-out targets, the L2 as ratios to the blank floor's and a
uniformly random policy's, and program recovery: precision and recall of
target objects matched by a placed object of the same shape, within one
cell, with every colour bin within one; plus location recall (any object
within one cell) and shape recall (the nearest such object has the right
shape). Targets on 1-object scenes: location within one cell for >= 70%
of targets, the right shape for >= 40% (chance: 25%).

The machine is shared: the duration and the load (`uptime`) are recorded.

    python benchmarks/learning_scenes.py                 # 30 min per setting
    python benchmarks/learning_scenes.py --minutes=10
"""

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # noqa: E402  (benchmarks/common.py)
import numpy as np  # noqa: E402
import spiral_acme  # noqa: E402  pylint: disable=unused-import

from spiral_acme import images  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
from spiral_acme.agents.spiral.agent import SpiralAgent  # noqa: E402
from spiral_acme.agents.spiral.program_recovery import program_recovery  # noqa: E402,E501
from spiral_acme.datasets.mujoco_scenes import programs_of  # noqa: E402

LOCATION_TARGET = 0.7
SHAPE_TARGET = 0.4


def _uptime() -> str:
  try:
    return subprocess.run(["uptime"], capture_output=True, text=True,
                          check=True).stdout.strip()
  except (OSError, subprocess.CalledProcessError):
    return f"load average {os.getloadavg()}"


def run_setting(max_objects: int, minutes: float, eval_every: float,
                seed: int) -> dict:
  experiment = presets.mujoco_scenes(seed=seed, max_objects=max_objects)
  agent = SpiralAgent(experiment, log_every_seconds=60.0)
  uptimes = [_uptime()]
  try:
    _, held_out = agent.builder.datasets
    truth = programs_of(held_out)
    baselines = agent.baselines(held_out.images)
    print("baselines", baselines, flush=True)

    def evaluate(trained: float) -> dict:
      l2 = agent.evaluate(held_out.images).l2
      samples, _ = agent.sample(len(held_out), targets=held_out.images)
      recovery = program_recovery([s.scene for s in samples], truth)
      point = {"train_seconds": round(trained, 1),
               "learner_steps": int(agent.counts.get("learner_steps", 0)),
               "l2": l2, "l2_ratio_vs_blank": l2 / baselines["blank_l2"],
               "l2_ratio_vs_random": l2 / baselines["random_l2"],
               **recovery.to_dict()}
      print(point, flush=True)
      return point

    curve = [evaluate(0.0)]
    trained = 0.0
    while trained < 60 * minutes:
      begin = time.time()
      agent.run(max_seconds=min(eval_every, 60 * minutes - trained))
      trained += time.time() - begin
      curve.append(evaluate(trained))
      uptimes.append(_uptime())
    samples, targets = agent.sample(8, targets=held_out.images[:8])
    grid = images.pair_grid(targets, np.stack([s.canvas for s in samples]))
    name = f"learning_scenes_{max_objects}.png"
    images.save_png(common.RESULTS / name, np.repeat(np.repeat(
        grid, 4, 0), 4, 1))
  finally:
    agent.close()
  final = curve[-1]
  result = {"configuration": experiment, "train_minutes": minutes,
            "num_held_out_targets": len(held_out), "baselines": baselines,
            "uptime_during_run": uptimes, "curve": curve, "final": final,
            "grid": name}
  if max_objects == 1:
    result["targets"] = {
        "location_within_one_cell": {
            "target": LOCATION_TARGET, "measured": final["location_recall"],
            "met": final["location_recall"] >= LOCATION_TARGET},
        "right_shape": {"target": SHAPE_TARGET,
                        "measured": final["shape_recall"],
                        "met": final["shape_recall"] >= SHAPE_TARGET}}
  return result


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--minutes", type=float, default=30.0,
                      help="Training time per setting.")
  parser.add_argument("--eval_every_seconds", type=float, default=120.0)
  parser.add_argument("--settings", default="1,3",
                      help="Comma-separated max objects per scene.")
  parser.add_argument("--seed", type=int, default=0)
  args = parser.parse_args()
  result = {"minutes_per_setting": args.minutes,
            "uptime_at_start": _uptime(),
            "note": ("30 minutes per setting is the full benchmark; shorter "
                     "runs are marked by minutes_per_setting.")}
  for count in (int(c) for c in args.settings.split(",")):
    key = "one_object" if count == 1 else f"one_to_{count}_objects"
    result[key] = run_setting(count, args.minutes, args.eval_every_seconds,
                              args.seed)
  path = common.write("learning_scenes", result)
  print(f"wrote {path}")


if __name__ == "__main__":
  main()
