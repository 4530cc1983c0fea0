"""Workdir lock and configuration record."""

import json
import os
import subprocess
import sys

import pytest

from spiral_acme import workdir as workdir_lib


def test_second_lock_is_refused_naming_file_and_pid(tmp_path):
  first = workdir_lib.WorkdirLock(str(tmp_path))
  first.acquire()
  try:
    with pytest.raises(workdir_lib.WorkdirError) as error:
      workdir_lib.WorkdirLock(str(tmp_path)).acquire()
    message = str(error.value)
    assert os.path.join(str(tmp_path), "run.lock") in message
    assert f"pid {os.getpid()}" in message
  finally:
    first.release()
  assert not (tmp_path / "run.lock").exists()


def test_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path):
  dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                        capture_output=True, text=True, check=True)
  pid = int(dead.stdout)
  import socket  # pylint: disable=g-import-not-at-top
  (tmp_path / "run.lock").write_text(
      json.dumps({"pid": pid, "host": socket.gethostname()}))
  warnings = []
  lock = workdir_lib.WorkdirLock(str(tmp_path), warn=warnings.append)
  lock.acquire()
  try:
    assert warnings and "stale lock" in warnings[0] and str(pid) in warnings[0]
    holder = json.loads((tmp_path / "run.lock").read_text())
    assert holder["pid"] == os.getpid()
  finally:
    lock.release()


def test_lock_held_on_another_host_is_not_taken(tmp_path):
  (tmp_path / "run.lock").write_text(
      json.dumps({"pid": 1, "host": "some-other-machine"}))
  with pytest.raises(workdir_lib.WorkdirError, match="some-other-machine"):
    workdir_lib.WorkdirLock(str(tmp_path)).acquire()


def test_config_is_recorded_then_checked(tmp_path):
  config = {"agent": {"batch_size": 64, "sizes": (1, 2)}, "seed": 0}
  assert workdir_lib.check_config(str(tmp_path), config) is False
  recorded = json.loads((tmp_path / "config.json").read_text())
  assert recorded["agent"]["sizes"] == [1, 2]
  assert workdir_lib.check_config(str(tmp_path), config) is True  # Same.


def test_config_mismatch_lists_each_field_old_and_new(tmp_path):
  workdir_lib.check_config(
      str(tmp_path), {"environment": {"canvas_width": 64}, "network": "small",
                      "seed": 0})
  with pytest.raises(workdir_lib.WorkdirError) as error:
    workdir_lib.check_config(
        str(tmp_path), {"environment": {"canvas_width": 32},
                        "network": "deepmind", "seed": 0})
  message = str(error.value)
  assert "environment.canvas_width: 64 -> 32" in message
  assert "network: 'small' -> 'deepmind'" in message
  assert "seed" not in message.split("differing fields")[1]
