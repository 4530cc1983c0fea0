"""Runs sleeper_program under local_mp as a script (for signal tests).

usage: python mp_supervisor_main.py WORKDIR
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lp_test_nodes  # pylint: disable=g-import-not-at-top,wrong-import-position
import spiral_acme.launchpad as lp  # pylint: disable=g-import-not-at-top,wrong-import-position


def main(workdir):
  program = lp_test_nodes.sleeper_program(os.path.join(workdir, "stops.txt"))
  running = lp.launch(program, "local_mp", workdir=workdir,
                      stop_order=["actor", "evaluator"],
                      grace_period_seconds=5.0)
  running.wait()
  print("supervisor exiting", flush=True)


if __name__ == "__main__":
  main(sys.argv[1])
