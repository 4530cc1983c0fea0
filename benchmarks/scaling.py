"""Scaling of the distributed program: frames/s, plumbing cost, replay capacity.

    .venv/bin/python benchmarks/scaling.py [--seconds=60] [--gpu]

(a) frames/s made by the actors and used by the learner: the single-process
    agent, then local_mp with 1, 2 and 4 actor processes, on what
    `launch/digits.py --task=reconstruct` runs by default (the digits64
    preset: conditional 64x64 digits, the small network). Target: the learner uses >= 1.2x the single-process
    frames/s. Also the episode queue's mean fill and the share of samples
    with a full queue (when actors wait on it).
(b) plumbing: one actor writing into replay (drained by nobody; a large
    queue) against the same actor without replay. Target >= 90%.
(c) replay capacity: episodes/s one Reverb server takes from K writer
    processes with hub-sized episodes (64x64x3, 20 steps), and how many
    actors (at the per-actor rate measured in (b)) one server could serve,
    against the hub agents' 256 actors per learner.
(d) --gpu: (a) with DeepMind's network (the learner on the GPU, actors on
    the CPU): the learner's steps/s and how many CPU actors it can use.

Every measurement is short; the machine's load is recorded beside the
numbers (a shared machine makes them noisy). Writes results/scaling.json.
"""

import argparse
import dataclasses
import json
import multiprocessing
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import common  # benchmarks/common.py  pylint: disable=g-import-not-at-top
import numpy as np  # pylint: disable=g-import-not-at-top

import spiral_acme  # pylint: disable=unused-import,g-import-not-at-top
import spiral_acme.launchpad as lp  # pylint: disable=g-import-not-at-top
from spiral_acme.agents.spiral import distributed  # pylint: disable=g-import-not-at-top
from spiral_acme.agents.spiral import presets  # pylint: disable=g-import-not-at-top
from spiral_acme.agents.spiral.experiment import ExperimentConfig  # pylint: disable=g-import-not-at-top
from spiral_acme.networks.config import PolicyNetworkConfig  # pylint: disable=g-import-not-at-top

TARGETS = {"learner_vs_single_process": 1.2, "plumbing_efficiency": 0.9,
           "hub_actors_per_learner": 256}


def digits_reconstruct(deepmind: bool = False) -> ExperimentConfig:
  """What `launch/digits.py --task=reconstruct` runs by default (the
  `digits64` preset), or with `--network=deepmind`."""
  experiment = presets.get(presets.for_task("digits", "reconstruct"))()
  if deepmind:
    experiment = dataclasses.replace(experiment,
                                     policy_network=PolicyNetworkConfig())
  return experiment


def frames_per_episode(experiment: ExperimentConfig) -> int:
  return experiment.num_actions


def single_process(experiment: ExperimentConfig, seconds: float) -> dict:
  from spiral_acme.agents.spiral.agent import SpiralAgent  # pylint: disable=g-import-not-at-top
  agent = SpiralAgent(experiment, log_every_seconds=1e9)
  try:
    agent.run(num_steps=1)  # Traces the functions.
    before, start = dict(agent.counts), time.time()
    agent.run(max_seconds=seconds)
    elapsed, after = time.time() - start, agent.counts
  finally:
    agent.close()
  envs = experiment.agent.num_envs_per_actor
  made = (after["actor_steps"] - before["actor_steps"]) * envs / elapsed
  used = ((after["learner_episodes"] - before["learner_episodes"]) *
          frames_per_episode(experiment) / elapsed)
  return {"actor_frames_per_s": made, "learner_frames_per_s": used,
          "learner_steps_per_s":
              (after["learner_steps"] - before["learner_steps"]) / elapsed}


def _wait_for_file(path: str, timeout: float = 120.0) -> None:
  deadline = time.time() + timeout
  while not os.path.exists(path):
    if time.time() > deadline:
      raise TimeoutError(f"{path} did not appear")
    time.sleep(0.5)


