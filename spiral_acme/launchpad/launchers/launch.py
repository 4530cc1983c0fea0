"""launch(): runs a Program with the chosen LaunchType."""

import os
import tempfile
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from spiral_acme.launchpad import launch_type as launch_type_lib
from spiral_acme.launchpad import program as program_lib
from spiral_acme.launchpad.launchers import restart_policy as restart_lib

LaunchType = launch_type_lib.LaunchType


def launch(
    program: program_lib.Program,
    launch_type: Union[LaunchType, str] = LaunchType.LOCAL_MULTI_THREADING,
    *,
    workdir: Optional[str] = None,
    stop_order: Sequence[str] = (),
    stop_when_done: Sequence[str] = (),
    grace_period_seconds: float = 10.0,
    max_restarts: int = 5,
    restart_window_minutes: float = 10.0,
    restart_backoff_seconds: float = 1.0,
    progress_fn: Optional[Callable[[Sequence[Any]], None]] = None,
    progress_period_seconds: float = 10.0,
    handle_signals: bool = True,
    ray_address: Optional[str] = None,
    resources: Optional[Mapping[str, Mapping[str, Any]]] = None,
    ray_init_kwargs: Optional[Mapping[str, Any]] = None,
) -> Any:
  """Starts `program` and returns a handle with `wait()`/`stop_and_wait()`.

  Args:
    program: the program graph.
    launch_type: a LaunchType or its value ("local_mt", "local_mp", "ray").
    workdir: local_mp: holds logs/<node>.log, nodes.json and the node
      pickles (default: a new temporary directory); ray: holds
      logs/<node>.log and nodes.json (default: neither is written).
    stop_order: groups stopped first, in this order; the other groups follow
      and groups with Reverb servers go last (local_mp, ray).
    stop_when_done: group or node names (`actor`, `learner_0`); when one of
      these nodes' run() returns, the program stops.
    grace_period_seconds: how long each stop stage may take before nodes are
      killed (local_mp, ray), or how long wait() waits for threads (local_mt).
    max_restarts, restart_window_minutes, restart_backoff_seconds: restart
      policy of dying nodes (local_mp; ray uses max_restarts per actor).
    progress_fn: called every `progress_period_seconds` with the list of
      NodeStatus, in the supervisor; handles dereference inside it.
    progress_period_seconds: see progress_fn.
    handle_signals: local_mp: SIGINT/SIGTERM stop the program in order (only
      when launched from the main thread).
    ray_address: ray: None starts a local Ray bound to 127.0.0.1; otherwise
      the address of a cluster to join.
    resources: ray: actor options per group, e.g. {"learner": {"num_gpus": 1}}.
    ray_init_kwargs: ray: extra arguments to ray.init for a local instance.

  Returns:
    The running program: `.wait()` blocks until it ends (raising a node's
    error), `.stop_and_wait()` stops it.
  """
  launch_type = launch_type_lib.parse_launch_type(launch_type)
  if launch_type is LaunchType.SINGLE_PROCESS:
    raise ValueError(
        f"launch_type {launch_type.value!r} has no program graph: the caller "
        "runs the single-process agent itself; expected local_mt, local_mp or "
        "ray.")
  if not isinstance(program, program_lib.Program):
    raise TypeError(f"launch expects a Program, got {program!r}.")
  if not program.get_all_nodes():
    raise ValueError(f"Program {program.name!r} has no nodes.")
  program.check()
  if launch_type is LaunchType.LOCAL_MULTI_THREADING:
    from spiral_acme.launchpad.launchers import local_mt  # pylint: disable=g-import-not-at-top
    return local_mt.ThreadsProgram(
        program, stop_when_done=stop_when_done,
        grace_period_seconds=grace_period_seconds, progress_fn=progress_fn,
        progress_period_seconds=progress_period_seconds).start()
  if launch_type is LaunchType.LOCAL_MULTI_PROCESSING:
    from spiral_acme.launchpad.launchers import local_mp  # pylint: disable=g-import-not-at-top
    if workdir is None:
      workdir = tempfile.mkdtemp(prefix=f"{program.name}-")
    os.makedirs(workdir, exist_ok=True)
    return local_mp.ProcessProgram(
        program, workdir=workdir, stop_order=stop_order,
        stop_when_done=stop_when_done,
        grace_period_seconds=grace_period_seconds,
        restart_policy=restart_lib.RestartPolicy(
            max_restarts=max_restarts,
            window_minutes=restart_window_minutes,
            backoff_seconds=restart_backoff_seconds),
        progress_fn=progress_fn,
        progress_period_seconds=progress_period_seconds,
        handle_signals=handle_signals).start()
  if launch_type is LaunchType.RAY:
    from spiral_acme.launchpad.launchers import ray_launcher  # pylint: disable=g-import-not-at-top
    return ray_launcher.RayProgram(
        program, ray_address=ray_address, resources=resources or {},
        workdir=workdir,
        stop_order=stop_order, stop_when_done=stop_when_done,
        grace_period_seconds=grace_period_seconds, max_restarts=max_restarts,
        progress_fn=progress_fn,
        progress_period_seconds=progress_period_seconds,
        ray_init_kwargs=ray_init_kwargs or {}).start()
  raise AssertionError(f"Unhandled launch type {launch_type!r}.")
