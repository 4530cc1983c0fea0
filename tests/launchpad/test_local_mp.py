"""local_mp: one process per node under the supervisor (all on 127.0.0.1)."""

import json
import os
import signal
import subprocess
import sys
import time

import grpc
import pytest

import lp_test_nodes
from process_checks import alive, read_nodes, wait_until
import spiral_acme.launchpad as lp
from spiral_acme.launchpad.courier import grpc_transport

HERE = os.path.dirname(os.path.abspath(__file__))





def test_program_runs_across_processes(tmp_path):
  out = tmp_path / "report.json"
  workdir = tmp_path / "run"
  running = lp.launch(lp_test_nodes.make_program(str(out)), "local_mp",
                      workdir=str(workdir), stop_when_done=["consumer"],
                      grace_period_seconds=5, handle_signals=False)
  try:
    assert running.wait(timeout=120)
  finally:
    running.stop_and_wait()
  report = json.loads(out.read_text())
  assert report["sum"] == 10 and report["counter"] == 5
  assert report["double"] == [0, 2, 4]
  assert report["ping"] == "ping>pong>ping>pong"
  assert report["error"].startswith("RemoteError: counter_0.fail() raised "
                                    "builtins.ValueError: bad value 42")
  assert "remote traceback" in report["error"]
  nodes = read_nodes(workdir)
  assert set(nodes) == {"replay_0", "counter_0", "ping_0", "ping_1",
                        "producer_0", "consumer_0"}
  assert nodes["consumer_0"]["state"] == "finished"
  assert nodes["producer_0"]["state"] == "finished"
  assert nodes["counter_0"]["state"] == "stopped"
  assert {n["group"] for n in nodes.values()} == set(
      ["replay", "counter", "ping", "producer", "consumer"])
  assert all(n["restarts"] == 0 for n in nodes.values())
  assert (workdir / "logs" / "replay_0.log").exists()


def test_restart_keeps_the_address_and_rejects_foreign_tokens(tmp_path):
  program = lp.Program("restart")
  with program.group("counter"):
    counter = program.add_node(lp.CourierNode(lp_test_nodes.Counter))
  with program.group("caller"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Caller, counter))
  running = lp.launch(program, "local_mp", workdir=str(tmp_path),
                      restart_backoff_seconds=0.05, grace_period_seconds=3,
                      handle_signals=False)
  try:
    wait_until(lambda: read_nodes(tmp_path)["counter_0"]["state"] == "running",
               what="counter running")
    address = read_nodes(tmp_path)["counter_0"]["address"]
    token = running._token  # pylint: disable=protected-access
    client = grpc_transport.GrpcCourierClient("counter", address, token,
                                              timeout=20)
    wait_until(lambda: client.value() > 0, what="caller to call")
    for bad in ("", "not-the-token"):
      stranger = grpc_transport.GrpcCourierClient("counter", address, bad,
                                                  timeout=5)
      with pytest.raises(grpc.RpcError) as error:
        stranger.value()
      assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED

    old_pid = read_nodes(tmp_path)["counter_0"]["pid"]
    os.kill(old_pid, signal.SIGKILL)
    wait_until(lambda: read_nodes(tmp_path)["counter_0"]["restarts"] == 1
               and read_nodes(tmp_path)["counter_0"]["state"] == "running",
               what="restart")
    node = read_nodes(tmp_path)["counter_0"]
    assert node["pid"] != old_pid and node["address"] == address
    # The restarted counter starts from 0 and the caller finds it again.
    wait_until(lambda: client.value() > 0, what="caller to reconnect")
  finally:
    running.stop_and_wait()
  assert read_nodes(tmp_path)["caller_0"]["restarts"] == 0


def test_restart_limit_stops_the_program_and_prints_the_log(tmp_path, capfd):
  program = lp.Program("crash")
  with program.group("crasher"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Crasher, "boom 17"))
  with program.group("sleeper"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Sleeper, "s",
                                    str(tmp_path / "stops.txt")))
  running = lp.launch(program, "local_mp", workdir=str(tmp_path),
                      max_restarts=2, restart_backoff_seconds=0.05,
                      grace_period_seconds=3, handle_signals=False)
  with pytest.raises(lp.ProgramFailedError, match="crasher_0 exited with code"
                     " 1 after 2 restarts"):
    running.wait(timeout=60)
  err = capfd.readouterr().err
  assert "Last lines of" in err and "RuntimeError: boom 17" in err
  nodes = read_nodes(tmp_path)
  assert nodes["crasher_0"]["state"] == "failed"
  assert nodes["crasher_0"]["restarts"] == 2
  assert nodes["sleeper_0"]["state"] == "stopped"
  assert (tmp_path / "stops.txt").read_text().startswith("s ")  # Clean stop.


