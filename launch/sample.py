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

Every flag is checked before anything is loaded or written; a bad one is
reported in one line (`sample.py: error: num_samples=0: expected ...`, exit
2). An --output_dir that holds an earlier set is refused unless --overwrite,
so a folder never mixes two runs' paintings.
"""

import os
import sys
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import spiral_acme  # noqa: E402  pylint: disable=unused-import
from absl import app  # noqa: E402
from absl import flags  # noqa: E402
import numpy as np  # noqa: E402
import tqdm  # noqa: E402

import errors  # noqa: E402  pylint: disable=g-bad-import-order
from spiral_acme import hub  # noqa: E402
from spiral_acme import outputs  # noqa: E402
from spiral_acme import painting  # noqa: E402
from spiral_acme import validation  # noqa: E402
from spiral_acme.agents.spiral.acting import SpiralActor  # noqa: E402
from spiral_acme.datasets import check_dataset  # noqa: E402
from spiral_acme.datasets import DatasetConfig  # noqa: E402
from spiral_acme.datasets import load_dataset  # noqa: E402
from spiral_acme.environments.batched import BatchedEnvironment  # noqa: E402
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig  # noqa: E402,E501
from spiral_acme.environments.libmypaint_config import MIN_CANVAS_WIDTH  # noqa: E402,E501
from spiral_acme.environments import mujoco_scenes_config  # noqa: E402

# The datasets a conditional policy can take targets from here (EMNIST and
# tfds need more settings than these flags give).
_TARGET_DATASETS = ("digits", "hershey", "mnist", "kmnist", "omniglot",
                    "image_folder", "mujoco_scenes")
# The GIFs hold every stroke's frame at this width in memory.
_MAX_CANVAS_WIDTH = 2048

flags.DEFINE_string("policy", None,
                    "Directory of the policy to paint with: a SavedModel "
                    "written by a training launcher (WORKDIR/policy) or a "
                    "DeepMind TF1 Hub module directory. Required.")
flags.DEFINE_integer("num_samples", 16, "Paintings to make (>= 1).")
flags.DEFINE_integer("seed", 0, "Seeds the noise samples and targets (>= 0).")
flags.DEFINE_string("output_dir", "outputs/samples",
                    "Where grid.png and sample_NNN.{svg,json,gif} go "
                    "(created if missing). A directory already holding such "
                    "files (an earlier set) is refused unless --overwrite.")
flags.DEFINE_bool("overwrite", False,
                  "Replace an earlier set in --output_dir: its grid.png and "
                  "sample_* files are deleted once the new paintings are "
                  "made (other files are kept), so the folder never mixes "
                  "two sets.")
flags.DEFINE_integer("canvas_width", None,
                     "Re-render the stroke programs at this width, "
                     f"{MIN_CANVAS_WIDTH}..{_MAX_CANVAS_WIDTH} "
                     "pixels (default: the policy's canvas).")
flags.DEFINE_integer("batch_size", 16,
                     "Environments painted in lock-step (>= 1).")
flags.DEFINE_enum("dataset", None, _TARGET_DATASETS,
                  "Targets for a conditional policy.")
flags.DEFINE_string("data_dir", None,
                    "Local copy of --dataset: MNIST/KMNIST IDX files, "
                    "Omniglot zips or folders, or an image folder.")
flags.DEFINE_bool("legacy_move_bug", None,
                  "Override the policy's saved setting of DeepMind's (y, y) "
                  "move defect (on for DeepMind's modules, whose agents "
                  "were trained with it).")
FLAGS = flags.FLAGS


def _dataset_config(config=None) -> DatasetConfig:
  """--dataset for `config`'s canvas (a placeholder canvas for checks)."""
  if isinstance(config, mujoco_scenes_config.MujocoScenesConfig):
    # Held-out scenes: a seed the training run's (0..) did not use.
    return DatasetConfig(
        "mujoco_scenes", canvas_width=config.canvas_width, channels=3,
        limit=FLAGS.num_samples, max_objects=config.max_objects,
        grid_width=config.grid_width, seed=10_000 + FLAGS.seed)
  return DatasetConfig(
      FLAGS.dataset, path=FLAGS.data_dir,
      canvas_width=64 if config is None else config.canvas_width,
      channels=1 if config is None else config.num_channels)


