"""A training run as a user lives it: interrupt, crash, resume, refuse.

Each test runs `launch/digits.py` in a subprocess on a tiny configuration.
"""

import csv
import pathlib
import signal
import subprocess
import time

import pytest

import launcher_runs

TINY = ("--task=reconstruct", "--network=small", "--canvas_width=16",
        "--grid_width=8", "--batch_size=8", "--num_envs_per_actor=4",
        "--num_samples=2", "--progress_every_seconds=0.01")
TRAINING_LAUNCHERS = ("digits.py", "hershey.py", "mnist.py", "omniglot.py",
                      "celeba.py", "mujoco_scenes.py")


def _run(*args: str, script: str = "digits.py", timeout: float = 600
         ) -> subprocess.CompletedProcess:
  return launcher_runs.run(script, *args, timeout=timeout)


def _start(*args: str) -> subprocess.Popen:
  return subprocess.Popen(launcher_runs.command("digits.py", *args),
                          cwd=launcher_runs.ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          env=launcher_runs.env())


def _wait_for_line(process: subprocess.Popen, predicate, timeout=300) -> str:
  """Reads output lines until `predicate(line)`; returns everything read."""
  deadline = time.time() + timeout
  seen = []
  while time.time() < deadline:
    line = process.stdout.readline()
    if not line:
      break
    seen.append(line)
    if predicate(line):
      return "".join(seen)
  process.kill()
  raise AssertionError("Expected line never came:\n" + "".join(seen[-40:]))


def _learner_steps(workdir: pathlib.Path):
  with open(workdir / "csv" / "learner.csv", newline="") as f:
    return [int(row["learner_steps"]) for row in csv.DictReader(f)]


def _checkpoint_steps(workdir: pathlib.Path):
  folder = workdir / "checkpoints"
  return sorted(int(p.name.split("-")[1]) for p in folder.glob("step-*"))


