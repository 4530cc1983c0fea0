"""The order in which a program's groups are stopped."""

from typing import List, Sequence

from absl import logging

from spiral_acme.launchpad import program as program_lib


def group_stop_order(program: program_lib.Program,
                     stop_order: Sequence[str]) -> List[str]:
  """`stop_order` groups first, then the others, Reverb groups last.

  Replay goes last so nodes that are still flushing (e.g. actors writing
  their final episodes) find their server up.
  """
  groups = list(program.groups)
  unknown = [g for g in stop_order if g not in groups]
  if unknown:
    logging.info("stop_order names groups not in the program: %s", unknown)
  replay = [g for g in groups
            if any(n.serves_reverb for n in program.groups[g])]
  first = [g for g in dict.fromkeys(stop_order)
           if g in groups and g not in replay]
  middle = [g for g in groups if g not in first and g not in replay]
  return first + middle + replay