def _check_policy_flag(path: Optional[str]) -> None:
  expected = hub.POLICY_EXPECTED
  if path is None:
    raise errors.FlagError("policy", path, f"expected {expected}")
  if not os.path.exists(path):
    raise errors.FlagError("policy", path,
                           f"does not exist; expected {expected}")
  if not os.path.isdir(path):
    raise errors.FlagError("policy", path, f"is a file, expected {expected}")
  if hub.policy_kind(path) is None:
    raise errors.FlagError("policy", path,
                           f"holds no policy; expected {expected}")


def _check_output_dir_flag(path: str) -> None:
  if os.path.exists(path) and not os.path.isdir(path):
    raise errors.FlagError("output_dir", path, "is a file; expected a "
                           "directory (created if missing)")
  earlier = outputs.sample_files(path)
  if earlier and not FLAGS.overwrite:
    raise errors.FlagError(
        "output_dir", path, f"holds an earlier sample set ({len(earlier)} "
        f"files: {earlier[0].name}, ...); expected a directory without one "
        "(--overwrite replaces it)")
  existing = os.path.abspath(path)
  while not os.path.exists(existing):
    existing = os.path.dirname(existing)
  if not os.access(existing, os.W_OK | os.X_OK):
    raise errors.FlagError("output_dir", path, f"cannot be written "
                           f"({existing!r} is read-only); expected a "
                           "writable directory")


def _check_flags() -> None:
  """Checks every flag before anything is loaded or created."""
  validation.positive_int("num_samples", FLAGS.num_samples)
  validation.positive_int("batch_size", FLAGS.batch_size)
  validation.non_negative_int("seed", FLAGS.seed)
  if FLAGS.canvas_width is not None:
    validation.canvas_width("canvas_width", FLAGS.canvas_width,
                            maximum=_MAX_CANVAS_WIDTH)
  _check_policy_flag(FLAGS.policy)
  _check_output_dir_flag(FLAGS.output_dir)
  if FLAGS.dataset not in (None, "mujoco_scenes"):  # Scenes are rendered.
    check_dataset(_dataset_config())
  elif FLAGS.data_dir is not None:
    raise errors.FlagError("data_dir", FLAGS.data_dir, "no dataset given; "
                           "expected --dataset to name what it holds")


def _load_policy() -> hub.LoadedPolicy:
  try:
    return hub.load_policy(FLAGS.policy)
  except (ValueError, OSError) as e:
    raise errors.FlagError("policy", FLAGS.policy,
                           f"cannot be loaded: {e}") from e


def _environment_config(policy: hub.LoadedPolicy):
  if policy.env_config is None:
    raise errors.FlagError(
        "policy", FLAGS.policy, "does not say which environment it paints "
        "in; expected one of our SavedModels or a DeepMind module with the "
        "hub agents' configuration")
  values = dict(policy.env_config)
  if mujoco_scenes_config.is_scene_config_dict(values):
    return mujoco_scenes_config.MujocoScenesConfig.from_dict(values)
  if FLAGS.legacy_move_bug is not None:
    values["legacy_move_bug"] = FLAGS.legacy_move_bug
  return LibMyPaintConfig.from_dict(values)


def _targets(policy: hub.LoadedPolicy, config):
  if not policy.spec.conditional:
    return None
  is_scene = isinstance(config, mujoco_scenes_config.MujocoScenesConfig)
  if is_scene and FLAGS.dataset not in (None, "mujoco_scenes"):
    raise errors.FlagError("dataset", FLAGS.dataset, "this policy "
                           "reconstructs MuJoCo scenes; expected mujoco_scenes "
                           "or no --dataset")
  if FLAGS.dataset is None and not is_scene:
    raise errors.FlagError(
        "dataset", None, "this policy paints targets; expected one of "
        f"{', '.join(_TARGET_DATASETS)} (and --data_dir for local copies)")
  images = load_dataset(_dataset_config(config)).images
  rng = np.random.default_rng(FLAGS.seed)
  return images[rng.choice(len(images), FLAGS.num_samples)]


def main(argv):
  with errors.checking_inputs(data_flag=("data_dir", FLAGS.data_dir)):
    if len(argv) > 1:
      raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    _check_flags()
    policy = _load_policy()
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
                                  canvas_width=FLAGS.canvas_width,
                                  overwrite=FLAGS.overwrite)
  kind = "MJCF" if samples[0].scene is not None else "SVG"
  print(f"Wrote {written['grid']} and {len(samples)} {kind}/JSON/GIF files.")


if __name__ == "__main__":
  errors.run(main)
