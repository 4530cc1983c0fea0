"""Training with a quality curve: what every learning benchmark shares.

Runs a `SpiralAgent` for a wall-clock budget of training time (evaluation
time is not counted), scores its paintings every `eval_every` seconds with a
`QualityEvaluator`, and records the machine's load beside each point: on a
shared machine, minutes are only comparable at equal load.
"""

import dataclasses
import faulthandler
import os
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

import numpy as np

from spiral_acme import images
from spiral_acme import metrics
from spiral_acme import painting
from spiral_acme.agents import greedy_search
from spiral_acme.agents.random_actor import UniformRandomActor
from spiral_acme.agents.spiral import evaluation
from spiral_acme.agents.spiral import presets
from spiral_acme.agents.spiral.agent import SpiralAgent
from spiral_acme.agents.spiral.experiment import ExperimentConfig


_STEP_TIMEOUT_SECONDS = 300.0


def load_average() -> float:
  """The 1-minute load average (2.0 = both cores of this machine busy)."""
  return round(os.getloadavg()[0], 2)


def with_overrides(experiment: ExperimentConfig,
                   overrides: Mapping[str, Any]) -> ExperimentConfig:
  """`experiment` with `section.field=value` overrides applied.

  Sections: environment, agent, policy_network, discriminator, or top-level
  fields of ExperimentConfig (seed, num_held_out).
  """
  sections: Dict[str, Dict[str, Any]] = {}
  top: Dict[str, Any] = {}
  for key, value in overrides.items():
    if "." in key:
      section, field = key.split(".", 1)
      sections.setdefault(section, {})[field] = value
    else:
      top[key] = value
  for section, fields in sections.items():
    top[section] = dataclasses.replace(getattr(experiment, section), **fields)
  return dataclasses.replace(experiment, **top)


def evaluator_for(agent: SpiralAgent, *, num_targets: int = 64,
                  seed: int = 0) -> evaluation.QualityEvaluator:
  train, held_out = agent.builder.datasets
  return evaluation.QualityEvaluator.for_dataset(
      train, held_out, num_targets=min(num_targets, len(held_out)),
      seed=seed)


def quality(agent: SpiralAgent, evaluator: evaluation.QualityEvaluator,
            *, num_samples: int = 256) -> Dict[str, float]:
  """Scores the agent's current paintings (reconstructions or samples)."""
  if agent.builder.experiment.agent.conditional:
    result = agent.evaluate(evaluator.targets)
    return evaluator.reconstructions(result.canvases)
  samples, _ = agent.sample(num_samples)
  return evaluator.samples(np.stack([s.canvas for s in samples]))


def train_with_curve(agent: SpiralAgent, minutes: float, eval_every: float,
                     evaluate: Callable[[], Mapping[str, float]],
                     on_point: Optional[Callable[[List[Dict[str, Any]]],
                                                 None]] = None
                     ) -> List[Dict[str, Any]]:
  """Trains for `minutes` of training time; returns the evaluation curve.

  `on_point(curve)` is called after each evaluation (to save partial
  results of long runs).
  """
  num_envs = agent.builder.experiment.agent.num_envs_per_actor
  curve: List[Dict[str, Any]] = []
  trained = 0.0
  start = time.time()

  def record():
    counts = agent.counts
    metrics = agent.learner_metrics
    point = {"train_minutes": round(trained / 60, 2),
             "wall_minutes": round((time.time() - start) / 60, 2),
             "learner_steps": int(counts.get("learner_steps", 0)),
             "frames": int(counts.get("actor_steps", 0)) * num_envs,
             "load_average": load_average(),
             **{k: round(float(v), 5) for k, v in evaluate().items()}}
    for key in ("entropy", "gradient_norm", "episode_return"):
      if key in metrics:
        point[f"learner_{key}"] = round(metrics[key], 5)
    curve.append(point)
    print(point, flush=True)
    if on_point is not None:
      on_point(curve)

  record()
  next_eval = eval_every
  while trained < 60 * minutes:
    begin = time.time()
    # A learner step that never returns (a replay wait) ends the run with
    # every thread's stack printed; the curve so far is already saved.
    faulthandler.dump_traceback_later(_STEP_TIMEOUT_SECONDS, exit=True)
    agent.step()
    faulthandler.cancel_dump_traceback_later()
    trained += time.time() - begin
    if trained >= next_eval or trained >= 60 * minutes:
      record()
      next_eval += eval_every
  return curve


