"""local_mt: the program graph as threads of the test process."""

import json
import threading
import time

import pytest

import lp_test_nodes
import spiral_acme.launchpad as lp


def test_program_runs_across_handles_futures_and_a_cycle(tmp_path):
  out = tmp_path / "report.json"
  program = lp_test_nodes.make_program(str(out))
  assert sorted(program.groups) == ["consumer", "counter", "ping", "producer",
                                    "replay"]
  running = lp.launch(program, lp.LaunchType.LOCAL_MULTI_THREADING,
                      stop_when_done=["consumer"])
  assert running.wait(timeout=60)
  report = json.loads(out.read_text())
  assert report["sum"] == 0 + 1 + 2 + 3 + 4
  assert report["counter"] == 5
  assert report["double"] == [0, 2, 4]
  assert report["ping"] == "ping>pong>ping>pong"
  assert report["error"] == "ValueError: bad value 42"
  assert {s.name: s.state for s in running.statuses()}["consumer_0"] == (
      "finished")


def test_stop_ends_loops_and_runs_stop_handlers():
  handled = threading.Event()

  class Looper:

    def run(self):
      lp.register_stop_handler(handled.set)
      while not lp.wait_for_stop(0.01):
        pass

  program = lp.Program("stop")
  with program.group("loop"):
    program.add_node(lp.PyClassNode(Looper))
  with program.group("stopper"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Stopper, 0.1))
  start = time.monotonic()
  running = lp.launch(program, "local_mt")
  assert running.wait(timeout=10)
  assert handled.is_set()
  assert time.monotonic() - start < 5


def test_a_node_that_asked_for_the_stop_finished_and_the_others_stopped(
    tmp_path):
  program = lp_test_nodes.stopper_program(str(tmp_path / "stops.txt"))
  running = lp.launch(program, lp.LaunchType.LOCAL_MULTI_THREADING)
  assert running.wait(timeout=60)
  states = {s.name: s.state for s in running.statuses()}
  assert (states["stopper_0"], states["sleeper_0"]) == ("finished", "stopped")


def test_node_error_is_raised_by_wait():
  program = lp.Program("crash")
  with program.group("crasher"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Crasher, "boom"))
  with program.group("counter"):
    program.add_node(lp.CourierNode(lp_test_nodes.Counter))
  with pytest.raises(RuntimeError, match="boom"):
    lp.launch(program, "local_mt").wait(timeout=10)


def test_colocation_runs_nodes_as_threads_of_one_node(tmp_path):
  out = tmp_path / "report.json"
  program = lp.Program("coloc")
  counter_node = lp.CourierNode(lp_test_nodes.Counter)
  counter = counter_node.create_handle()
  ping_node = lp.CourierNode(lp_test_nodes.Ping, [], "solo")
  with program.group("replay"):
    replay = program.add_node(lp.ReverbNode(lp_test_nodes.make_tables))
  with program.group("services"):
    program.add_node(lp.MultiThreadingColocation([counter_node, ping_node]))
  with program.group("work"):
    program.add_node(lp.MultiThreadingColocation([
        lp.PyClassNode(lp_test_nodes.Producer, {"counter": counter}, [replay],
                       2),
        lp.PyClassNode(lp_test_nodes.Consumer, replay, counter,
                       ping_node.create_handle(), str(out), 2),
    ]))
  assert lp.launch(program, "local_mt", stop_when_done=["work"]).wait(60)
  report = json.loads(out.read_text())
  assert report["counter"] == 2 and report["ping"] == "solo"


def test_launch_rejects_bad_programs_and_single_process():
  program = lp.Program("bad")
  stray = lp.CourierNode(lp_test_nodes.Counter)
  with program.group("user"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Ping,
                                    [stray.create_handle()], "x"))
  with pytest.raises(ValueError, match="never added"):
    lp.launch(program, "local_mt")
  with pytest.raises(ValueError, match="single-process agent"):
    lp.launch(program, lp.LaunchType.SINGLE_PROCESS)
  with pytest.raises(ValueError, match="Unknown launch type 'local'"):
    lp.launch(program, "local")
  with pytest.raises(ValueError, match="needs a label"):
    program.add_node(lp.PyClassNode(lp_test_nodes.Counter))


def test_stop_api_outside_a_node_says_so():
  with pytest.raises(RuntimeError, match="inside a launched program"):
    lp.wait_for_stop(0)