@pytest.mark.slow
def test_sigint_saves_exports_and_exits_zero(tmp_path):
  workdir = tmp_path / "run"
  process = _start(*TINY, "--num_steps=100000", f"--workdir={workdir}")
  _wait_for_line(process, lambda line: line.startswith("step 2/"))
  process.send_signal(signal.SIGINT)
  rest, _ = process.communicate(timeout=300)
  assert process.returncode == 0, rest[-3000:]
  assert "Stopped by SIGINT" in rest
  step = _checkpoint_steps(workdir)[-1]
  assert step >= 2
  assert (workdir / "policy" / "saved_model.pb").exists()
  assert (workdir / "samples" / "grid.png").exists()
  assert not (workdir / "run.lock").exists()
  # Resuming says where it resumes from, first.
  result = _run(*TINY, f"--num_steps={step + 1}", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  first = result.stdout.splitlines()[0]
  assert first == (f"Resuming from {workdir}/checkpoints/step-{step}/ckpt "
                   f"at learner step {step}")
  assert _learner_steps(workdir) == list(range(1, step + 2))


@pytest.mark.slow
def test_kill_9_then_resume_continues_without_logging_a_step_twice(tmp_path):
  workdir = tmp_path / "run"
  process = _start(*TINY, "--num_steps=100000",
                   "--checkpoint_every_minutes=0.001", f"--workdir={workdir}")
  _wait_for_line(process, lambda line: line.startswith("step 4/"))
  process.kill()  # SIGKILL: no handler runs.
  process.wait(timeout=60)
  saved = _checkpoint_steps(workdir)
  assert saved and saved[-1] >= 1
  logged = _learner_steps(workdir)
  assert logged[-1] >= saved[-1]
  target = logged[-1] + 2
  result = _run(*TINY, f"--num_steps={target}", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  lines = result.stdout.splitlines()
  assert f"at learner step {saved[-1]}" in lines[0]
  assert "taking over stale lock" in lines[1]  # The killed run's lock.
  # Steps after the checkpoint were taken again and logged once.
  assert _learner_steps(workdir) == list(range(1, target + 1))
  # Met budget: said so, nothing trained, exit 0.
  result = _run(*TINY, f"--num_steps={target}", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert "Nothing left to do" in result.stdout
  assert _learner_steps(workdir) == list(range(1, target + 1))


@pytest.mark.slow
def test_damaged_newest_checkpoint_falls_back_to_the_previous(tmp_path):
  workdir = tmp_path / "run"
  # A checkpoint after every step: step-1 and step-2 from one run.
  result = _run(*TINY, "--num_steps=2", "--checkpoint_every_minutes=1e-9",
                f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  assert (workdir / "checkpoints" / "step-1" / "ckpt.index").exists()
  newest = workdir / "checkpoints" / "step-2" / "ckpt.index"
  newest.write_bytes(b"damaged")
  result = _run(*TINY, "--num_steps=3", f"--workdir={workdir}")
  assert result.returncode == 0, result.stderr[-3000:]
  lines = result.stdout.splitlines()
  assert lines[0].startswith("Resuming from") and "step-1" in lines[0]
  assert "step-2" in lines[1] and "damaged" in lines[1]
  assert _learner_steps(workdir) == [1, 2, 3]


@pytest.mark.slow
def test_locked_workdir_and_changed_configuration_are_refused(tmp_path):
  workdir = tmp_path / "run"
  process = _start(*TINY, "--num_steps=100000", f"--workdir={workdir}")
  try:
    _wait_for_line(process, lambda line: line.startswith("step"))
    result = _run(*TINY, "--num_steps=1", f"--workdir={workdir}")
    assert result.returncode != 0
    assert str(workdir / "run.lock") in result.stderr
    assert f"pid {process.pid}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
  finally:
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=300)
  assert process.returncode == 0
  changed = [arg for arg in TINY if not arg.startswith("--canvas_width")]
  result = _run(*changed, "--canvas_width=32", "--network=deepmind",
                "--num_steps=1", f"--workdir={workdir}")
  assert result.returncode != 0
  assert "environment.canvas_width: 16 -> 32" in result.stderr
  assert "policy_network." in result.stderr  # Network widths differ too.
  assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_non_finite_weights_stop_the_run_keeping_the_last_checkpoint(tmp_path):
  workdir = tmp_path / "run"
  # A finite but absurd learning rate blows the weights up on step 2 (one
  # update per step); a checkpoint follows every step, so step 1's is the
  # last good one.
  result = _run(*TINY, "--num_steps=3", "--learning_rate=1e30",
                "--updates_per_batch=1",
                "--checkpoint_every_minutes=1e-9", f"--workdir={workdir}")
  assert result.returncode == 1
  error = result.stderr.strip().splitlines()[-1]
  assert "learner step" in error and ("NaN" in error or "nan" in error)
  assert _checkpoint_steps(workdir) == [1]
  assert not (workdir / "policy").exists()
  assert not (workdir / "run.lock").exists()


BAD_FLAGS = [
    ("--num_steps=0", "num_steps=0"),
    ("--num_steps=-5", "num_steps=-5"),
    ("--max_minutes=-1", "max_minutes=-1"),
    ("--learning_rate=inf", "learning_rate=inf"),
    ("--entropy_cost=nan", "entropy_cost=nan"),
    ("--seed=-1", "seed=-1"),
    ("--batch_size=0", "batch_size=0"),
    ("--updates_per_batch=0", "updates_per_batch=0"),
    ("--num_samples=0", "num_samples=0"),
    ("--sample_canvas_width=7", "sample_canvas_width=7"),
    ("--checkpoint_every_minutes=0", "checkpoint_every_minutes=0"),
    ("--replay_timeout_seconds=-3", "replay_timeout_seconds=-3"),
]


@pytest.mark.parametrize("flag,named", BAD_FLAGS)
def test_bad_flag_is_one_line_and_creates_nothing(tmp_path, flag, named):
  workdir = tmp_path / "run"
  args = [a for a in ("--num_steps=1",) if not flag.startswith("--num_steps")]
  result = _run(*args, flag, f"--workdir={workdir}")
  assert result.returncode != 0
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1, result.stderr[-2000:]
  assert named in lines[0] and "--" not in lines[0].split(":", 2)[-1]
  assert "Traceback" not in result.stderr
  assert not workdir.exists()


@pytest.mark.parametrize("script", TRAINING_LAUNCHERS)
def test_every_training_launcher_refuses_a_bad_budget(tmp_path, script):
  workdir = tmp_path / "run"
  result = _run("--num_steps=0", f"--data_dir={tmp_path}",
                f"--workdir={workdir}", script=script)
  assert result.returncode != 0
  lines = result.stderr.strip().splitlines()
  assert len(lines) == 1 and "num_steps=0" in lines[0], result.stderr[-2000:]
  assert not workdir.exists()
