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
are noisier). Env and raw repetitions alternate and the best of each is kept.
Targets: >= 100 episodes/s/core at 64x64, env within 15% of raw.

Usage: python benchmarks/env_throughput.py [--repeats 3] [--scale 1.0]
"""

import argparse
import colorsys
import datetime
import json
import math
import os
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

import dm_env
import spiral_acme
from spiral_acme import _libmypaint
from spiral_acme.environments import brushes
from spiral_acme.environments.libmypaint import COLOUR_LEVELS, PRESSURES
from spiral_acme.environments.libmypaint import LibMyPaintConfig

RESULTS = pathlib.Path(__file__).parent / "results" / "env_throughput.json"
EPISODES = {64: 200, 128: 80, 256: 30}
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
  config = LibMyPaintConfig(canvas_width=width)
  env = config.make()
  episodes = _random_episodes(env, max(1, int(EPISODES[width] * scale)),
                              seed=width)
  programs = [_raw_program(config, e) for e in episodes]
  painter = _libmypaint.Painter(
      width, brushes.load_brush_json(config.brush_type), config.background)
  buffer = np.empty((width, width, config.num_channels), np.uint8)
  _run_env(env, episodes[:2])  # warm-up
  _run_raw(painter, buffer, programs[:2])
  best = {"env": (math.inf, math.inf), "raw": (math.inf, math.inf)}
  for _ in range(repeats):
    for name, run in (("env", lambda: _run_env(env, episodes)),
                      ("raw", lambda: _run_raw(painter, buffer, programs))):
      wall, cpu = _timed(run)
      best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
  count = len(episodes)
  steps = sum(len(e) for e in episodes)
  painted = sum(a["flag"] for e in episodes for a in e)
  result = {"episodes": count, "actions": steps, "painted_strokes": painted}
  for name, (wall, cpu) in best.items():
    result[name] = {"per_core_cpu_time": _rates(cpu, count, steps, painted),
                    "wall_clock": _rates(wall, count, steps, painted)}
  result["env_overhead_vs_raw"] = round(best["env"][1] / best["raw"][1] - 1, 4)
  return result


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
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--scale", type=float, default=1.0,
                      help="multiplies the number of episodes per width")
  parser.add_argument("--output", type=pathlib.Path, default=RESULTS)
  args = parser.parse_args()
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
  for name, target in report["targets"].items():
    print(f"target {name}: {'MET' if target['met'] else 'NOT MET'} {target}")
  args.output.parent.mkdir(parents=True, exist_ok=True)
  args.output.write_text(json.dumps(report, indent=2) + "\n")
  print(f"wrote {args.output}")


if __name__ == "__main__":
  main()
