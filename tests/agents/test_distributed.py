"""The distributed program: topology, local_mt, local_mp with kills, ray."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import fakes
from process_checks import alive, read_nodes, wait_until

from spiral_acme.agents.spiral import distributed
from spiral_acme.agents.spiral import training

HERE = os.path.dirname(os.path.abspath(__file__))


_small = fakes.small_experiment
_unconditional = fakes.unconditional_experiment


def test_program_topology_reads_like_the_diagram(tmp_path):
  program = distributed.make_program(
      _unconditional(), workdir=str(tmp_path), num_actors=2,
      num_policy_learners=2)
  names = {group: [n.name for n in nodes]
           for group, nodes in program.groups.items()}
  assert names == {
      "replay": ["replay_0"], "counter": ["counter_0"],
      "learner": ["learner_0", "learner_1"],
      "discriminator": ["discriminator_0"],
      "actor": ["actor_0", "actor_1", "actor_2", "actor_3"],
      "evaluator": ["evaluator_0", "evaluator_1"],
      "snapshotter": ["snapshotter_0"], "budget": ["budget_0"]}
  program.check()
  # No discriminator learner when the reward needs none.
  l2 = distributed.make_program(_small(), workdir=str(tmp_path))
  assert "discriminator" not in l2.groups


def test_learner_overrides_apply_per_learner_and_guard_shared_fields():
  experiments = distributed.learner_experiments(
      _small(), 2, [{"learning_rate": 1e-3}, {"entropy_cost": 0.1}])
  assert experiments[0].agent.learning_rate == 1e-3
  assert experiments[1].agent.entropy_cost == 0.1
  assert experiments[1].agent.learning_rate == _small().agent.learning_rate
  with pytest.raises(ValueError, match="discriminator_learning_rate"):
    distributed.learner_experiments(
        _small(), 1, [{"discriminator_learning_rate": 1.0}])
  with pytest.raises(ValueError, match="one per policy learner"):
    distributed.learner_experiments(_small(), 2, [{}])


def _checkpoint_steps(workdir, name):
  directory = os.path.join(workdir, "checkpoints", name)
  return sorted(int(n.split("-")[1]) for n in os.listdir(directory)
                if n.startswith("step-"))


@pytest.mark.slow
def test_local_mt_two_learners_share_one_discriminator(tmp_path):
  workdir = str(tmp_path / "run")
  lines = []
  start = time.monotonic()
  distributed.run(
      _unconditional(),
      training.RunConfig(workdir=workdir, num_steps=2,
                         progress_every_seconds=1.0,
                         replay_timeout_seconds=120.0),
      launch_type="local_mt", num_actors=1, num_policy_learners=2,
      grace_period_seconds=10.0, print_fn=lines.append)
  assert time.monotonic() - start < 400
  for name in ("learner_0", "learner_1"):
    assert _checkpoint_steps(workdir, name)[-1] == 2
    assert os.path.isfile(os.path.join(workdir, "policy", name,
                                       "saved_model.pb"))
  assert _checkpoint_steps(workdir, "discriminator_0")[-1] >= 1
  with open(os.path.join(workdir, "checkpoints", "counts.json")) as f:
    counts = json.load(f)["counts"]
  # The program stops once each learner has saved and pushed its counts
  # (a race lost them once: the counter saved 0 learner steps).
  assert counts["learner_0_steps"] == 2 and counts["learner_1_steps"] == 2
  assert counts["actor_0_steps"] > 0 and counts["actor_1_steps"] > 0
  assert counts["discriminator_0_steps"] >= 1
  with open(os.path.join(workdir, "config.json")) as f:
    assert json.load(f)["distributed"]["num_policy_learners"] == 2
  assert not os.path.exists(os.path.join(workdir, "run.lock"))





def _resumed_steps(workdir, name):
  """The steps a node's log says it resumed from, one per restart."""
  with open(os.path.join(workdir, "logs", f"{name}.log")) as f:
    return [int(line.rsplit(" ", 1)[1].rstrip("."))
            for line in f.read().splitlines() if "resumed from" in line]


