"""Training with a quality curve: what every learning benchmark shares.

Runs a `SpiralAgent` for a wall-clock budget of training time (evaluation
time is not counted), scores its paintings every `eval_every` seconds with a
`QualityEvaluator`, and records the machine's load beside each point: on a
shared machine, minutes are only comparable at equal load.
"""

import dataclasses
import os
import time
from typing import Any, Callable, Dict, List, Mapping

import numpy as np

from spiral_acme.agents.spiral import evaluation
from spiral_acme.agents.spiral.agent import SpiralAgent
from spiral_acme.agents.spiral.experiment import ExperimentConfig


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
  return evaluation.QualityEvaluator(
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
                     evaluate: Callable[[], Mapping[str, float]]
                     ) -> List[Dict[str, Any]]:
  """Trains for `minutes` of training time; returns the evaluation curve."""
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

  record()
  next_eval = eval_every
  while trained < 60 * minutes:
    begin = time.time()
    agent.step()
    trained += time.time() - begin
    if trained >= next_eval or trained >= 60 * minutes:
      record()
      next_eval += eval_every
  return curve
