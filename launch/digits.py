"""SPIRAL on the scikit-learn digits shipped with the package (no download).

    python launch/digits.py --task=reconstruct --max_minutes=30

Each --task starts from a named preset (`presets.for_task("digits", task)`:
digits64, digits64_generate, digits64_reconstruct_gan), the configuration
the learning benchmark measures; flags override parts of it.
"""

import dataclasses

import common
from absl import flags

import errors  # pylint: disable=g-bad-import-order
from spiral_acme import validation
from spiral_acme.agents.spiral.experiment import ExperimentConfig

flags.DEFINE_integer("canvas_width", None,
                     "Canvas (and target) width (default: the preset's).")
flags.DEFINE_integer("grid_width", None,
                     "Stroke end/control grid width (default: the preset's).")
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  experiment = common.task_preset("digits")
  environment = experiment.environment
  width = environment.canvas_width
  if FLAGS.canvas_width is not None:
    width = validation.canvas_width("canvas_width", FLAGS.canvas_width)
  grid = environment.grid_width
  if FLAGS.grid_width is not None:
    grid = validation.positive_int("grid_width", FLAGS.grid_width)
  if grid > width:
    raise errors.FlagError("grid_width", grid,
                           f"expected at most canvas_width ({width})")
  environment = dataclasses.replace(environment, canvas_width=width,
                                    grid_width=grid)
  dataset = dataclasses.replace(experiment.dataset, canvas_width=width)
  return dataclasses.replace(experiment, environment=environment,
                             dataset=dataset)


if __name__ == "__main__":
  common.run(make_experiment)
