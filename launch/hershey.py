"""SPIRAL on Hershey stroke-font glyphs (embedded, an Omniglot-like set).

    python launch/hershey.py --task=reconstruct --max_minutes=30

Each --task starts from a named preset (`presets.for_task("hershey", task)`:
hershey64, hershey64_generate, hershey64_reconstruct_gan), the configuration
the learning benchmark measures; flags override parts of it.
"""

import common

if __name__ == "__main__":
  common.run(lambda: common.task_preset("hershey"))