def local_mp(experiment: ExperimentConfig, num_actors: int,
             seconds: float) -> dict:
  """Runs the program for `seconds` after the learner's first step.

  Counts come from the counter node through `progress_fn` (called in the
  supervisor every second); the queue's fill from the replay server.
  """
  import reverb  # pylint: disable=g-import-not-at-top
  workdir = tempfile.mkdtemp(prefix="scaling-")
  program = distributed.make_program(
      experiment, workdir=workdir, num_actors=num_actors,
      evaluate_every_minutes=None, snapshot_every_minutes=None,
      checkpoint_every_minutes=60)
  counter = program.groups["counter"][0].create_handle()
  readings = []  # (time, counts)
  clients = []

  def record(unused_statuses) -> None:
    if not clients:
      clients.append(counter.dereference())
    readings.append((time.time(), clients[0].get_counts()))

  running = lp.launch(program, "local_mp", workdir=workdir,
                      stop_order=distributed.STOP_ORDER,
                      grace_period_seconds=20, handle_signals=False,
                      progress_fn=record, progress_period_seconds=1.0)
  samples = []
  try:
    _wait_for_file(os.path.join(workdir, "nodes.json"))
    with open(os.path.join(workdir, "nodes.json")) as f:
      address = {n["name"]: n["address"] for n in json.load(f)["nodes"]}
    replay = reverb.Client(address["replay_0"])
    deadline = time.time() + 900
    while not readings or readings[-1][1].get("learner_0_steps", 0) < 1:
      if time.time() > deadline:
        raise TimeoutError("the learner never stepped")
      time.sleep(1)
    first = readings[-1]
    while time.time() - first[0] < seconds:
      info = replay.server_info(timeout=10)["episodes_0"]
      samples.append(info.current_size / info.max_size)
      time.sleep(1)
    last = readings[-1]
  finally:
    running.stop_and_wait()
  elapsed = last[0] - first[0]
  envs = experiment.agent.num_envs_per_actor
  delta = lambda key: last[1].get(key, 0) - first[1].get(key, 0)
  return {
      "num_actors": num_actors,
      "seconds": elapsed,
      "actor_frames_per_s": delta("actor_0_steps") * envs / elapsed,
      "learner_frames_per_s": (delta("learner_0_episodes") *
                               frames_per_episode(experiment) / elapsed),
      "learner_steps_per_s": delta("learner_0_steps") / elapsed,
      # Full queue: actors wait to write; empty: the learner waits.
      "queue_mean_fill": float(np.mean(samples)) if samples else None,
      "queue_full_share": (float(np.mean([f >= 1.0 for f in samples]))
                           if samples else None),
      "queue_empty_share": (float(np.mean([f == 0.0 for f in samples]))
                            if samples else None),
  }


def plumbing(experiment: ExperimentConfig, seconds: float, *,
             update_period: int = 1) -> dict:
  """One actor with and without replay (writing episodes, syncing weights).

  `update_period`: actor steps between weight fetches (the agent's
  variable_update_period; 1 fetches the whole policy every step).
  """
  import reverb  # pylint: disable=g-import-not-at-top
  from spiral_acme import environment_loop  # pylint: disable=g-import-not-at-top
  from spiral_acme import loggers  # pylint: disable=g-import-not-at-top
  from spiral_acme import replay  # pylint: disable=g-import-not-at-top
  from spiral_acme.agents.spiral.builder import SpiralBuilder  # pylint: disable=g-import-not-at-top
  experiment = dataclasses.replace(experiment, agent=dataclasses.replace(
      experiment.agent, max_queue_size=100000,
      variable_update_period=update_period))
  builder = SpiralBuilder(experiment)
  server = replay.make_server(builder.make_replay_tables())
  client = reverb.Client(f"127.0.0.1:{server.port}")
  policy = builder.make_policy(seed=0)
  # What a learner would have published: the actor syncs from it.
  replay.VariablePublisher(client, builder.tables.policy_variables,
                           policy.variables).publish()
  results = {}
  try:
    for label, actor_client in (("no_replay", None), ("replay", client)):
      actor = builder.make_actor(actor_client, seed=0, policy=policy)
      if actor_client is not None:
        actor.update(wait=True)
      loop = environment_loop.EnvironmentLoop(
          builder.make_environment(), actor, logger=loggers.NoOpLogger())
      loop.run(num_episodes=1)
      start = time.time()
      steps = loop.run(should_stop=lambda: time.time() - start > seconds)
      results[f"{label}_frames_per_s"] = (
          steps * experiment.agent.num_envs_per_actor / (time.time() - start))
  finally:
    server.stop()
  results["efficiency"] = (results["replay_frames_per_s"] /
                           results["no_replay_frames_per_s"])
  return results


