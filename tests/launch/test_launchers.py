"""The launch scripts run end to end as a user runs them."""

import json

import numpy as np
from PIL import Image
import pytest

import launcher_runs

ROOT = launcher_runs.ROOT


_run = launcher_runs.run


@pytest.mark.slow
def test_digits_launcher_trains_checkpoints_and_writes_samples(tmp_path):
  workdir = tmp_path / "run"
  result = _run("digits.py", "--task=reconstruct", "--network=small",
                "--canvas_width=16", "--grid_width=8", "--num_steps=1",
                "--batch_size=16", "--num_envs_per_actor=8",
                "--num_samples=3", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert (workdir / "checkpoints" / "step-1" / "ckpt.index").exists()
  samples = workdir / "samples"
  assert (samples / "grid.png").exists()
  assert sorted(p.name for p in samples.glob("*.svg")) == [
      "sample_000.svg", "sample_001.svg", "sample_002.svg"]
  record = json.loads((samples / "sample_000.json").read_text())
  assert record["environment"]["canvas_width"] == 16
  # The preset draws straight strokes: each control point is the midpoint.
  assert record["environment"]["use_control"] is False
  for stroke in record["strokes"]:
    if stroke["painted"]:
      midpoint = [(a + b) / 2 for a, b in zip(stroke["start"], stroke["end"])]
      assert stroke["control"] == pytest.approx(midpoint)

  # The exported policy paints again through launch/sample.py.
  painted = tmp_path / "painted"
  result = _run("sample.py", f"--policy={workdir / 'policy'}",
                "--dataset=digits", "--num_samples=5", "--batch_size=2",
                "--canvas_width=32", f"--output_dir={painted}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert len(list(painted.glob("sample_*.gif"))) == 5
  grid = np.asarray(Image.open(painted / "grid.png"))
  assert grid.shape[0] >= 32 and grid.shape[1] >= 2 * 32  # Pairs at 32 px.


def test_launcher_without_budget_is_a_usage_error(tmp_path):
  result = _run("digits.py", f"--workdir={tmp_path}")
  assert result.returncode != 0
  assert "expected a budget, one or both of them" in result.stderr
  assert len(result.stderr.strip().splitlines()) == 1


def test_launcher_with_missing_dataset_names_the_expected_files(tmp_path):
  result = _run("mnist.py", "--num_steps=1", "--network=small",
                f"--data_dir={tmp_path / 'nowhere'}",
                f"--workdir={tmp_path / 'run'}")
  assert result.returncode != 0
  assert "nowhere" in result.stderr and "idx" in result.stderr.lower()


def test_sample_paints_with_a_deepmind_hub_module(tmp_path, deepmind_fixture):
  result = _run("sample.py", f"--policy={deepmind_fixture / 'module'}",
                "--num_samples=3",
                "--canvas_width=96", f"--output_dir={tmp_path}")
  assert result.returncode == 0, result.stderr[-3000:]
  for i in range(3):
    record = json.loads((tmp_path / f"sample_{i:03d}.json").read_text())
    assert len(record["actions"]) == 19  # The hub agents' 19 steps.
    # DeepMind's agents were trained with their move defect: kept on.
    assert record["environment"]["legacy_move_bug"] is True
    assert set(record["actions"][0]) == {
        "control", "end", "flag", "pressure", "size", "red", "green", "blue"}
    svg = (tmp_path / f"sample_{i:03d}.svg").read_text()
    assert svg.count("<path") == sum(a["flag"] for a in record["actions"])
  grid = np.asarray(Image.open(tmp_path / "grid.png"))
  assert grid.shape[0] >= 96  # Re-rendered at 96x96.


def test_sample_reports_a_missing_policy(tmp_path):
  result = _run("sample.py", f"--policy={tmp_path / 'missing'}",
                f"--output_dir={tmp_path}")
  assert result.returncode != 0
  assert "missing" in result.stderr and "saved_model.pb" in result.stderr
