"""SPIRAL on Omniglot from its local zips or folders.

    python launch/omniglot.py --data_dir=/path/to/omniglot --num_steps=100000
"""

import common
from absl import flags

from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  policy, discriminator = common.networks()
  return ExperimentConfig(
      environment=LibMyPaintConfig(use_color=False),
      dataset=DatasetConfig("omniglot", path=FLAGS.data_dir,
                            split="background", canvas_width=64, channels=1),
      agent=common.agent_config(), policy_network=policy,
      discriminator=discriminator)


if __name__ == "__main__":
  common.run(make_experiment)
