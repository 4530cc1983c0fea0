"""spiral_acme: SPIRAL and SPIRAL++ painting agents in TF2 / Sonnet 2.

Importing the package quiets TensorFlow's C++ start-up logging (users can
still override it by setting TF_CPP_MIN_LOG_LEVEL themselves).
"""

import os as _os

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"
