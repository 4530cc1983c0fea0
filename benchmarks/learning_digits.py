"""How fast SPIRAL learns on the embedded digits, on this machine.

Conditional: reconstruct held-out digits at 64x64 (negative-L2 reward with
per-step credit, narrow network); the L2 curve against environment frames
and training wall time, reported as ratios to the blank canvas's and a
uniformly random policy's L2. Target: at 30 minutes the agent's L2 is at
most half the blank canvas's.

Unconditional: generate digits against a WGAN-GP discriminator; sample
quality is the Frechet distance between the paintings and held-out digits in
the hidden features of a small MLP digit classifier (lower is better), next
to the same distance for blank canvases, a random policy's paintings, and
real training digits (the floor).

    python benchmarks/learning_digits.py            # 30 + 15 minutes
    python benchmarks/learning_digits.py --minutes=5 --unconditional_minutes=3
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
from spiral_acme import metrics  # noqa: E402
from spiral_acme import painting  # noqa: E402
from spiral_acme.agents.random_actor import UniformRandomActor  # noqa: E402
from spiral_acme.agents.spiral import presets  # noqa: E402
from spiral_acme.agents.spiral.agent import SpiralAgent  # noqa: E402


def _train(agent: SpiralAgent, minutes: float, eval_every: float, evaluate):
  """Trains for `minutes` of training time, evaluating every `eval_every` s.

  Evaluation time is not counted as training time.
  """
  num_envs = agent.builder.experiment.agent.num_envs_per_actor
  curve = []
  trained = 0.0
  start = time.time()

  def record():
    counts = agent.counts
    point = {"train_seconds": round(trained, 1),
             "wall_seconds": round(time.time() - start, 1),
             "learner_steps": int(counts.get("learner_steps", 0)),
             "frames": int(counts.get("actor_steps", 0)) * num_envs,
             **evaluate()}
    curve.append(point)
    print(point, flush=True)

  record()
  while trained < 60 * minutes:
    chunk = min(eval_every, 60 * minutes - trained)
    begin = time.time()
    agent.run(max_seconds=chunk)
    trained += time.time() - begin
    record()
  return curve


def conditional(minutes: float, eval_every: float, seed: int) -> dict:
  experiment = presets.digits64(seed=seed)
  agent = SpiralAgent(experiment, log_every_seconds=60.0)
  try:
    _, held_out = agent.builder.datasets
    baselines = agent.baselines(held_out.images)
    print("baselines", baselines, flush=True)

    def evaluate():
      l2 = agent.evaluate(held_out.images).l2
      return {"l2": l2, "l2_ratio_vs_blank": l2 / baselines["blank_l2"],
              "l2_ratio_vs_random": l2 / baselines["random_l2"]}

    curve = _train(agent, minutes, eval_every, evaluate)
    samples, targets = agent.sample(16)
    grid = images.pair_grid(targets, np.stack([s.canvas for s in samples]))
    images.save_png(common.RESULTS / "learning_digits_conditional.png", grid)
  finally:
    agent.close()
  final = curve[-1]
  return {
      "configuration": experiment,
      "num_held_out_targets": len(held_out),
      "baselines": baselines,
      "curve": curve,
      "train_minutes": minutes,
      f"l2_ratio_vs_blank_at_{minutes:g}min": final["l2_ratio_vs_blank"],
      f"l2_ratio_vs_random_at_{minutes:g}min": final["l2_ratio_vs_random"],
      "target": "l2_ratio_vs_blank <= 0.5 at 30 minutes",
      "target_met": minutes >= 30 and final["l2_ratio_vs_blank"] <= 0.5,
      "grid": "learning_digits_conditional.png",
  }


def unconditional(minutes: float, eval_every: float, seed: int,
                  num_samples: int = 256) -> dict:
  experiment = presets.digits64_generate(seed=seed)
  agent = SpiralAgent(experiment, log_every_seconds=60.0)
  try:
    train, held_out = agent.builder.datasets
    space = metrics.FeatureSpace(train.images, train.labels, seed=seed)
    real = space.embed(held_out.images)

    def quality(paintings: np.ndarray) -> dict:
      return {"frechet_distance": metrics.frechet_distance(
                  space.embed(paintings), real),
              "class_entropy": space.class_entropy(paintings)}

    env = agent.builder.make_environment()
    random_actor = UniformRandomActor(env.action_spec(),
                                      np.random.default_rng(seed))
    random_paintings = painting.final_canvases(
        painting.paint_many(random_actor, env, num_samples), num_samples)
    references = {
        "real_train_digits": quality(train.images[:num_samples]),
        "blank_canvas": {"frechet_distance": metrics.frechet_distance(
            space.embed(np.ones_like(held_out.images)) +
            np.random.default_rng(seed).normal(0, 1e-3, real.shape), real)},
        "random_policy": quality(random_paintings),
        "classifier_held_out_accuracy": space.accuracy(held_out.images,
                                                       held_out.labels),
    }
    print("references", references, flush=True)

    def evaluate():
      samples, _ = agent.sample(num_samples)
      return quality(np.stack([s.canvas for s in samples]))

    curve = _train(agent, minutes, eval_every, evaluate)
    samples, _ = agent.sample(16)
    images.save_png(common.RESULTS / "learning_digits_unconditional.png",
                    images.image_grid(np.stack([s.canvas for s in samples])))
  finally:
    agent.close()
  return {"configuration": experiment, "references": references,
          "curve": curve, "train_minutes": minutes,
          "metric": "Frechet distance to held-out digits in the hidden "
                    "features of an MLP digit classifier (lower is better)",
          "grid": "learning_digits_unconditional.png"}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--minutes", type=float, default=30.0,
                      help="Training time of the conditional run.")
  parser.add_argument("--unconditional_minutes", type=float, default=15.0,
                      help="Training time of the unconditional run (0: skip).")
  parser.add_argument("--eval_every_seconds", type=float, default=150.0)
  parser.add_argument("--seed", type=int, default=0)
  args = parser.parse_args()
  result = {"conditional": conditional(args.minutes, args.eval_every_seconds,
                                       args.seed)}
  if args.unconditional_minutes > 0:
    result["unconditional"] = unconditional(
        args.unconditional_minutes, args.eval_every_seconds, args.seed)
  summary = {
      "l2_ratio_vs_blank_at_30min": None, "l2_ratio_vs_random_at_30min": None}
  if args.minutes == 30:
    summary = {k: result["conditional"][k] for k in summary}
  path = common.write("learning_digits", {**summary, **result})
  print(f"{summary}\nwrote {path}")


if __name__ == "__main__":
  main()
