"""SPIRAL on the scikit-learn digits shipped with the package (no download).

    python launch/digits.py --task=reconstruct --network=small --max_minutes=30
"""

import common
from absl import flags

from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

flags.DEFINE_integer("canvas_width", 64, "Canvas (and target) width.")
flags.DEFINE_integer("grid_width", 32, "Stroke end/control grid width.")
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  width = FLAGS.canvas_width
  policy, discriminator = common.networks()
  return ExperimentConfig(
      environment=LibMyPaintConfig(canvas_width=width,
                                   grid_width=FLAGS.grid_width,
                                   use_color=False, use_pressure=False,
                                   brush_sizes=(max(1, width // 16),)),
      dataset=DatasetConfig("digits", canvas_width=width, channels=1),
      agent=common.agent_config(), policy_network=policy,
      discriminator=discriminator)


if __name__ == "__main__":
  common.run(make_experiment)
