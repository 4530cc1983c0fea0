"""Policy network throughput: acting steps/s and learner unroll + gradient.

    .venv/bin/python benchmarks/policy_throughput.py [--quick]

Measures, for DeepMind's configuration and the small CPU configuration, with
and without XLA: parameter counts; `compiled_step` (sampling) steps/s at
batch 1, 16 and 64; and a teacher-forced [T=19, B=64] unroll, forward only
and forward + gradients of an actor-critic loss. TF's intra-op thread count
and its oneDNN kernels (TF_ENABLE_ONEDNN_OPTS) can only be chosen before TF
starts, so each setting runs in its own worker process. oneDNN (TF's default
on x86) is fastest for large batches and the learner; TF's Eigen kernels
(oneDNN off) are fastest at batch 1, where a fixed cost per oneDNN call
dominates. Writes benchmarks/results/policy_throughput.json.

Targets (reference section 3, DeepMind's TF1 graph on this kind of 2-core
machine): >= 140 steps/s at batch 1, >= 480 frames/s at batch 64, [19, 64]
forward + gradients in <= 8.8 s.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import common  # benchmarks/common.py
HUB_VALUES = {"control": 1024, "end": 1024, "flag": 2, "pressure": 10,
              "size": 6, "red": 20, "green": 20, "blue": 20}
TARGETS = {"batch1_steps_per_s": 140.0, "batch64_frames_per_s": 480.0,
           "learner_19x64_fwd_grad_s": 8.8}


def _timed(fn, *, seconds: float, rounds: int) -> dict[str, float]:
  """Seconds per call: median and best of `rounds` rounds of `seconds`."""
  per_call = []
  for _ in range(rounds):
    calls, start = 0, time.perf_counter()
    while calls == 0 or time.perf_counter() - start < seconds:
      fn()
      calls += 1
    per_call.append((time.perf_counter() - start) / calls)
  return {"median_s": statistics.median(per_call), "best_s": min(per_call)}


def _worker(args) -> dict:
  """Runs every measurement for one thread setting; returns the numbers."""
  sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
  import spiral_acme  # pylint: disable=g-import-not-at-top,unused-import
  from dm_env import specs  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from spiral_acme import networks  # pylint: disable=g-import-not-at-top

  if args.intra_op_threads:
    tf.config.threading.set_intra_op_parallelism_threads(
        args.intra_op_threads)
  action_spec = {k: specs.DiscreteArray(n, name=k)
                 for k, n in HUB_VALUES.items()}
  observation_spec = {"canvas": specs.Array((64, 64, 3), np.float32)}
  seconds, rounds = (0.5, 3) if args.quick else (1.5, 5)

  def observation(*lead):
    return {"canvas": tf.random.uniform([*lead, 64, 64, 3]),
            "noise_sample": tf.random.normal([*lead, 10]),
            "action_mask": {k: tf.ones(lead) for k in HUB_VALUES}}

  out = {}
  for name, config in (("deepmind", networks.PolicyNetworkConfig()),
                       ("small", networks.PolicyNetworkConfig.small())):
    entry = out.setdefault(name, {"network_config": config.to_dict()})
    for xla in (False, True):
      policy = networks.SpiralPolicy(action_spec, observation_spec, config,
                                     seed=0, jit_compile=xla)
      policy.create_variables()
      entry["parameters"] = networks.count_parameters(policy)
      mode = entry.setdefault("xla" if xla else "no_xla", {})
      for batch in (1, 16, 64):
        obs, state = observation(batch), policy.initial_state(batch)
        step_type = tf.ones([batch], tf.int32)
        holder = [state]

        def act(obs=obs, step_type=step_type, holder=holder):
          actions, holder[0], _ = policy.compiled_step(step_type, obs,
                                                       holder[0])
          actions["blue"].numpy()

        act()
        timing = _timed(act, seconds=seconds, rounds=rounds)
        mode[f"step_batch{batch}"] = {
            **timing, "steps_per_s": 1 / timing["median_s"],
            "frames_per_s": batch / timing["median_s"],
            "best_steps_per_s": 1 / timing["best_s"]}
      t, b = 19, 64
      obs, state = observation(t, b), policy.initial_state(b)
      step_types = tf.ones([t, b], tf.int32)
      actions = {k: tf.zeros([t, b], tf.int32) for k in HUB_VALUES}

      @tf.function(jit_compile=xla)
      def learn(step_types, obs, state, actions, policy=policy):
        with tf.GradientTape() as tape:
          extras, _ = policy.unroll(step_types, obs, state, actions)
          advantage = tf.stop_gradient(1.0 - extras["baseline"])
          log_prob, entropy = 0.0, 0.0
          for key, logits in extras["logits"].items():
            log_probs = tf.nn.log_softmax(logits)
            log_prob += tf.gather(log_probs, actions[key], batch_dims=2)
            entropy -= tf.reduce_sum(tf.exp(log_probs) * log_probs, -1)
          loss = tf.reduce_mean(-log_prob * advantage - 0.01 * entropy
                                + 0.5 * tf.square(1.0 - extras["baseline"]))
        return tape.gradient(
            loss, policy.trainable_variables,
            unconnected_gradients=tf.UnconnectedGradients.ZERO)

      start = time.perf_counter()
      tf.nest.map_structure(lambda g: g.numpy(),
                            learn(step_types, obs, state, actions))
      compile_s = time.perf_counter() - start
      reps = 1 if (xla and name == "deepmind") or args.quick else 3
      grad = _timed(lambda: learn(step_types, obs, state, actions)[0].numpy(),
                    seconds=0.0, rounds=reps)
      forward = _timed(
          lambda: policy.compiled_unroll(step_types, obs, state, actions)[0][
              "baseline"].numpy(), seconds=0.0, rounds=reps + 1)
      mode["learner_19x64"] = {
          "first_call_s": compile_s, "fwd_grad": grad,
          "fwd_grad_frames_per_s": t * b / grad["median_s"],
          "fwd": forward, "fwd_frames_per_s": t * b / forward["median_s"]}
      print(name, "xla" if xla else "no_xla",
            json.dumps({k: round(v.get("steps_per_s", 0), 1)
                        for k, v in mode.items() if k.startswith("step")}),
            "learner fwd+grad %.2f s" % grad["median_s"], file=sys.stderr,
            flush=True)
  return out


def _targets(numbers: dict) -> dict:
  """The DeepMind config's best mode (XLA or not) against each target.

  `measured` uses the median round, `measured_best_round` the fastest one
  (less affected by other processes on a shared machine).
  """
  modes = [numbers["deepmind"][m] for m in ("no_xla", "xla")]

  def best(key: str, stat: str) -> float:
    if key == "batch1_steps_per_s":
      return max(1 / m["step_batch1"][stat] for m in modes)
    if key == "batch64_frames_per_s":
      return max(64 / m["step_batch64"][stat] for m in modes)
    return min(m["learner_19x64"]["fwd_grad"][stat] for m in modes)

  def met(key: str, value: float) -> bool:
    if key == "learner_19x64_fwd_grad_s":
      return value <= TARGETS[key]
    return value >= TARGETS[key]

  report = {}
  for key in TARGETS:
    median, fastest = best(key, "median_s"), best(key, "best_s")
    report[key] = {"target": TARGETS[key], "measured": median,
                   "met": met(key, median), "measured_best_round": fastest,
                   "met_best_round": met(key, fastest)}
  return report


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--quick", action="store_true",
                      help="shorter timing rounds (numbers are noisier)")
  parser.add_argument("--threads", default="0,1",
                      help="intra-op thread settings to run (0 = TF default)")
  parser.add_argument("--onednn", default="1,0",
                      help="TF_ENABLE_ONEDNN_OPTS settings to run")
  parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
  parser.add_argument("--intra_op_threads", type=int, default=0,
                      help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.worker:
    print(json.dumps(_worker(args)))
    return
  runs = {}
  settings = [(onednn, int(threads)) for onednn in args.onednn.split(",")
              for threads in args.threads.split(",")]
  for onednn, threads in settings:
    name = f"onednn={onednn},intra_op_threads={threads or 'default'}"
    command = [sys.executable, __file__, "--worker",
               f"--intra_op_threads={threads}"] + (
                   ["--quick"] if args.quick else [])
    result = subprocess.run(command, check=True, stdout=subprocess.PIPE,
                            text=True, env={**os.environ,
                                            "TF_CPP_MIN_LOG_LEVEL": "3",
                                            "TF_ENABLE_ONEDNN_OPTS": onednn})
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    runs[name] = {"numbers": numbers, "targets": _targets(numbers)}
    print(f"{name}:", json.dumps(runs[name]["targets"], indent=1))
  best = {}
  for key in TARGETS:
    sign = -1 if key.startswith("learner") else 1  # Seconds: lower is better.
    name = max(runs, key=lambda n: sign * runs[n]["targets"][key]["measured"])
    best[key] = {"setting": name, **runs[name]["targets"][key]}
  path = common.write("policy_throughput", {
      "configuration": {"action_spec": HUB_VALUES, "canvas": [64, 64, 3],
                        "acting": "compiled_step, sampling, batch 1/16/64",
                        "learner": "unroll T=19 B=64 teacher-forced, "
                                   "actor-critic loss, tf.function",
                        "quick": args.quick},
      "targets": TARGETS,
      "best_setting_per_target": best,
      "runs": runs,
  })
  print("wrote", path)


if __name__ == "__main__":
  main()