def _start(workdir, launch_type, num_steps, reward="l2"):
  return subprocess.Popen(
      [sys.executable, os.path.join(HERE, "distributed_main.py"), workdir,
       launch_type, str(num_steps), reward],
      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _assert_only_killed_restarted(workdir, run, output, pids, killed,
                                  launch_type):
  """The run exited 0, each `killed` node restarted once and no other node,
  and no process of the run (`pids` seen before the kill, or after) is left.
  """
  assert run.returncode == 0, output
  nodes = read_nodes(workdir)
  assert {name: n["restarts"] for name, n in nodes.items()} == {
      name: int(name in killed) for name in nodes}
  pids = pids | {n["pid"] for n in nodes.values()}
  if launch_type == "ray":
    # ray.shutdown() ends Ray's workers; they may take a moment to exit.
    wait_until(lambda: not [pid for pid in pids if alive(pid)], 30,
               "the run's processes to exit")
  else:  # The local_mp supervisor reaps its children before it exits.
    assert not [pid for pid in pids if alive(pid)]


@pytest.mark.slow
def test_killed_actor_and_learner_restart_and_resume_under_ray(tmp_path):
  # Ray restarts them (max_restarts); local_mp's supervisor is tested below.
  pytest.importorskip("ray")
  workdir = str(tmp_path / "run")
  num_steps = 60
  run = _start(workdir, "ray", num_steps)
  try:
    wait_until(lambda: _checkpoint_steps(workdir, "learner_0"), 300,
               "the learner's first checkpoint", run)
    nodes = read_nodes(workdir)  # Each node's pid: its Ray worker's.
    pids = {n["pid"] for n in nodes.values()}
    os.kill(nodes["actor_0"]["pid"], signal.SIGKILL)
    saved = _checkpoint_steps(workdir, "learner_0")[-1]
    os.kill(nodes["learner_0"]["pid"], signal.SIGKILL)
    output, _ = run.communicate(timeout=400)
  finally:
    run.kill()
  _assert_only_killed_restarted(workdir, run, output, pids,
                                ("actor_0", "learner_0"), "ray")
  resumed = _resumed_steps(workdir, "learner_0")
  assert resumed and resumed[0] >= saved, (resumed, saved)
  assert _checkpoint_steps(workdir, "learner_0")[-1] == num_steps
  assert os.path.isfile(os.path.join(workdir, "policy", "saved_model.pb"))
  assert "distributed_main: done" in output


@pytest.mark.slow
def test_local_mp_survives_killed_nodes_of_every_kind(tmp_path):
  """One run, two rounds of SIGKILL: the trainers (actor, policy learner,
  discriminator) restart and resume from their checkpoints; then the
  servers (replay, counter) restart and the learners reconnect to them.
  (One run for all: each local_mp run spends a minute starting nodes.)"""
  workdir = str(tmp_path / "run")
  num_steps = 120
  run = _start(workdir, "local_mp", num_steps, reward="discriminator")
  try:
    wait_until(lambda: (_checkpoint_steps(workdir, "learner_0") and
                        _checkpoint_steps(workdir, "discriminator_0")), 300,
               "the learners' first checkpoints", run)
    nodes = read_nodes(workdir)
    pids = {n["pid"] for n in nodes.values()}
    saved = {name: _checkpoint_steps(workdir, name)[-1]
             for name in ("learner_0", "discriminator_0")}
    for name in ("actor_0", "learner_0", "discriminator_0"):
      os.kill(nodes[name]["pid"], signal.SIGKILL)

    def resumed_and_saved_again():
      resumed = _resumed_steps(workdir, "learner_0")
      return resumed and _checkpoint_steps(workdir, "learner_0")[-1] > resumed[0]

    wait_until(resumed_and_saved_again, 300,
               "the learner to resume and save again", run)
    nodes = read_nodes(workdir)
    pids |= {n["pid"] for n in nodes.values()}
    servers_killed_at = _checkpoint_steps(workdir, "learner_0")[-1]
    for name in ("replay_0", "counter_0"):
      os.kill(nodes[name]["pid"], signal.SIGKILL)
    output, _ = run.communicate(timeout=400)
  finally:
    run.kill()
  assert run.returncode == 0, output
  assert "distributed_main: done" in output
  nodes = read_nodes(workdir)
  restarts = {name: n["restarts"] for name, n in nodes.items()}
  # The learners restarted once, for the first round: they reconnected to
  # the restarted replay server instead of restarting again.
  for name in ("learner_0", "discriminator_0", "replay_0", "counter_0"):
    assert restarts[name] == 1, restarts
  assert restarts["actor_0"] >= 1 and restarts["budget_0"] == 0, restarts
  # The supervisor reaps its children before it exits.
  pids |= {n["pid"] for n in nodes.values()}
  assert not [pid for pid in pids if alive(pid)]
  for name in ("learner_0", "discriminator_0"):
    resumed = _resumed_steps(workdir, name)
    assert len(resumed) == 1 and resumed[0] >= saved[name], (
        name, resumed, saved)
  # The canvas queue holds two discriminator batches and actors wait on a
  # full one: the learner's later steps needed the restarted discriminator
  # to train, so it saved again past the step it resumed from.
  assert (_checkpoint_steps(workdir, "discriminator_0")[-1] >
          _resumed_steps(workdir, "discriminator_0")[0])
  assert _checkpoint_steps(workdir, "learner_0")[-1] == num_steps
  assert os.path.isfile(os.path.join(workdir, "policy", "saved_model.pb"))
  # At most two batches were buffered in the learner when the server died
  # (one prefetched, one being sampled), so most of its later steps came
  # from the restarted server. Whether the learner logged "reconnecting"
  # depends on timing: Reverb's samplers retry an unavailable server
  # themselves, so a quick restart can pass without an error reaching it.
  assert num_steps - servers_killed_at > 2 * 2, servers_killed_at


class _FakeLearner:
  """Serves snapshot() like a policy learner node, from a fixed policy."""

  def __init__(self, experiment):
    from spiral_acme.agents.spiral.builder import SpiralBuilder  # pylint: disable=g-import-not-at-top
    self._weights = [v.numpy() for v in
                     SpiralBuilder(experiment).make_policy(seed=7).variables]
    self.step = 0

  def snapshot(self):
    self.step += 5
    return self.step, self._weights


def test_snapshotter_keeps_the_newest_and_evaluator_logs(tmp_path):
  from spiral_acme.agents.spiral import worker_nodes  # pylint: disable=g-import-not-at-top
  experiment = _small()
  learner = _FakeLearner(experiment)
  snapshotter = worker_nodes.SnapshotterNode(
      experiment, learners=[learner], names=["learner_0"],
      workdir=str(tmp_path), keep=2, cpu_only=False)
  for _ in range(3):
    snapshotter._tick()  # pylint: disable=protected-access
  directory = tmp_path / "snapshots" / "learner_0"
  assert sorted(os.listdir(directory)) == ["10", "15"]
  assert (directory / "15" / "saved_model.pb").is_file()

  evaluator = worker_nodes.EvaluatorNode(
      experiment, name="evaluator_0", learner=learner, workdir=str(tmp_path),
      num_paintings=4, num_held_out=8, cpu_only=False)
  evaluator._tick()  # pylint: disable=protected-access
  assert os.listdir(tmp_path / "tensorboard" / "evaluator_0")
