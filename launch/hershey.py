"""SPIRAL on Hershey stroke-font glyphs (embedded, an Omniglot-like set).

    python launch/hershey.py --task=reconstruct --max_minutes=30

Each --task starts from a named preset (`presets.for_task("hershey", task)`:
hershey64, hershey64_generate, hershey64_reconstruct_gan), the configuration
the learning benchmark measures; flags override parts of it.
"""

import common
from absl import flags

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(common)  # --help lists the shared flags too.

if __name__ == "__main__":
  common.run(lambda: common.task_preset("hershey"))