def _writer(address: str, seconds: float, queue) -> None:
  import reverb  # pylint: disable=g-import-not-at-top
  client = reverb.Client(address)
  writer = client.trajectory_writer(num_keep_alive_refs=21)
  rng = np.random.default_rng(0)
  canvas = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
  episodes, start = 0, time.time()
  while time.time() - start < seconds:
    for _ in range(20):
      writer.append({"canvas": canvas, "action": np.zeros(8, np.int32),
                     "logits": np.zeros(2200, np.float32)})
    writer.create_item("episodes", 1.0, {
        k: writer.history[k][:] for k in ("canvas", "action", "logits")})
    writer.end_episode(clear_buffers=True, timeout_ms=60000)
    episodes += 1
  queue.put(episodes / (time.time() - start))


def replay_capacity(seconds: float, writers=(1, 2, 4)) -> dict:
  import reverb  # pylint: disable=g-import-not-at-top
  from spiral_acme import replay  # pylint: disable=g-import-not-at-top
  results = {}
  for k in writers:
    server = replay.make_server([reverb.Table(
        "episodes", sampler=reverb.selectors.Fifo(),
        remover=reverb.selectors.Fifo(), max_size=500,
        rate_limiter=reverb.rate_limiters.MinSize(1))])
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    procs = [context.Process(target=_writer, args=(
        f"127.0.0.1:{server.port}", seconds, queue)) for _ in range(k)]
    for p in procs:
      p.start()
    rates = [queue.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
      p.join()
    server.stop()
    results[f"{k}_writers_episodes_per_s"] = float(sum(rates))
  return results


def main() -> None:
  parser = argparse.ArgumentParser()
  parser.add_argument("--seconds", type=float, default=60.0)
  parser.add_argument("--gpu", action="store_true",
                      help="(d): DeepMind's network, learner on the GPU.")
  parser.add_argument("--actors", type=int, nargs="*", default=[1, 2, 4])
  args = parser.parse_args()
  load_before = os.getloadavg()
  experiment = digits_reconstruct(deepmind=args.gpu)
  record = {"configuration": "digits 64x64 reconstruct, "
                             f"{'deepmind' if args.gpu else 'small'} network",
            "experiment": experiment, "seconds_per_measurement": args.seconds,
            "targets": TARGETS, "load_average_before": load_before,
            "note": "measured on a machine shared with other jobs; see the "
                    "load averages"}
  sp = single_process(experiment, args.seconds)
  print(f"(a) single process: {sp}", flush=True)
  record["single_process"] = sp
  record["local_mp"] = []
  for n in args.actors:
    result = local_mp(experiment, n, args.seconds)
    result["learner_vs_single_process"] = (
        result["learner_frames_per_s"] / max(sp["learner_frames_per_s"], 1e-9))
    result["load_average"] = os.getloadavg()
    print(f"(a) local_mp, {n} actors: {result}", flush=True)
    record["local_mp"].append(result)
  if not args.gpu:
    plumb = plumbing(experiment, args.seconds / 2)
    print(f"(b) plumbing: {plumb}", flush=True)
    record["plumbing"] = plumb
    plumb_100 = plumbing(experiment, args.seconds / 2, update_period=100)
    print(f"(b) plumbing, weights fetched every 100 steps: {plumb_100}",
          flush=True)
    record["plumbing_update_period_100"] = plumb_100
    capacity = replay_capacity(args.seconds / 3)
    per_actor_episodes = (plumb["replay_frames_per_s"] /
                          experiment.agent.num_envs_per_actor /
                          frames_per_episode(experiment))
    best = max(capacity.values())
    capacity["per_environment_episodes_per_s"] = per_actor_episodes
    capacity["single_env_actors_one_server_serves"] = best / max(per_actor_episodes, 1e-9)
    print(f"(c) replay capacity: {capacity}", flush=True)
    record["replay_capacity"] = capacity
  record["load_average_after"] = os.getloadavg()
  path = common.write("scaling_gpu" if args.gpu else "scaling", record)
  print(f"Wrote {path}")


if __name__ == "__main__":
  main()
