"""DeepMind SPIRAL hub modules in, TF2 SavedModels out.

`read_deepmind_module(path)` turns a TF1 Hub module into a SpiralPolicy;
`export_policy(policy, path, env_config)` writes a TF2 SavedModel with
DeepMind's signature names and a dynamic batch; `load_policy(path)` opens
either kind behind one `initial_state` / `step` API; `check_compatible`
compares a policy with an environment's specs.
"""

from spiral_acme.hub.deepmind import HUB_ENV_CONFIG
from spiral_acme.hub.deepmind import read_deepmind_module
from spiral_acme.hub.loaded import LoadedPolicy
from spiral_acme.hub.saved_model import check_compatible
from spiral_acme.hub.saved_model import export_policy
from spiral_acme.hub.saved_model import load_policy
from spiral_acme.hub.saved_model import POLICY_EXPECTED
from spiral_acme.hub.saved_model import policy_kind
