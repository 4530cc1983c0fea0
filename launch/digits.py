"""SPIRAL on the scikit-learn digits shipped with the package (no download).

    python launch/digits.py --task=reconstruct --network=small --max_minutes=30
"""

import common
from absl import flags

import errors  # pylint: disable=g-bad-import-order
from spiral_acme import validation
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

flags.DEFINE_integer("canvas_width", 64, "Canvas (and target) width (>= 16).")
flags.DEFINE_integer("grid_width", 32,
                     "Stroke end/control grid width (1..--canvas_width).")
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  width = validation.canvas_width("canvas_width", FLAGS.canvas_width)
  grid = validation.positive_int("grid_width", FLAGS.grid_width)
  if grid > width:
    raise errors.FlagError("grid_width", grid,
                           f"expected at most canvas_width ({width})")
  policy, discriminator = common.networks()
  return ExperimentConfig(
      environment=LibMyPaintConfig(canvas_width=width,
                                   grid_width=grid,
                                   use_color=False, use_pressure=False,
                                   brush_sizes=(max(1, width // 16),)),
      dataset=DatasetConfig("digits", canvas_width=width, channels=1),
      agent=common.agent_config(), policy_network=policy,
      discriminator=discriminator)


if __name__ == "__main__":
  common.run(make_experiment)
