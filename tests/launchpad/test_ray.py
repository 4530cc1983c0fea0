"""ray: nodes as Ray actors on a local Ray instance bound to 127.0.0.1."""

import json
import os
import signal
import sys

import pytest

import lp_test_nodes
from process_checks import wait_until
import spiral_acme.launchpad as lp
from spiral_acme.launchpad.launchers import ray_launcher

ray = pytest.importorskip(
    "ray", reason="needs ray (pip install -e '.[test]' or '.[ray]')")

pytestmark = pytest.mark.slow  # Starting Ray and its workers takes ~30 s.


@pytest.fixture(scope="module")
def local_ray():
  # As the launcher does: under the suite's other workers Ray's GCS took
  # longer than its default 30 s to bind its port.
  os.environ.setdefault(ray_launcher.GCS_PORT_WAIT_VARIABLE,
                        ray_launcher.GCS_PORT_WAIT_SECONDS)
  ray.init(_node_ip_address="127.0.0.1", include_dashboard=False, num_cpus=2,
           log_to_driver=False, runtime_env={"env_vars": {
               "PYTHONPATH": os.pathsep.join(p or os.getcwd()
                                             for p in sys.path)}})
  yield
  ray.shutdown()



@pytest.mark.slow
def test_program_runs_as_ray_actors(local_ray, tmp_path):
  del local_ray
  out = tmp_path / "report.json"
  running = lp.launch(lp_test_nodes.make_program(str(out)), lp.LaunchType.RAY,
                      stop_when_done=["consumer"], grace_period_seconds=5,
                      resources={"counter": {"num_cpus": 0}})
  assert running.wait(timeout=180)
  report = json.loads(out.read_text())
  assert report["sum"] == 10 and report["counter"] == 5
  assert report["double"] == [0, 2, 4]
  assert report["ping"] == "ping>pong>ping>pong"
  assert "bad value 42" in report["error"]
  states = {s.name: s.state for s in running.statuses()}
  assert (states["consumer_0"], states["producer_0"], states["counter_0"]) == (
      "finished", "finished", "stopped")


def test_killed_actor_is_restarted(local_ray, tmp_path):
  del local_ray
  program = lp.Program("restart")
  with program.group("counter"):
    program.add_node(lp.CourierNode(lp_test_nodes.Counter))
  running = lp.launch(program, "ray", workdir=str(tmp_path), max_restarts=2,
                      grace_period_seconds=2)
  try:
    status = lambda: {s.name: s for s in running.statuses()}["counter_0"]
    wait_until(lambda: status().pid is not None, 60, "counter to start")
    first_pid = status().pid
    os.kill(first_pid, signal.SIGKILL)
    wait_until(lambda: status().restarts == 1 and status().state == "running",
               60, "restart")
  finally:
    running.stop_and_wait()
  # The workdir has local_mp's nodes.json and one log per node.
  with open(tmp_path / "nodes.json") as f:
    status_file = json.load(f)
  assert status_file["state"] == "stopped"
  [node] = status_file["nodes"]
  assert (node["name"], node["restarts"], node["state"]) == (
      "counter_0", 1, "stopped")
  log = (tmp_path / "logs" / "counter_0.log").read_text()
  assert f"starting counter_0 in pid {first_pid}" in log
  assert f"starting counter_0 in pid {node['pid']}" in log
