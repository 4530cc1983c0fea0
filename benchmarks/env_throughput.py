"""Throughput of the LibMyPaint environment and of the raw binding under it.

For the hub configuration (grid 32, classic/dry_brush, sizes 1..24, colour
and pressure) at canvas 64, 128 and 256, runs 20-step episodes (reset + 19
random valid actions, pre-generated so the RNG is not timed) through

* `env`: `LibMyPaint.reset()` / `step()`, observations included;
* `raw`: the same strokes sent straight to `_libmypaint.Painter`, with the
  canvas read back into a uint8 buffer after every action (the least work an
  environment could do).

Rates are per core: the loop is single-threaded and each rate divides by the
process CPU time (wall-clock rates are reported too; on a shared machine they
are noisier). Env and raw run in alternating rounds over the same episodes;
rates use each path's fastest round, and the env's overhead is the median
over rounds of env time / raw time, which cancels load that drifts between
rounds. Targets: >= 100 episodes/s/core at 64x64, env within 15% of raw.

MuJoCo scenes (the `mujoco` rows): `MujocoScenes.reset()` / `step()` at 64
and 128, with and without shadows (default quality otherwise: shadow map
512, 4x multisampling), over 6-step episodes whose 5 actions all place an
object (the worst case: a skip renders nothing), and over uniformly random
actions (half skip). Target: >= 200 placing steps/s/core at 64x64 with
shadows.

Usage: python benchmarks/env_throughput.py [--repeats 15] [--scale 1.0]
       python benchmarks/env_throughput.py --mujoco_only  # update those rows
"""

import argparse
import colorsys
import datetime
import json
import math
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import dm_env
import spiral_acme
from spiral_acme import _libmypaint
from spiral_acme.environments import brushes
from spiral_acme.environments.libmypaint import COLOUR_LEVELS, PRESSURES
from spiral_acme.environments.libmypaint import LibMyPaintConfig

RESULTS = pathlib.Path(__file__).parent / "results" / "env_throughput.json"
MUJOCO_EPISODES = {64: 60, 128: 30}
TARGET_MUJOCO_STEPS_PER_S = 200.0
EPISODES = {64: 100, 128: 40, 256: 16}
INSTRUCTION_EPISODES = 20
TARGET_EPISODES_PER_S = 100.0
TARGET_OVERHEAD = 0.15


def _random_episodes(env, count, seed):
  rng = np.random.default_rng(seed)
  spec = env.action_spec()
  steps = env.config.episode_length - 1
  return [[{k: int(rng.integers(s.num_values)) for k, s in spec.items()}
           for _ in range(steps)] for _ in range(count)]


def _raw_program(config, actions):
  """The binding calls the environment makes for `actions`, precomputed."""
  grid, width = config.grid_width, config.canvas_width
  def pixel(index):
    row, col = divmod(index, grid)
    return width * col / grid, width * row / grid
  program = []
  for a in actions:
    ex, ey = pixel(a["end"])
    if a["flag"] == 1:
      cx, cy = pixel(a["control"])
      rgb = [COLOUR_LEVELS[a[c]] for c in ("red", "green", "blue")]
      program.append((True, cx, cy, ex, ey, float(PRESSURES[a["pressure"]]),
                      math.log(config.brush_sizes[a["size"]]),
                      colorsys.rgb_to_hsv(*rgb)))
    else:
      program.append((False, 0.0, 0.0, ex, ey, 0.0, 0.0, (0.0, 0.0, 0.0)))
  return program


def _run_env(env, episodes):
  for actions in episodes:
    env.reset()
    for action in actions:
      timestep = env.step(action)
    assert timestep.step_type == dm_env.StepType.LAST


def _run_raw(painter, buffer, programs):
  for program in programs:
    painter.reset()
    painter.read(buffer)
    for painted, cx, cy, ex, ey, pressure, log_radius, hsv in program:
      if painted:
        painter.set_base_value("radius_logarithmic", log_radius)
        painter.set_base_value("color_h", hsv[0])
        painter.set_base_value("color_s", hsv[1])
        painter.set_base_value("color_v", hsv[2])
        painter.bezier_to(cx, cy, ex, ey, pressure)
      else:
        painter.move_to(ex, ey)
      painter.read(buffer)


