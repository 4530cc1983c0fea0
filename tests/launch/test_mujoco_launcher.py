"""launch/mujoco_scenes.py trains on scenes and writes MJCF scenes; sample.py too."""

import json
import subprocess
import sys

import numpy as np
import pytest

import launcher_runs

from spiral_acme.environments import mujoco_rendering
from spiral_acme.environments.scene_program import SceneProgram

ROOT = launcher_runs.ROOT


_run = launcher_runs.run


@pytest.mark.slow
def test_mujoco_launcher_writes_scene_programs_and_sample_repaints(tmp_path):
  workdir = tmp_path / "run"
  result = _run("mujoco_scenes.py", "--task=reconstruct", "--network=small",
                "--canvas_width=16", "--grid_width=4", "--max_objects=2",
                "--num_scenes=80", "--num_steps=1", "--batch_size=8",
                "--num_envs_per_actor=4", "--num_samples=3",
                f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  # --network picks widths; the preset's spatial heads stay.
  network = json.loads((workdir / "config.json").read_text())
  network = network.get("experiment", network)["policy_network"]
  assert network["location_skip"] and network["location_readout"], network
  samples = workdir / "samples"
  assert sorted(p.name for p in samples.glob("*.xml")) == [
      "sample_000.xml", "sample_001.xml", "sample_002.xml"]
  record = json.loads((samples / "sample_000.json").read_text())
  program = SceneProgram.from_dict(record)
  assert program.config.canvas_width == 16 and len(record["actions"]) == 2
  mujoco = mujoco_rendering.import_mujoco()
  model = mujoco.MjModel.from_xml_string(
      (samples / "sample_000.xml").read_text())
  assert model.ngeom == 1 + len(program)

  painted = tmp_path / "painted"
  result = _run("sample.py", f"--policy={workdir / 'policy'}",
                "--num_samples=3", "--batch_size=3", "--canvas_width=32",
                f"--output_dir={painted}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert len(list(painted.glob("sample_*.xml"))) == 3
  assert len(list(painted.glob("sample_*.gif"))) == 3
  program = SceneProgram.from_json((painted / "sample_000.json").read_text())
  assert program.render(32).shape == (32, 32, 3)
  assert np.isfinite(program.render()).all()


def test_mujoco_launcher_refuses_generation(tmp_path):
  result = _run("mujoco_scenes.py", "--task=generate", "--num_steps=1",
                f"--workdir={tmp_path}")
  assert result.returncode != 0
  assert "reconstruction only" in result.stderr


def _launcher_agent_config(*args: str) -> dict:
  """The agent config `launch/mujoco_scenes.py` would train with `args`."""
  code = ("import dataclasses, json, sys\n"
          "sys.path.insert(0, 'launch')\n"
          "import mujoco_scenes\n"
          "mujoco_scenes.FLAGS(sys.argv)\n"
          "experiment = mujoco_scenes.make_experiment()\n"
          "print(json.dumps(experiment.to_dict()['agent']))\n")
  result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr[-3000:]
  return json.loads(result.stdout.splitlines()[-1])


def test_gan_task_head_entropy_costs_fall_from_the_start():
  # The preset holds the head costs until its L2 starts; a GAN task has no
  # L2 phase, so what the preset derives must follow the task's reward.
  gan = _launcher_agent_config("--task=reconstruct_gan")
  assert gan["l2_start_step"] == 0 and gan["objectness_weight"] == 0.0
  assert gan["head_entropy_costs"], gan
  assert all(step == 0 for _, step in gan["head_entropy_until_steps"]), gan
  l2 = _launcher_agent_config("--task=reconstruct")
  start = l2["l2_start_step"]
  assert start > 0 and all(
      step == start for _, step in l2["head_entropy_until_steps"]), l2
