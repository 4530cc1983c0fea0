"""A Launchpad-style program graph (names and meaning as in Launchpad).

  import spiral_acme.launchpad as lp

  program = lp.Program("agent")
  with program.group("replay"):
    replay = program.add_node(lp.ReverbNode(make_tables))
  with program.group("counter"):
    counter = program.add_node(lp.CourierNode(Counter))
  with program.group("actor"):
    program.add_node(lp.PyClassNode(Actor, replay, counter))
  lp.launch(program, lp.LaunchType.LOCAL_MULTI_PROCESSING,
            workdir="/tmp/run").wait()

Knows nothing of SPIRAL; see launchers/ for the three launch types.
"""

from spiral_acme.launchpad.context import register_stop_handler
from spiral_acme.launchpad.context import stop
from spiral_acme.launchpad.context import stop_event
from spiral_acme.launchpad.context import unregister_stop_handler
from spiral_acme.launchpad.context import wait_for_stop
from spiral_acme.launchpad.courier.clients import CourierClient
from spiral_acme.launchpad.courier.serialization import RemoteError
from spiral_acme.launchpad.handles import Handle
from spiral_acme.launchpad.launch_type import LaunchType
from spiral_acme.launchpad.launchers.launch import launch
from spiral_acme.launchpad.launchers.local_mp import ProgramFailedError
from spiral_acme.launchpad.launchers.status import NodeStatus
from spiral_acme.launchpad.nodes.base import Node
from spiral_acme.launchpad.nodes.colocation import MultiThreadingColocation
from spiral_acme.launchpad.nodes.courier import CourierHandle
from spiral_acme.launchpad.nodes.courier import CourierNode
from spiral_acme.launchpad.nodes.python import PyClassNode
from spiral_acme.launchpad.nodes.reverb import ReverbHandle
from spiral_acme.launchpad.nodes.reverb import ReverbNode
from spiral_acme.launchpad.program import Program