def _save_grid(path, agent: SpiralAgent) -> None:
  samples, targets = agent.sample(16)
  canvases = np.stack([s.canvas for s in samples])
  grid = (images.image_grid(canvases) if targets is None else
          images.pair_grid(targets, canvases))
  images.save_png(path, grid)


def conditional_run(preset: str, *, minutes: float, eval_every: float,
                    seed: int, grid_path, greedy_targets: int = 20,
                    greedy_candidates: int = 200) -> Dict[str, Any]:
  """Trains a reconstruction preset; its curve, references and final grid.

  References: the blank canvas, a uniformly random policy, and greedy search
  (best of `greedy_candidates` random actions per step, same environment and
  number of steps) on the first `greedy_targets` held-out targets.
  """
  experiment = presets.get(preset)(seed=seed)
  agent = SpiralAgent(experiment, log_every_seconds=60.0)
  try:
    evaluator = evaluator_for(agent, seed=seed)
    baselines = agent.baselines(evaluator.targets)
    start = time.time()
    greedy = greedy_search.greedy_search(
        experiment.environment, evaluator.targets[:greedy_targets],
        num_candidates=greedy_candidates, seed=seed)
    sub = evaluation.QualityEvaluator.for_dataset(
        *agent.builder.datasets, num_targets=greedy_targets, seed=seed)
    references = {
        "blank_canvas": evaluator.reconstructions(
            np.ones_like(evaluator.targets)),
        "random_policy_l2": baselines["random_l2"],
        "greedy_search": {
            **sub.reconstructions(greedy.canvases),
            "num_targets": greedy_targets,
            "num_candidates": greedy_candidates,
            "renders_per_target": greedy.num_renders // greedy_targets,
            "seconds": round(time.time() - start, 1)},
    }
    print("references", references, flush=True)
    curve = train_with_curve(agent, minutes, eval_every,
                             lambda: quality(agent, evaluator))
    _save_grid(grid_path, agent)
  finally:
    agent.close()
  final = curve[-1]
  tag = f"{minutes:g}min"
  return {
      "preset": preset, "configuration": experiment, "seed": seed,
      "train_minutes": minutes, "num_held_out_targets":
          len(evaluator.targets),
      "references": references, "curve": curve,
      f"l2_ratio_vs_blank_at_{tag}": final["l2_ratio_vs_blank"],
      f"l2_ratio_vs_random_at_{tag}":
          final["l2"] / baselines["random_l2"],
      f"classifier_accuracy_at_{tag}": final["classifier_accuracy"],
      # One evaluation of 64 targets moves by several points: its 95%
      # interval, and the mean of the last three evaluations beside it.
      f"classifier_accuracy_interval_at_{tag}": metrics.accuracy_interval(
          final["classifier_accuracy"], len(evaluator.targets)),
      f"classifier_accuracy_last3_mean_at_{tag}": float(np.mean(
          [point["classifier_accuracy"] for point in curve[-3:]])),
      f"blank_fraction_at_{tag}": final["blank_fraction"],
      "real_classifier_accuracy": evaluator.real_accuracy,
      "grid": os.path.basename(str(grid_path)),
  }


