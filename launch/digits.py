"""SPIRAL on the scikit-learn digits shipped with the package (no download).

    python launch/digits.py --task=reconstruct --max_minutes=30

Each --task starts from a named preset (`presets.for_task("digits", task)`:
digits64, digits64_generate, digits64_reconstruct_gan), the configuration
the learning benchmark measures; flags override parts of it.
"""

import dataclasses

import common
from absl import flags

from spiral_acme.agents.spiral.experiment import ExperimentConfig

flags.DEFINE_integer("canvas_width", None,
                     "Canvas (and target) width (default: the preset's).")
flags.DEFINE_integer("grid_width", None,
                     "Stroke end/control grid width (default: the preset's).")
FLAGS = flags.FLAGS


def make_experiment() -> ExperimentConfig:
  experiment = common.task_preset("digits")
  environment = experiment.environment
  if FLAGS.canvas_width is not None:
    environment = dataclasses.replace(environment,
                                      canvas_width=FLAGS.canvas_width)
  if FLAGS.grid_width is not None:
    environment = dataclasses.replace(environment, grid_width=FLAGS.grid_width)
  dataset = dataclasses.replace(experiment.dataset,
                                canvas_width=environment.canvas_width)
  return dataclasses.replace(experiment, environment=environment,
                             dataset=dataset)


if __name__ == "__main__":
  common.run(make_experiment)
