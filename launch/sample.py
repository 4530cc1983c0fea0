"""Paints with a saved policy: ours (a TF2 SavedModel) or DeepMind's (TF1 Hub).

    python launch/sample.py --policy=runs/digits/policy --num_samples=16 \
        --canvas_width=256 --output_dir=outputs/samples

Writes a PNG grid, a stroke-by-stroke GIF, the SVG and a JSON of the actions
of every sample into --output_dir. Conditional policies paint targets from
--dataset (with --data_dir for local copies). --canvas_width re-renders the
same stroke programs at another resolution. Policies trained on MuJoCo
scenes write each scene program as JSON and as a standalone MJCF scene
(`sample_i.xml`) instead of an SVG; their targets default to
--dataset=mujoco_scenes.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import spiral_acme  # noqa: E402  pylint: disable=unused-import
from absl import app  # noqa: E402
from absl import flags  # noqa: E402
import numpy as np  # noqa: E402
import tqdm  # noqa: E402

from spiral_acme import hub  # noqa: E402
from spiral_acme import outputs  # noqa: E402
from spiral_acme import painting  # noqa: E402
from spiral_acme.agents.spiral.acting import SpiralActor  # noqa: E402
from spiral_acme.datasets import DatasetConfig  # noqa: E402
from spiral_acme.datasets import load_dataset  # noqa: E402
from spiral_acme.environments.batched import BatchedEnvironment  # noqa: E402
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig  # noqa: E402,E501
from spiral_acme.environments import mujoco_scenes_config  # noqa: E402

flags.DEFINE_string("policy", None, "A SavedModel written by export_policy "
                    "or a DeepMind TF1 Hub module directory.", required=True)
flags.DEFINE_integer("num_samples", 16, "Paintings to make.")
flags.DEFINE_integer("seed", 0, "Seeds the noise samples and targets.")
flags.DEFINE_string("output_dir", "outputs/samples", "Where files go.")
flags.DEFINE_integer("canvas_width", None,
                     "Re-render the stroke programs at this width.")
flags.DEFINE_integer("batch_size", 16, "Environments painted in lock-step.")
flags.DEFINE_string("dataset", None, "Targets for a conditional policy: a "
                    "dataset name (digits, hershey, mnist, ...).")
flags.DEFINE_string("data_dir", None, "Local copy of --dataset.")
flags.DEFINE_bool("legacy_move_bug", None,
                  "Override the policy's saved setting of DeepMind's (y, y) "
                  "move defect (on for DeepMind's modules, whose agents "
                  "were trained with it).")
FLAGS = flags.FLAGS


def _environment_config(policy: hub.LoadedPolicy):
  if policy.env_config is None:
    raise app.UsageError(
        f"{policy.source} does not say which environment it paints in (it is "
        "not a hub-configuration DeepMind module nor one of our SavedModels).")
  values = dict(policy.env_config)
  if mujoco_scenes_config.is_scene_config_dict(values):
    return mujoco_scenes_config.MujocoScenesConfig.from_dict(values)
  if FLAGS.legacy_move_bug is not None:
    values["legacy_move_bug"] = FLAGS.legacy_move_bug
  return LibMyPaintConfig.from_dict(values)


def _dataset_config(config) -> DatasetConfig:
  if isinstance(config, mujoco_scenes_config.MujocoScenesConfig):
    # Held-out scenes: a seed the training run's (0..) did not use.
    return DatasetConfig(
        "mujoco_scenes", canvas_width=config.canvas_width, channels=3,
        limit=FLAGS.num_samples, max_objects=config.max_objects,
        grid_width=config.grid_width, seed=10_000 + FLAGS.seed)
  return DatasetConfig(
      FLAGS.dataset, path=FLAGS.data_dir, canvas_width=config.canvas_width,
      channels=config.num_channels)


def _targets(policy: hub.LoadedPolicy, config):
  if not policy.spec.conditional:
    return None
  is_scene = isinstance(config, mujoco_scenes_config.MujocoScenesConfig)
  if is_scene and FLAGS.dataset not in (None, "mujoco_scenes"):
    raise app.UsageError(f"This policy reconstructs MuJoCo scenes; "
                         f"--dataset={FLAGS.dataset!r} has no scenes.")
  if FLAGS.dataset is None and not is_scene:
    raise app.UsageError("This policy paints targets: give --dataset (and "
                         "--data_dir for local copies).")
  images = load_dataset(_dataset_config(config)).images
  rng = np.random.default_rng(FLAGS.seed)
  return images[rng.choice(len(images), FLAGS.num_samples)]


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if FLAGS.num_samples < 1 or FLAGS.batch_size < 1:
    raise app.UsageError("--num_samples and --batch_size must be >= 1.")
  policy = hub.load_policy(FLAGS.policy)
  config = _environment_config(policy)
  batch = min(FLAGS.batch_size, FLAGS.num_samples)
  environment = BatchedEnvironment([config.make() for _ in range(batch)])
  hub.check_compatible(policy, environment.action_spec(),
                       environment.observation_spec())
  targets = _targets(policy, config)
  actor = SpiralActor(
      policy, noise_dim=policy.spec.noise_dim,
      rng=np.random.default_rng(FLAGS.seed),
      target_sampler=(None if targets is None else
                      painting.SequentialTargets(targets)))
  results = [
      painting.paint(actor, environment, record_frames=True)
      for _ in tqdm.trange(-(-FLAGS.num_samples // batch), desc="painting",
                           unit="batch")]
  samples = outputs.unbatch(results, FLAGS.num_samples)
  written = outputs.write_samples(FLAGS.output_dir, samples, config,
                                  targets=targets,
                                  canvas_width=FLAGS.canvas_width)
  kind = "MJCF" if samples[0].scene is not None else "SVG"
  print(f"Wrote {written['grid']} and {len(samples)} {kind}/JSON/GIF files.")


if __name__ == "__main__":
  app.run(main)