def unconditional_run(preset: str, *, minutes: float, eval_every: float,
                      seed: int, grid_path,
                      num_samples: int = 256) -> Dict[str, Any]:
  """Trains a generation preset; Frechet distance and class entropy curve.

  References: real training images (the floor), blank canvases and a
  uniformly random policy's paintings.
  """
  experiment = presets.get(preset)(seed=seed)
  agent = SpiralAgent(experiment, log_every_seconds=60.0)
  try:
    evaluator = evaluator_for(agent, seed=seed)
    train, _ = agent.builder.datasets
    env = agent.builder.make_environment()
    random_actor = UniformRandomActor(env.action_spec(),
                                      np.random.default_rng(seed))
    random_paintings = painting.final_canvases(
        painting.paint_many(random_actor, env, num_samples), num_samples)
    references = {
        "real_train_images": evaluator.samples(train.images[:num_samples]),
        "blank_canvas": evaluator.samples(
            np.ones((num_samples,) + train.images.shape[1:], np.float32)),
        "random_policy": evaluator.samples(random_paintings),
        "classifier_held_out_accuracy": evaluator.real_accuracy,
    }
    print("references", references, flush=True)
    curve = train_with_curve(
        agent, minutes, eval_every,
        lambda: quality(agent, evaluator, num_samples=num_samples))
    _save_grid(grid_path, agent)
  finally:
    agent.close()
  final = curve[-1]
  tag = f"{minutes:g}min"
  return {
      "preset": preset, "configuration": experiment, "seed": seed,
      "train_minutes": minutes, "references": references, "curve": curve,
      f"frechet_distance_at_{tag}": final["frechet_distance"],
      f"class_entropy_at_{tag}": final["class_entropy"],
      f"blank_fraction_at_{tag}": final["blank_fraction"],
      "worse_than_random_policy": final["frechet_distance"] >
                                  references["random_policy"][
                                      "frechet_distance"],
      "grid": os.path.basename(str(grid_path)),
  }


def run_benchmark(name: str, dataset: str, *, minutes: float,
                  unconditional_minutes: float, seeds: List[int],
                  eval_every: float) -> Dict[str, Any]:
  """The conditional run and the unconditional seeds of one dataset.

  Summary keys name the training time they were measured at
  (`..._at_30min` for the full benchmark); keys for 30 minutes are None
  when the runs were shorter, so a short run is never read as a full one.
  """
  result: Dict[str, Any] = {}
  if minutes > 0:
    preset = presets.for_task(dataset, "reconstruct")
    run = conditional_run(preset, minutes=minutes, eval_every=eval_every,
                          seed=0, grid_path=common_results() /
                          f"{name}_conditional.png")
    result["conditional"] = run
    tag = f"{minutes:g}min"
    result["preset"] = preset
    result["conditional_minutes"] = minutes
    for key in ("l2_ratio_vs_blank", "classifier_accuracy",
                "classifier_accuracy_interval",
                "classifier_accuracy_last3_mean", "blank_fraction"):
      result[f"{key}_at_{tag}"] = run[f"{key}_at_{tag}"]
      result.setdefault(f"{key}_at_30min", None)
  if unconditional_minutes > 0 and seeds:
    preset = presets.for_task(dataset, "generate")
    runs = [unconditional_run(preset, minutes=unconditional_minutes,
                              eval_every=eval_every, seed=seed,
                              grid_path=common_results() /
                              f"{name}_unconditional_seed{seed}.png")
            for seed in seeds]
    result["unconditional"] = runs
    result["unconditional_preset"] = preset
    result["unconditional_minutes"] = unconditional_minutes
    tag = f"{unconditional_minutes:g}min"
    for key in ("frechet_distance", "class_entropy"):
      values = [r[f"{key}_at_{tag}"] for r in runs]
      result[f"{key}_at_{tag}"] = float(np.median(values))
      result[f"{key}_at_{tag}_per_seed"] = dict(zip(map(str, seeds), values))
      result.setdefault(f"{key}_at_30min", None)
    result["seeds_worse_than_random_policy"] = [
        seed for seed, r in zip(seeds, runs) if r["worse_than_random_policy"]]
  return result


def common_results():
  """benchmarks/results/ (the folder every benchmark writes into)."""
  import common  # pylint: disable=g-import-not-at-top
  return common.RESULTS
