"""Draws the README's pictures: random-agent paintings from LibMyPaint.

Writes docs/images/random_paintings.png (a grid of paintings by a uniformly
random 19-step policy, hub configuration, 64x64) and
docs/images/random_painting.svg (the first painting's stroke program as SVG).

Usage: python scripts/make_readme_images.py [--count 16] [--seed 0]
"""

import argparse
import pathlib

import numpy as np

from spiral_acme import images
from spiral_acme.environments.libmypaint import LibMyPaintConfig

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def random_painting(env, rng: np.random.Generator) -> np.ndarray:
  """Runs one episode of uniformly random actions; returns its last canvas."""
  timestep = env.reset()
  while not timestep.last():
    action = {key: int(rng.integers(spec.num_values))
              for key, spec in env.action_spec().items()}
    timestep = env.step(action)
  return timestep.observation["canvas"]


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--count", type=int, default=16)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--upscale", type=int, default=2,
                      help="nearest-neighbour enlargement of each painting")
  parser.add_argument("--out_dir", type=pathlib.Path, default=OUT_DIR)
  args = parser.parse_args()
  env = LibMyPaintConfig().make()
  rng = np.random.default_rng(args.seed)
  paintings, svg = [], None
  for _ in range(args.count):
    paintings.append(random_painting(env, rng))
    if svg is None:
      svg = env.to_svg()
  big = [np.kron(p, np.ones((args.upscale, args.upscale, 1), np.float32))
         for p in paintings]
  grid = images.image_grid(np.stack(big), ncols=4, border=2)
  png = images.save_png(args.out_dir / "random_paintings.png", grid)
  svg_path = args.out_dir / "random_painting.svg"
  svg_path.write_text(svg)
  print(f"wrote {png} ({grid.shape[1]}x{grid.shape[0]}) and {svg_path}")


if __name__ == "__main__":
  main()
