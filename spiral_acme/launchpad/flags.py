"""absl flags for launcher scripts; library code never reads flags.

A launcher calls these at import time and passes the parsed values to
`launch()`:

  _LAUNCH_TYPE = lp_flags.define_launch_type_flag(default="local_mp")
  ...
  lp.launch(program, _LAUNCH_TYPE.value, ray_address=_RAY_ADDRESS.value)
"""

from typing import Optional

from absl import flags

from spiral_acme.launchpad import launch_type as launch_type_lib


def define_launch_type_flag(
    default: str = "local_mt",
    *,
    flag_values: flags.FlagValues = flags.FLAGS) -> flags.FlagHolder:
  """Defines `--lp_launch_type` (an enum of the LaunchType values)."""
  choices = [t.value for t in launch_type_lib.LaunchType]
  launch_type_lib.parse_launch_type(default)  # Rejects unknown defaults.
  return flags.DEFINE_enum(
      "lp_launch_type", default, choices,
      "How to run the program: local_mt (threads), local_mp (one process "
      "per node), ray (one Ray actor per node), or single_process (the "
      "single-process agent, no program graph).",
      flag_values=flag_values)


def define_ray_address_flag(
    default: Optional[str] = None,
    *,
    flag_values: flags.FlagValues = flags.FLAGS) -> flags.FlagHolder:
  """Defines `--ray_address`: unset starts a local Ray bound to 127.0.0.1."""
  return flags.DEFINE_string(
      "ray_address", default,
      "Address of a Ray cluster to join (e.g. 'auto' or 'HOST:6379'); unset "
      "starts a local Ray instance bound to 127.0.0.1.",
      flag_values=flag_values)
