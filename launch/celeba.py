"""SPIRAL on CelebA-HQ faces at 64x64 in colour (the hub agents' task).

Reads a local folder of face images (--data_dir), or with --tfds_name a
prepared tfds dataset in --data_dir (nothing is downloaded).

    python launch/celeba.py --data_dir=/path/to/celeba_hq --num_steps=1000000
"""

import common
from absl import flags

from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import DatasetConfig
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

flags.DEFINE_string("tfds_name", None,
                    "Read a prepared tfds dataset (e.g. celeb_a_hq/64) "
                    "instead of an image folder.")
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.


def make_experiment() -> ExperimentConfig:
  policy, discriminator = common.networks()
  if FLAGS.tfds_name:
    dataset = DatasetConfig("tfds", path=FLAGS.data_dir,
                            tfds_name=FLAGS.tfds_name, canvas_width=64,
                            channels=3)
  else:
    dataset = DatasetConfig("image_folder", path=FLAGS.data_dir,
                            canvas_width=64, channels=3)
  return ExperimentConfig(
      environment=LibMyPaintConfig(),  # The hub agents' configuration.
      dataset=dataset, agent=common.agent_config(), policy_network=policy,
      discriminator=discriminator)


if __name__ == "__main__":
  common.run(make_experiment)