def _timed(fn, *args):
  wall, cpu = time.perf_counter(), time.process_time()
  fn(*args)
  return time.perf_counter() - wall, time.process_time() - cpu


def _rates(seconds, episodes, steps, painted):
  return {"seconds": round(seconds, 4),
          "episodes_per_s": round(episodes / seconds, 2),
          "actions_per_s": round(steps / seconds, 1),
          "painted_strokes_per_s": round(painted / seconds, 1)}


def bench_width(width, repeats, scale):
  """Times env and raw in `repeats` interleaved rounds of the same episodes."""
  env, episodes, painter, buffer, programs = _setup(
      width, max(1, int(EPISODES[width] * scale)))
  _run_env(env, episodes[:1])  # The two paths must paint the same pixels.
  _run_raw(painter, buffer, programs[:1])
  canvas = env.render()
  if not np.array_equal(canvas, buffer.astype(np.float32) / np.float32(255)):
    raise AssertionError("env and raw binding painted different pixels")
  runs = {"env": lambda: _run_env(env, episodes),
          "raw": lambda: _run_raw(painter, buffer, programs)}
  times = {"env": [], "raw": []}
  for round_index in range(repeats):
    # Alternate the order so neither path always runs on a warmer machine.
    order = ("env", "raw") if round_index % 2 == 0 else ("raw", "env")
    for name in order:
      times[name].append(_timed(runs[name]))
  count = len(episodes)
  steps = sum(len(e) for e in episodes)
  painted = sum(a["flag"] for e in episodes for a in e)
  result = {"episodes_per_round": count, "actions_per_round": steps,
            "painted_strokes_per_round": painted, "rounds": repeats}
  for name, measured in times.items():
    wall = min(t[0] for t in measured)
    cpu = min(t[1] for t in measured)
    result[name] = {"per_core_cpu_time": _rates(cpu, count, steps, painted),
                    "wall_clock": _rates(wall, count, steps, painted)}
  # Each round's env and raw ran back to back under the same load; the
  # median of their ratios is robust to load changing between rounds.
  ratios = [e[1] / r[1] for e, r in zip(times["env"], times["raw"])]
  result["env_overhead_vs_raw"] = round(statistics.median(ratios) - 1, 4)
  result["env_overhead_per_round"] = [round(x - 1, 4) for x in ratios]
  return result


def _setup(width, count):
  config = LibMyPaintConfig(canvas_width=width)
  env = config.make()
  episodes = _random_episodes(env, count, seed=width)
  programs = [_raw_program(config, e) for e in episodes]
  painter = _libmypaint.Painter(
      width, brushes.load_brush_json(config.brush_type), config.background)
  buffer = np.empty((width, width, config.num_channels), np.uint8)
  return env, episodes, painter, buffer, programs


def _child(mode, width, count):
  """Runs one path (or only the setup) for callgrind to count."""
  env, episodes, painter, buffer, programs = _setup(width, count)
  if mode == "env":
    _run_env(env, episodes)
  elif mode == "raw":
    _run_raw(painter, buffer, programs)


def instruction_overhead(width, count):
  """Env vs raw in instructions executed (callgrind): immune to load.

  Each path runs in its own process; a setup-only process is subtracted.
  Returns None when valgrind is not installed.
  """
  valgrind = shutil.which("valgrind")
  if valgrind is None:
    return None
  totals = {}
  for mode in ("setup", "env", "raw"):
    with tempfile.TemporaryDirectory() as tmp:
      proc = subprocess.run(
          [valgrind, "--tool=callgrind", f"--callgrind-out-file={tmp}/out",
           sys.executable, __file__, "--child", mode, "--child_width",
           str(width), "--child_episodes", str(count)],
          capture_output=True, text=True, check=True)
    totals[mode] = int(re.search(r"Collected : (\d+)", proc.stderr).group(1))
  env = (totals["env"] - totals["setup"]) / count
  raw = (totals["raw"] - totals["setup"]) / count
  return {"canvas_width": width, "episodes": count,
          "env_instructions_per_episode": round(env),
          "raw_instructions_per_episode": round(raw),
          "env_overhead_vs_raw": round(env / raw - 1, 4)}


