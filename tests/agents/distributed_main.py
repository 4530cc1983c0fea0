"""Runs the distributed program for the local_mp and ray tests (a script).

    python distributed_main.py WORKDIR LAUNCH_TYPE NUM_STEPS [REWARD]

REWARD: "l2" (default; tiny_digits, no discriminator node) or
"discriminator" (the same task unconditional, scored by a WGAN-GP
discriminator learned by a discriminator_0 node).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for fakes.

import fakes  # pylint: disable=g-import-not-at-top
import spiral_acme  # pylint: disable=unused-import,g-import-not-at-top
from spiral_acme.agents.spiral import distributed  # pylint: disable=g-import-not-at-top
from spiral_acme.agents.spiral import training  # pylint: disable=g-import-not-at-top

_EXPERIMENTS = {"l2": fakes.small_experiment,
                "discriminator": fakes.unconditional_experiment}


def main(workdir: str, launch_type: str, num_steps: int,
         reward: str = "l2") -> None:
  experiment = _EXPERIMENTS[reward]()
  ray_init_kwargs = None
  if launch_type == "ray":
    ray_init_kwargs = dict(num_cpus=2, log_to_driver=False)
  distributed.run(
      experiment,
      training.RunConfig(workdir=workdir, num_steps=num_steps,
                         checkpoint_every_minutes=0.05,
                         progress_every_seconds=2.0,
                         replay_timeout_seconds=120.0),
      launch_type=launch_type, num_actors=1, num_policy_learners=1,
      snapshot_every_minutes=None, evaluate=False, max_restarts=3,
      grace_period_seconds=20.0, ray_init_kwargs=ray_init_kwargs,
      print_fn=lambda line: print(line, flush=True))
  print("distributed_main: done", flush=True)


if __name__ == "__main__":
  main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:])