def test_lp_stop_in_a_node_stops_the_program(tmp_path):
  program = lp_test_nodes.stopper_program(str(tmp_path / "stops.txt"))
  seen = []
  running = lp.launch(program, "local_mp", workdir=str(tmp_path),
                      grace_period_seconds=3, handle_signals=False,
                      progress_fn=seen.append, progress_period_seconds=0.1)
  assert running.wait(timeout=60)
  assert (tmp_path / "stops.txt").exists()
  assert seen and {s.name for s in seen[0]} == {"stopper_0", "sleeper_0"}
  # It asked for the stop and returned once it came: its work was done.
  nodes = read_nodes(tmp_path)
  assert (nodes["stopper_0"]["state"], nodes["sleeper_0"]["state"]) == (
      "finished", "stopped")


def test_a_node_that_returns_after_lp_stop_is_recorded_finished(tmp_path):
  program = lp_test_nodes.stopper_program(str(tmp_path / "stops.txt"),
                                          wait=False)
  running = lp.launch(program, "local_mp", workdir=str(tmp_path),
                      grace_period_seconds=3, handle_signals=False)
  assert running.wait(timeout=60)
  nodes = read_nodes(tmp_path)
  assert (nodes["stopper_0"]["state"], nodes["stopper_0"]["exit_code"]) == (
      "finished", 0)
  assert nodes["sleeper_0"]["state"] == "stopped"


def _start_supervisor(workdir):
  return subprocess.Popen(
      [sys.executable, os.path.join(HERE, "mp_supervisor_main.py"),
       str(workdir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
      text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(
          p or os.getcwd() for p in sys.path)))  # This checkout's package.


def _wait_all_running(workdir, supervisor):
  def running():
    assert supervisor.poll() is None, supervisor.stdout.read()
    return all(n["state"] == "running" and n["pid"]
               for n in read_nodes(workdir).values())
  wait_until(running, what="all nodes running")
  return [n["pid"] for n in read_nodes(workdir).values()]


def test_sigterm_stops_groups_in_order_and_exits_0(tmp_path):
  supervisor = _start_supervisor(tmp_path)
  try:
    _wait_all_running(tmp_path, supervisor)
    time.sleep(0.3)  # Let the nodes reach their run() loops.
    supervisor.send_signal(signal.SIGTERM)
    output, _ = supervisor.communicate(timeout=30)
  finally:
    supervisor.kill()
  assert supervisor.returncode == 0, output
  assert "supervisor exiting" in output
  stops = [line.split() for line in
           (tmp_path / "stops.txt").read_text().splitlines()]
  order = [name for name, _ in sorted(stops, key=lambda s: int(s[1]))]
  # stop_order=["actor", "evaluator"], then the other groups.
  assert sorted(order[:2]) == ["actor_0", "actor_1"]
  assert order[2:] == ["evaluator_0", "learner_0"]
  assert all(n["state"] == "stopped" for n in read_nodes(tmp_path).values())


def test_children_die_with_a_killed_supervisor(tmp_path):
  supervisor = _start_supervisor(tmp_path)
  try:
    pids = _wait_all_running(tmp_path, supervisor)
    supervisor.kill()  # SIGKILL: no chance to clean up.
    supervisor.wait(timeout=10)
    wait_until(lambda: not any(alive(pid) for pid in pids), timeout=10,
               what="children to die")
  finally:
    supervisor.kill()


def test_stop_stages_put_replay_groups_last(tmp_path):
  from spiral_acme.launchpad.launchers import local_mp  # pylint: disable=g-import-not-at-top
  program = lp.Program("stages")
  for group in ("replay", "learner", "evaluator", "actor"):
    with program.group(group):
      if group == "replay":
        program.add_node(lp.ReverbNode(lp_test_nodes.make_tables))
      else:
        program.add_node(lp.PyClassNode(lp_test_nodes.Counter))
  supervisor = local_mp.ProcessProgram(
      program, workdir=str(tmp_path), stop_order=["actor", "evaluator", "x"])
  stages = supervisor._stages  # pylint: disable=protected-access
  assert [[c.node.name for c in stage] for stage in stages] == [
      ["actor_0"], ["evaluator_0"], ["learner_0"], ["replay_0"]]