def _mujoco_episodes(env, count, seed, *, place_only):
  rng = np.random.default_rng(seed)
  spec = env.action_spec()
  steps = env.config.episode_length - 1
  episodes = []
  for _ in range(count):
    actions = []
    for _ in range(steps):
      action = {k: int(rng.integers(s.num_values)) for k, s in spec.items()}
      if place_only:
        action["flag"] = 1
      actions.append(action)
    episodes.append(actions)
  return episodes


def bench_mujoco(width, shadows, repeats, scale):
  """Per-core steps/s of MujocoScenes: placing-only and random actions."""
  # pylint: disable-next=g-import-not-at-top
  from spiral_acme.environments.mujoco_scenes_config import MujocoScenesConfig
  config = MujocoScenesConfig(canvas_width=width, shadows=shadows)
  env = config.make()
  count = max(1, int(MUJOCO_EPISODES[width] * scale))
  result = {"configuration": config.to_dict(), "rounds": repeats}
  try:
    for name, place_only in (("placing", True), ("random", False)):
      episodes = _mujoco_episodes(env, count, width, place_only=place_only)
      _run_env(env, episodes[:1])  # Warm up.
      steps = sum(len(e) for e in episodes)
      placed = sum(a["flag"] for e in episodes for a in e)
      cpu = min(_timed(_run_env, env, episodes)[1] for _ in range(repeats))
      result[name] = {"episodes": count, "steps": steps, "placed": placed,
                      "cpu_seconds": round(cpu, 4),
                      "steps_per_s_per_core": round(steps / cpu, 1),
                      "episodes_per_s_per_core": round(count / cpu, 2)}
  finally:
    env.close()
  return result


def run_mujoco(repeats, scale):
  rows = {}
  print(f"{'width':>5} {'shadows':>7} {'placing steps/s':>16} "
        f"{'random steps/s':>15}  (per core, CPU time)")
  for width in sorted(MUJOCO_EPISODES):
    for shadows in (True, False):
      r = bench_mujoco(width, shadows, repeats, scale)
      rows[f"{width}_{'shadows' if shadows else 'no_shadows'}"] = r
      print(f"{width:>5} {str(shadows):>7} "
            f"{r['placing']['steps_per_s_per_core']:>16.1f} "
            f"{r['random']['steps_per_s_per_core']:>15.1f}")
  measured = rows["64_shadows"]["placing"]["steps_per_s_per_core"]
  return {"description": "MujocoScenes reset/step, 6-step episodes; "
                         "'placing': every action places an object, "
                         "'random': uniform actions (about half skip)",
          "load_average_at_start": list(os.getloadavg()),
          "results": rows,
          "target": {"placing_steps_per_s_at_64_with_shadows": {
              "target": TARGET_MUJOCO_STEPS_PER_S, "measured": measured,
              "met": measured >= TARGET_MUJOCO_STEPS_PER_S}}}


def _device():
  model = platform.processor() or "unknown"
  try:
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("model name"):
          model = line.split(":", 1)[1].strip()
          break
  except OSError:
    pass
  return {"cpu_model": model, "logical_cores": os.cpu_count(),
          "load_average_at_start": list(os.getloadavg())}


