"""Launchers check every input first and report a bad one in one line.

Each bad flag must give `<script>: error: <flag>=<value>: ...` on one line of
stderr (the flag without dashes), exit 2, show no traceback and create
nothing. `--help` must list every flag a launcher honours.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

from absl import flags
import pytest

from spiral_acme import datasets

ROOT = pathlib.Path(__file__).resolve().parents[2]
LAUNCH = ROOT / "launch"


def _run(script: str, *args: str, debug: bool = False
         ) -> subprocess.CompletedProcess:
  env = {**os.environ, "PYTHONUNBUFFERED": "1"}
  env.pop("SPIRAL_ACME_DEBUG", None)
  if debug:
    env["SPIRAL_ACME_DEBUG"] = "1"
  return subprocess.run([sys.executable, str(LAUNCH / script), *args],
                        cwd=ROOT, capture_output=True, text=True, timeout=600,
                        env=env)


def _error_line(result: subprocess.CompletedProcess, script: str) -> str:
  """The one error line; fails unless the run ended as a reported error."""
  lines = [l for l in result.stderr.splitlines() if l.strip()]
  errors = [l for l in lines if l.startswith(f"{script}: error: ")]
  assert result.returncode == 2, result.stderr[-3000:]
  assert "Traceback" not in result.stderr, result.stderr[-3000:]
  assert len(errors) == 1 and errors[0] == lines[-1], result.stderr[-3000:]
  return errors[0][len(f"{script}: error: "):]


@pytest.fixture(name="paths")
def _paths(tmp_path):
  """A file, an empty folder, a folder that looks like a hub module."""
  (tmp_path / "file").write_text("")
  (tmp_path / "empty").mkdir()
  (tmp_path / "module").mkdir()
  (tmp_path / "module" / "tfhub_module.pb").write_bytes(b"")
  earlier = tmp_path / "earlier"
  earlier.mkdir()
  (earlier / "grid.png").write_bytes(b"")
  (earlier / "sample_000.svg").write_text("")
  return tmp_path


# (arguments, the start of the error line, words it must hold). {t} is the
# test's folder; a hub-module-looking --policy lets later checks be reached.
SAMPLE_CASES = [
    (["--policy={t}/module", "--num_samples=0"], "num_samples=0: expected",
     [">= 1"]),
    (["--policy={t}/module", "--num_samples=-4"], "num_samples=-4: expected",
     [">= 1"]),
    (["--policy={t}/module", "--num_samples=many"], "num_samples=many:",
     ["int"]),
    (["--policy={t}/module", "--batch_size=0"], "batch_size=0: expected",
     [">= 1"]),
    (["--policy={t}/module", "--seed=-1"], "seed=-1: expected", [">= 0"]),
    (["--policy={t}/module", "--canvas_width=7"], "canvas_width=7: expected",
     [">= 16"]),
    (["--policy={t}/module", "--canvas_width=100000"],
     "canvas_width=100000: expected", ["<= 2048"]),
    ([], "policy=None: expected", ["saved_model.pb", "tfhub_module.pb"]),
    (["--policy={t}/file"], "policy='{t}/file': is a file, expected a "
     "directory holding", ["saved_model.pb"]),
    (["--policy={t}/missing"], "policy='{t}/missing': does not exist",
     ["saved_model.pb"]),
    (["--policy={t}/empty"], "policy='{t}/empty': holds no policy",
     ["tfhub_module.pb"]),
    (["--policy={t}/module", "--output_dir={t}/file"],
     "output_dir='{t}/file': is a file", []),
    (["--policy={t}/module", "--output_dir={t}/earlier"],
     "output_dir='{t}/earlier': holds an earlier sample set", ["overwrite"]),
    (["--policy={t}/module", "--dataset=celeba"], "dataset=celeba:",
     ["digits"]),
    (["--policy={t}/module", "--dataset=mnist"], "data_dir=None: no path",
     ["train-images-idx3-ubyte"]),
    (["--policy={t}/module", "--dataset=mnist", "--data_dir={t}/nowhere"],
     "data_dir='{t}/nowhere': does not exist", ["train-images-idx3-ubyte"]),
    (["--policy={t}/module", "--dataset=omniglot", "--data_dir={t}/empty"],
     "data_dir='{t}/empty': holds no Omniglot", ["images_background.zip"]),
    (["--policy={t}/module", "--dataset=digits", "--data_dir={t}/empty"],
     "data_dir='{t}/empty': 'digits' is embedded", []),
    (["--policy={t}/module", "--data_dir={t}/empty"],
     "data_dir='{t}/empty': no dataset given", []),
    (["--policy={t}/module", "extra"], "Unexpected arguments", []),
]


@pytest.mark.parametrize("args, start, words", SAMPLE_CASES,
                         ids=[" ".join(c[0][1:]) or "no policy"
                              for c in SAMPLE_CASES])
def test_sample_reports_a_bad_flag_in_one_line(paths, args, start, words):
  output = paths / "out"
  fill = lambda s: s.replace("{t}", str(paths))
  args = [fill(a) for a in args]
  if not any(a.startswith("--output_dir") for a in args):
    args.append(f"--output_dir={output}")
  line = _error_line(_run("sample.py", *args), "sample.py")
  assert line.startswith(fill(start)), line
  for word in words:
    assert word in line, line
  assert not line.startswith("-"), line
  assert not output.exists()


def test_debug_shows_the_traceback(tmp_path):
  result = _run("sample.py", f"--policy={tmp_path}", "--num_samples=0",
                debug=True)
  assert result.returncode != 0
  assert "Traceback" in result.stderr and "num_samples=0" in result.stderr


@pytest.mark.parametrize("args, start, words", [
    (["--data_dir={t}/nowhere"], "data_dir='{t}/nowhere': does not exist",
     ["train-images-idx3-ubyte"]),
    ([], "data_dir=None: no path given", ["train-images-idx3-ubyte"]),
    (["--data_dir={t}/bad"], "data_dir='{t}/bad': '{t}/bad/train-images-"
     "idx3-ubyte': not an IDX file", []),
    (["--family=kmnist", "--data_dir={t}/bad"], "data_dir='{t}/bad': '{t}/"
     "bad/train-images-idx3-ubyte': not an IDX file", []),
])
def test_mnist_launcher_checks_data_before_creating_anything(
    tmp_path, args, start, words):
  (tmp_path / "bad").mkdir()
  (tmp_path / "bad" / "train-images-idx3-ubyte").write_bytes(b"junk")
  fill = lambda s: s.replace("{t}", str(tmp_path))
  workdir = tmp_path / "w"
  result = _run("mnist.py", "--num_steps=1", "--network=small",
                f"--workdir={workdir}", *[fill(a) for a in args])
  line = _error_line(result, "mnist.py")
  assert line.startswith(fill(start)), line
  for word in words:
    assert word in line, line
  assert not workdir.exists()


def test_omniglot_launcher_names_a_bad_zip(tmp_path):
  (tmp_path / "images_background.zip").write_bytes(b"not a zip")
  workdir = tmp_path / "w"
  result = _run("omniglot.py", "--num_steps=1", f"--data_dir={tmp_path}",
                f"--workdir={workdir}")
  line = _error_line(result, "omniglot.py")
  assert line.startswith(f"data_dir='{tmp_path}': "
                         f"'{tmp_path}/images_background.zip': is not a "
                         "readable zip file"), line
  assert not workdir.exists()


def test_celeba_launcher_needs_images(tmp_path):
  workdir = tmp_path / "w"
  result = _run("celeba.py", "--num_steps=1", f"--data_dir={tmp_path}",
                f"--workdir={workdir}")
  line = _error_line(result, "celeba.py")
  assert line.startswith(f"data_dir='{tmp_path}': holds no image files")
  assert not workdir.exists()


def test_training_launcher_bad_flag_values_are_one_line(tmp_path):
  workdir = tmp_path / "w"
  result = _run("digits.py", "--num_steps=1", "--canvas_width=8",
                f"--workdir={workdir}")
  assert _error_line(result, "digits.py").startswith(
      "canvas_width=8: expected")
  result = _run("digits.py", "--task=paint", f"--workdir={workdir}")
  assert _error_line(result, "digits.py").startswith("task=paint: ")
  assert not workdir.exists()


SHARED = ["workdir", "num_steps", "max_minutes", "task", "network", "seed",
          "batch_size", "learning_rate", "num_samples",
          "sample_canvas_width", "checkpoint_every_minutes",
          "replay_timeout_seconds", "progress_every_seconds",
          "lp_launch_type", "num_actors", "num_policy_learners",
          "ray_address"]
HELP_CASES = {
    "digits.py": SHARED + ["canvas_width", "grid_width"],
    "mnist.py": SHARED + ["data_dir", "family"],
    "omniglot.py": SHARED + ["data_dir"],
    "hershey.py": SHARED,
    "celeba.py": SHARED + ["data_dir", "tfds_name"],
    "mujoco_scenes.py": SHARED + ["canvas_width", "grid_width", "max_objects",
                                  "num_scenes"],
    "demo.py": ["output_dir", "num_steps", "num_samples", "display_scale",
                "seed"],
    "sample.py": ["policy", "num_samples", "seed", "output_dir", "overwrite",
                  "canvas_width", "batch_size", "dataset", "data_dir",
                  "legacy_move_bug"],
}


@pytest.mark.parametrize("script", sorted(HELP_CASES))
def test_help_lists_every_flag_with_its_default(script):
  result = _run(script, "--help")
  for name in HELP_CASES[script]:
    assert (f"--{name}:" in result.stdout or f"--[no]{name}:" in
            result.stdout), (name, result.stdout[-3000:])
  assert "(default: " in result.stdout


def _load_errors_module():
  spec = importlib.util.spec_from_file_location("launch_errors",
                                                LAUNCH / "errors.py")
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module


def test_checking_inputs_turns_value_errors_into_input_errors():
  errors = _load_errors_module()
  with pytest.raises(errors.InputError, match="^bad thing$"):
    with errors.checking_inputs():
      raise ValueError("bad thing")
  with pytest.raises(errors.FlagError,
                     match=r"^data_dir='/d/': does not exist$"):
    with errors.checking_inputs(data_flag=("data_dir", "/d/")):
      raise datasets.DataNotFoundError("/d", "does not exist")
  with pytest.raises(errors.FlagError,
                     match=r"^data_dir='/d': '/d/x.zip': damaged$"):
    with errors.checking_inputs(data_flag=("data_dir", "/d")):
      raise datasets.DataError("/d/x.zip", "damaged")
  with pytest.raises(RuntimeError):  # Not an input error: left alone.
    with errors.checking_inputs():
      raise RuntimeError("bug")


def test_report_errors_prints_one_line_and_exits_2(capsys, monkeypatch):
  errors = _load_errors_module()
  monkeypatch.delenv(errors.DEBUG_ENV, raising=False)
  monkeypatch.setattr(sys, "argv", ["tool.py"])

  def main(argv):
    del argv
    raise flags.IllegalFlagValueError("flag --num_steps=0: must be >= 1\n"
                                      "more")

  with pytest.raises(SystemExit) as info:
    errors.report_errors(main)(["tool.py"])
  assert info.value.code == 2
  assert capsys.readouterr().err == (
      "tool.py: error: num_steps=0: must be >= 1 more\n")

  def buggy(argv):
    del argv
    raise ValueError("a bug, not an input")

  with pytest.raises(ValueError):  # Outside checking_inputs: a traceback.
    errors.report_errors(buggy)(["tool.py"])

  def bad_flag(argv):
    del argv
    raise errors.FlagError("n", 0, "expected more")

  monkeypatch.setenv(errors.DEBUG_ENV, "1")
  with pytest.raises(errors.FlagError, match="^n=0: expected more$"):
    errors.report_errors(bad_flag)(["tool.py"])
