"""How well SPIRAL paints Hershey glyphs in 30 minutes on this machine.

The same measurements as `learning_digits.py`, on the presets of
`launch/hershey.py`, with a glyph classifier (96 characters across 32 fonts;
it recognises ~60% of real held-out glyphs) in place of the digit one.

    python benchmarks/learning_glyphs.py --minutes=30 --unconditional_minutes=0
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import learning_digits  # noqa: E402  (benchmarks/learning_digits.py)

if __name__ == "__main__":
  sys.argv.insert(1, "--dataset=hershey")
  learning_digits.main()