def _versions():
  def libmypaint_version():
    try:
      return subprocess.run(["pkg-config", "--modversion", "libmypaint"],
                            capture_output=True, text=True,
                            check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
      return "unknown"
  return {"python": sys.version.split()[0], "numpy": np.__version__,
          "spiral_acme": spiral_acme.__version__,
          "libmypaint": libmypaint_version()}


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--repeats", type=int, default=11,
                      help="interleaved env/raw rounds per width")
  parser.add_argument("--scale", type=float, default=1.0,
                      help="multiplies the number of episodes per width")
  parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
  parser.add_argument("--skip_instructions", action="store_true",
                      help="skip the callgrind instruction count (~1 min)")
  parser.add_argument("--mujoco_only", action="store_true",
                      help="only (re)measure the MuJoCo rows, keeping the "
                           "other results in --output")
  parser.add_argument("--child", choices=("setup", "env", "raw"),
                      help=argparse.SUPPRESS)
  parser.add_argument("--child_width", type=int, help=argparse.SUPPRESS)
  parser.add_argument("--child_episodes", type=int, help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.child:
    _child(args.child, args.child_width, args.child_episodes)
    return
  if args.mujoco_only:
    report = json.loads(args.output.read_text())
    report["mujoco"] = run_mujoco(max(3, args.repeats // 3), args.scale)
    report["mujoco"]["date"] = datetime.datetime.now(
        datetime.timezone.utc).isoformat(timespec="seconds")
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return
  base = LibMyPaintConfig()
  report = {
      "benchmark": "env_throughput",
      "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
          timespec="seconds"),
      "device": _device(), "versions": _versions(),
      "configuration": {**base.to_dict(), "canvas_width": sorted(EPISODES),
                        "repeats": args.repeats, "scale": args.scale,
                        "actions": "uniform random over every action key "
                                   "(about half paint, half move)"},
      "results": {},
  }
  print(f"{'width':>5} {'what':>4} {'episodes/s':>11} {'actions/s':>10} "
        f"{'painted/s':>10}  (per core, CPU time)")
  for width in sorted(EPISODES):
    result = bench_width(width, args.repeats, args.scale)
    report["results"][str(width)] = result
    for name in ("raw", "env"):
      r = result[name]["per_core_cpu_time"]
      print(f"{width:>5} {name:>4} {r['episodes_per_s']:>11.1f} "
            f"{r['actions_per_s']:>10.0f} {r['painted_strokes_per_s']:>10.0f}")
    print(f"{width:>5} env overhead vs raw: "
          f"{100 * result['env_overhead_vs_raw']:+.1f}%")
  instructions = None
  if not args.skip_instructions:
    instructions = instruction_overhead(64, INSTRUCTION_EPISODES)
    report["instructions"] = instructions
    if instructions:
      print(f"   64 env overhead vs raw in instructions (callgrind): "
            f"{100 * instructions['env_overhead_vs_raw']:+.1f}%")
  at_64 = report["results"]["64"]
  episodes_64 = at_64["env"]["per_core_cpu_time"]["episodes_per_s"]
  worst = max(r["env_overhead_vs_raw"] for r in report["results"].values())
  report["targets"] = {
      "env_episodes_per_s_at_64": {"target": TARGET_EPISODES_PER_S,
                                   "measured": episodes_64,
                                   "met": episodes_64 >= TARGET_EPISODES_PER_S},
      "env_overhead_vs_raw": {"target": TARGET_OVERHEAD,
                              "worst_measured": worst,
                              "met": worst <= TARGET_OVERHEAD},
  }
  if instructions:
    overhead = instructions["env_overhead_vs_raw"]
    report["targets"]["env_overhead_vs_raw_instructions_at_64"] = {
        "target": TARGET_OVERHEAD, "measured": overhead,
        "met": overhead <= TARGET_OVERHEAD}
  report["mujoco"] = run_mujoco(max(3, args.repeats // 3), args.scale)
  for name, target in report["targets"].items():
    print(f"target {name}: {'MET' if target['met'] else 'NOT MET'} {target}")
  args.output.parent.mkdir(parents=True, exist_ok=True)
  args.output.write_text(json.dumps(report, indent=2) + "\n")
  print(f"wrote {args.output}")


if __name__ == "__main__":
  main()
