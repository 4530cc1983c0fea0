"""The launch scripts run end to end as a user runs them."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
  return subprocess.run(
      [sys.executable, str(ROOT / "launch" / script), *args], cwd=ROOT,
      capture_output=True, text=True, timeout=600,
      env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.slow
def test_digits_launcher_trains_checkpoints_and_writes_samples(tmp_path):
  workdir = tmp_path / "run"
  result = _run("digits.py", "--task=reconstruct", "--network=small",
                "--canvas_width=16", "--grid_width=8", "--num_steps=1",
                "--batch_size=16", "--num_envs_per_actor=8",
                "--num_samples=3", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert (workdir / "checkpoints" / "checkpoint").exists()
  samples = workdir / "samples"
  assert (samples / "grid.png").exists()
  assert sorted(p.name for p in samples.glob("*.svg")) == [
      "sample_000.svg", "sample_001.svg", "sample_002.svg"]
  record = json.loads((samples / "sample_000.json").read_text())
  assert record["environment"]["canvas_width"] == 16


def test_launcher_without_budget_is_a_usage_error(tmp_path):
  result = _run("digits.py", f"--workdir={tmp_path}")
  assert result.returncode != 0
  assert "Give --num_steps, --max_minutes or both" in result.stderr


def test_launcher_with_missing_dataset_names_the_expected_files(tmp_path):
  result = _run("mnist.py", "--num_steps=1", "--network=small",
                f"--data_dir={tmp_path / 'nowhere'}",
                f"--workdir={tmp_path / 'run'}")
  assert result.returncode != 0
  assert "nowhere" in result.stderr and "idx" in result.stderr.lower()
