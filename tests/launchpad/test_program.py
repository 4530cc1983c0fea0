"""Program graph, handle resolution and the launcher flags."""

from absl import flags
import pytest

import spiral_acme.launchpad as lp
from spiral_acme.launchpad import flags as lp_flags
from spiral_acme.launchpad import handles


class _Echo:

  def __init__(self, value):
    self.value = value


def test_groups_names_and_handles():
  program = lp.Program("p")
  early = lp.CourierNode(_Echo, 1)
  handle = early.create_handle()  # Before the node is added.
  with program.group("actor"):
    program.add_node(lp.PyClassNode(_Echo, [handle]))
    program.add_node(lp.PyClassNode(_Echo, {"h": (handle,)}))
  with program.group("learner"):
    assert isinstance(program.add_node(early), lp.CourierHandle)
  assert [n.name for n in program.groups["actor"]] == ["actor_0", "actor_1"]
  assert program.groups["learner"] == [early]
  program.check()
  with pytest.raises(ValueError, match="cannot be nested"):
    with program.group("a"):
      with program.group("b"):
        pass
  with pytest.raises(ValueError, match="already added"):
    program.add_node(early, label="learner")


def test_resolve_handles_inside_containers():

  class _Fake(handles.Handle):

    def dereference(self):
      return f"client-{self.node_id}"

  value = {"a": [_Fake("1", "x"), (_Fake("2", "y"), 3)], "b": "keep"}
  assert handles.resolve_handles(value) == {
      "a": ["client-1", ("client-2", 3)], "b": "keep"}
  assert len(handles.find_handles(value)) == 2


def test_launch_type_flag():
  values = flags.FlagValues()
  holder = lp_flags.define_launch_type_flag("local_mp", flag_values=values)
  values(["prog", "--lp_launch_type=ray"])
  assert lp.LaunchType(holder.value) is lp.LaunchType.RAY
  with pytest.raises(flags.IllegalFlagValueError):
    values(["prog", "--lp_launch_type=bogus"])
  with pytest.raises(ValueError, match="Unknown launch type 'nope'"):
    lp_flags.define_launch_type_flag("nope", flag_values=flags.FlagValues())
