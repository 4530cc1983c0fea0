"""Writing paintings: grid, SVG, JSON and GIF per sample."""

import json

import numpy as np
import pytest
from PIL import Image

from spiral_acme import outputs
from spiral_acme import painting
from spiral_acme.agents.random_actor import UniformRandomActor
from spiral_acme.environments.batched import BatchedEnvironment
from spiral_acme.environments.libmypaint_config import LibMyPaintConfig

CONFIG = LibMyPaintConfig(canvas_width=16, grid_width=8, episode_length=5,
                          use_color=False, use_pressure=False,
                          brush_sizes=(1,))


@pytest.fixture(scope="module")
def samples():
  env = BatchedEnvironment([CONFIG.make() for _ in range(3)])
  actor = UniformRandomActor(env.action_spec(), np.random.default_rng(0))
  results = painting.paint_many(actor, env, 5, record_frames=True)
  return outputs.unbatch(results, 5)


def test_unbatch_keeps_each_episode(samples):
  assert len(samples) == 5
  for sample in samples:
    assert sample.canvas.shape == (16, 16, 1)
    assert sample.frames.shape == (5, 16, 16, 1)
    np.testing.assert_array_equal(sample.frames[-1], sample.canvas)
    assert len(sample.actions) == len(sample.strokes) == 4
    flags = [a["flag"] for a in sample.actions]
    assert [s.painted for s in sample.strokes] == [f == 1 for f in flags]


def test_write_samples_files(samples, tmp_path):
  targets = np.zeros((5, 16, 16, 1), np.float32)
  written = outputs.write_samples(tmp_path, samples, CONFIG, targets=targets,
                                  display_scale=2)
  grid = np.asarray(Image.open(written["grid"]))
  # Pairs (target, painting) of 32x32 enlarged cells with thin borders.
  assert grid.shape[0] > 64 and grid.shape[1] > 4 * 32
  for i, files in enumerate(written["samples"]):
    svg = open(files["svg"]).read()
    painted = sum(s.painted for s in samples[i].strokes)
    assert svg.count("<path") == painted
    record = json.loads(open(files["json"]).read())
    assert record["actions"] == samples[i].actions
    assert LibMyPaintConfig.from_dict(record["environment"]) == CONFIG
    assert len(record["strokes"]) == 4
    gif = Image.open(files["gif"])
    assert gif.size == (32, 32)
    # Pillow merges unchanged frames (moves) and adds up their durations.
    durations = []
    for frame in range(gif.n_frames):
      gif.seek(frame)
      durations.append(gif.info["duration"])
    assert sum(durations) == 5 * 250


def test_rerendered_grid_at_another_width(samples, tmp_path):
  written = outputs.write_samples(tmp_path, samples[:2], CONFIG,
                                  canvas_width=48, gifs=False)
  grid = np.asarray(Image.open(written["grid"]))
  assert grid.shape[0] >= 48 and grid.shape[1] >= 2 * 48
  assert "gif" not in written["samples"][0]


def test_write_samples_rejects_bad_input(samples, tmp_path):
  with pytest.raises(ValueError, match="at least one sample"):
    outputs.write_samples(tmp_path, [], CONFIG)
  with pytest.raises(ValueError, match="Got 2 targets for 5 samples"):
    outputs.write_samples(tmp_path, samples, CONFIG,
                          targets=np.zeros((2, 16, 16, 1)))
  with pytest.raises(ValueError, match="display_scale must be an int >= 1"):
    outputs.write_samples(tmp_path, samples, CONFIG, display_scale=0)


def test_an_earlier_set_is_refused_or_replaced_never_mixed(samples,
                                                            tmp_path):
  outputs.write_samples(tmp_path, samples, CONFIG)
  (tmp_path / "notes.txt").write_text("mine")
  assert len(outputs.sample_files(tmp_path)) == 1 + 3 * 5
  with pytest.raises(FileExistsError, match="16 files of an earlier"):
    outputs.write_samples(tmp_path, samples[:2], CONFIG)
  assert len(outputs.sample_files(tmp_path)) == 16  # Untouched.
  outputs.write_samples(tmp_path, samples[:2], CONFIG, gifs=False,
                        overwrite=True)
  assert [p.name for p in outputs.sample_files(tmp_path)] == [
      "grid.png", "sample_000.json", "sample_000.svg", "sample_001.json",
      "sample_001.svg"]
  assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_file_is_not_an_output_directory(samples, tmp_path):
  (tmp_path / "out").write_text("")
  with pytest.raises(NotADirectoryError, match="is a file"):
    outputs.write_samples(tmp_path / "out", samples, CONFIG)
  assert outputs.sample_files(tmp_path / "out") == []
