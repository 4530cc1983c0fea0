"""SPIRAL as a distributed program: the topology, and a run from start to end.

    run(experiment, RunConfig(workdir="runs/d", num_steps=1000),
        launch_type="local_mp", num_actors=4, num_policy_learners=2)

The program (one function, `make_program`, reads like the diagram):

    replay (one Reverb server)        counter (totals, saved)   budget
      episodes_i, policy_variables_i  <- every node counts       polls learners
      canvases, discriminator_variables                          and counter
            ^        |                                           -> lp.stop()
  actor_i,j |        v
  (K envs) -+-> learner_i (policy, V-trace) --> evaluator_i (TensorBoard)
            |        ^ rewards: newest D        snapshotter (SavedModels)
            +-> canvases --> discriminator_0 (one, shared by all learners)

For each policy learner i: `num_actors` actors of `num_envs_per_actor`
environments write whole episodes into `episodes_i` and read weights from
`policy_variables_i`. Final canvases of every actor go into one canvas
queue feeding the single discriminator learner (only when the reward uses
a discriminator), whose weights every policy learner reads. Learners,
budget and checkpoints: see learner_nodes and budget.

Per-learner hyperparameters (what population-based training will change):
`learner_overrides[i]` replaces fields of `experiment.agent` for learner i
and its actors; fields the learners share (the discriminator's, the reward,
conditioning) cannot differ.
"""

import dataclasses
import functools
import os
from typing import Any, Callable, List, Mapping, Optional, Sequence, Union

import spiral_acme.launchpad as lp
from spiral_acme import hub
from spiral_acme import interrupts
from spiral_acme import progress as progress_lib
from spiral_acme import replay as replay_lib
from spiral_acme import workdir as workdir_lib
from spiral_acme.agents.spiral import budget
from spiral_acme.agents.spiral import learner_nodes
from spiral_acme.agents.spiral import training
from spiral_acme.agents.spiral import worker_nodes
from spiral_acme.agents.spiral.builder import PolicyTables
from spiral_acme.agents.spiral.builder import SpiralBuilder
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.launchpad.launch_type import parse_launch_type

# Stopped first to last; replay goes after all of them.
STOP_ORDER = ("budget", "actor", "evaluator", "snapshotter", "learner",
              "discriminator", "counter")
# SpiralConfig fields every policy learner must share.
_SHARED_FIELDS = ("conditional", "reward_type", "sample_replay",
                  "sample_replay_batches")
_SHARED_PREFIXES = ("discriminator_", "gradient_penalty_")


class RunFailedError(RuntimeError):
  """The program stopped on a failure (non-finite numbers, a node that kept
  dying); the last checkpoints stay."""


def learner_name(index: int) -> str:
  return f"learner_{index}"


def learner_experiments(experiment: ExperimentConfig, num_policy_learners: int,
                        learner_overrides: Sequence[Mapping[str, Any]] = ()
                        ) -> List[ExperimentConfig]:
  """Each policy learner's experiment, with its agent overrides applied."""
  if not isinstance(num_policy_learners, int) or num_policy_learners < 1:
    raise ValueError("num_policy_learners must be an integer >= 1, got "
                     f"{num_policy_learners!r}.")
  overrides = list(learner_overrides) or [{}] * num_policy_learners
  if len(overrides) != num_policy_learners:
    raise ValueError(f"learner_overrides has {len(overrides)} entries; "
                     f"expected one per policy learner ({num_policy_learners}).")
  experiments = []
  for i, fields in enumerate(overrides):
    shared = sorted(k for k in fields if k in _SHARED_FIELDS or
                    k.startswith(_SHARED_PREFIXES))
    if shared:
      raise ValueError(f"learner_overrides[{i}] changes {shared}, which all "
                       "policy learners share; set them in the experiment.")
    experiments.append(dataclasses.replace(
        experiment, agent=dataclasses.replace(experiment.agent, **fields)))
  return experiments


def _replay_tables(experiments: Sequence[ExperimentConfig]):
  builders = [SpiralBuilder(e, tables=PolicyTables.for_learner(i))
              for i, e in enumerate(experiments)]
  return ([t for b in builders for t in b.make_policy_tables()] +
          builders[0].make_shared_tables())


def make_program(experiment: ExperimentConfig, *, workdir: str,
                 num_actors: int = 1, num_policy_learners: int = 1,
                 learner_overrides: Sequence[Mapping[str, Any]] = (),
                 num_steps: Optional[int] = None,
                 max_actor_steps: Optional[int] = None,
                 max_minutes: Optional[float] = None,
                 checkpoint_every_minutes: float = 5.0,
                 evaluate_every_minutes: Optional[float] = 5.0,
                 snapshot_every_minutes: Optional[float] = 10.0,
                 keep_snapshots: int = 5,
                 replay_timeout_seconds: float = 600.0,
                 cpu_only_workers: bool = True,
                 name: str = "spiral") -> lp.Program:
  """SPIRAL's program graph (see the module docstring).

  Args:
    experiment: the run's configuration (shared by all learners).
    workdir: checkpoints, counts, logs, snapshots (shared by every node).
    num_actors: actor nodes per policy learner.
    num_policy_learners: policy learners, each with its own tables.
    learner_overrides: per learner, SpiralConfig fields to replace.
    num_steps: steps of each policy learner (None: no step budget).
    max_actor_steps: environment steps of all actors together.
    max_minutes: training minutes over every run of the workdir.
    checkpoint_every_minutes: learners' checkpoint interval.
    evaluate_every_minutes: evaluators' interval (None: no evaluators).
    snapshot_every_minutes: snapshotter's interval, keeping the newest
      `keep_snapshots` (None: no snapshotter).
    replay_timeout_seconds: longest wait on replay before a node fails.
    cpu_only_workers: hide GPUs from actors, evaluators and the snapshotter
      (False under local_mt, where every node shares the learners' process).
    name: the program's name.
  """
  experiments = learner_experiments(experiment, num_policy_learners,
                                    learner_overrides)
  uses_discriminator = experiment.agent.uses_discriminator
  timing = dict(checkpoint_every_seconds=60 * checkpoint_every_minutes,
                replay_timeout=replay_timeout_seconds)
  program = lp.Program(name)

  with program.group("replay"):
    replay = program.add_node(lp.ReverbNode(
        functools.partial(_replay_tables, experiments),
        checkpoint_ctor=replay_lib.server.no_checkpointer))

  with program.group("counter"):
    counter = program.add_node(lp.CourierNode(
        budget.SavedCounter, os.path.join(workdir, "checkpoints", "counts.json")))

  learners = []
  with program.group("learner"):
    for i, learner_experiment in enumerate(experiments):
      learners.append(program.add_node(lp.CourierNode(
          learner_nodes.PolicyLearnerNode, learner_experiment,
          name=learner_name(i), replay=replay, counter=counter,
          workdir=workdir, tables=PolicyTables.for_learner(i),
          num_steps=num_steps, **timing)))

  if uses_discriminator:
    with program.group("discriminator"):
      program.add_node(lp.CourierNode(
          learner_nodes.DiscriminatorLearnerNode, experiment,
          name="discriminator_0", replay=replay, counter=counter,
          workdir=workdir, **timing))

  with program.group("actor"):
    for i, learner_experiment in enumerate(experiments):
      for j in range(num_actors):
        program.add_node(lp.PyClassNode(
            worker_nodes.ActorNode, learner_experiment,
            name=f"actor_{i}_{j}", replay=replay, counter=counter,
            counter_prefix=f"actor_{i}", tables=PolicyTables.for_learner(i),
            seed=experiment.seed + 1 + i * num_actors + j,
            replay_timeout=replay_timeout_seconds,
            cpu_only=cpu_only_workers))

  if evaluate_every_minutes is not None:
    with program.group("evaluator"):
      for i, (learner, learner_experiment) in enumerate(
          zip(learners, experiments)):
        program.add_node(lp.PyClassNode(
            worker_nodes.EvaluatorNode, learner_experiment,
            name=f"evaluator_{i}", learner=learner, workdir=workdir,
            every_seconds=60 * evaluate_every_minutes,
            cpu_only=cpu_only_workers))

  if snapshot_every_minutes is not None:
    with program.group("snapshotter"):
      program.add_node(lp.PyClassNode(
          worker_nodes.SnapshotterNode, experiment, learners=learners,
          names=[learner_name(i) for i in range(num_policy_learners)],
          workdir=workdir, every_seconds=60 * snapshot_every_minutes,
          keep=keep_snapshots, cpu_only=cpu_only_workers))

  with program.group("budget"):
    program.add_node(lp.PyClassNode(
        budget.StepsLimiter, counter, learners, num_steps=num_steps,
        max_actor_steps=max_actor_steps,
        max_seconds=None if max_minutes is None else 60 * max_minutes))
  return program


def _progress_fn(counter_handle: lp.Handle,
                 experiments: Sequence[ExperimentConfig],
                 reporter: progress_lib.ProgressReporter
                 ) -> Callable[[Sequence[lp.NodeStatus]], None]:
  """progress_fn for lp.launch: one line from the counter node's totals.

  It runs in the supervisor's loop, which also restarts dead nodes, so it
  never waits on the counter: it asks with a future and reports the answer
  on a later call (a restarting counter just skips lines).
  """
  state = {"client": None, "pending": None}

  def report(statuses: Sequence[lp.NodeStatus]) -> None:
    del statuses  # Restarts are in nodes.json; the line stays short.
    if state["client"] is None:
      state["client"] = counter_handle.dereference()
    pending = state["pending"]
    if pending is None:
      state["pending"] = state["client"].futures.get_counts()
      return
    if not pending.done():
      return
    state["pending"] = state["client"].futures.get_counts()
    try:
      counts = pending.result()
    except Exception:  # pylint: disable=broad-except
      return  # The counter was restarting; the next call asks again.
    steps = [counts.get(f"{learner_name(i)}_steps", 0)
             for i in range(len(experiments))]
    frames = sum(counts.get(f"actor_{i}_steps", 0) *
                 e.agent.num_envs_per_actor for i, e in enumerate(experiments))
    reporter.maybe_report(progress_lib.Progress(
        learner_steps=int(min(steps)), frames=int(frames),
        elapsed_seconds=counts.get(budget.ELAPSED_KEY, 0.0)))
  return report


def _counter_handle(program: lp.Program) -> lp.Handle:
  return program.groups["counter"][0].create_handle()


def export_policies(experiment: ExperimentConfig, workdir: str,
                    num_policy_learners: int, *,
                    print_fn: Callable[[str], None] = print) -> List[str]:
  """Exports each learner's newest checkpointed policy to WORKDIR/policy.

  One learner: WORKDIR/policy; several: WORKDIR/policy/learner_<i>.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from spiral_acme import checkpointing  # pylint: disable=g-import-not-at-top
  written = []
  for i in range(num_policy_learners):
    name = learner_name(i)
    latest = checkpointing.Checkpointer(
        os.path.join(workdir, "checkpoints", name), warn=print_fn
    ).latest_intact()
    if latest is None:
      print_fn(f"{name} saved no checkpoint; no policy to export.")
      continue
    policy = SpiralBuilder(experiment).make_policy()
    tf.train.Checkpoint(policy=policy).read(latest[1]).expect_partial()
    path = os.path.join(workdir, "policy")
    if num_policy_learners > 1:
      path = os.path.join(path, name)
    hub.export_policy(policy, path, experiment.environment)
    print_fn(f"Policy of {name} (step {latest[0]}): {path}")
    written.append(path)
  return written


def run(experiment: ExperimentConfig, run_config: training.RunConfig, *,
        launch_type: Union[str, lp.LaunchType], num_actors: int = 1,
        num_policy_learners: int = 1,
        ray_address: Optional[str] = None,
        learner_overrides: Sequence[Mapping[str, Any]] = (),
        max_actor_steps: Optional[int] = None,
        snapshot_every_minutes: Optional[float] = 10.0,
        keep_snapshots: int = 5, evaluate: bool = True,
        max_restarts: int = 5, grace_period_seconds: float = 60.0,
        resources: Optional[Mapping[str, Mapping[str, Any]]] = None,
        ray_init_kwargs: Optional[Mapping[str, Any]] = None,
        print_fn: Callable[[str], None] = print) -> None:
  """Trains with the distributed program until a budget or SIGINT/SIGTERM.

  Takes the workdir's lock, records (or checks) the configuration, launches
  the program, waits, then exports each policy learner's final policy.
  Returns normally (exit 0) on a spent budget or a stop signal.

  Args:
    experiment, run_config: what to train and how long (RunConfig's
      num_steps is per policy learner; its intervals apply to the nodes).
    launch_type: "local_mt", "local_mp", "ray" (a LaunchType or its value),
      or "single_process" (the single-process agent, `training.train`).
    num_actors: actor nodes per policy learner.
    num_policy_learners: policy learners sharing one discriminator.
    ray_address: ray: a cluster to join (None: a local Ray on 127.0.0.1).
    learner_overrides: per learner, SpiralConfig fields to replace.
    max_actor_steps: budget of environment steps over all actors.
    snapshot_every_minutes, keep_snapshots: the snapshotter's schedule
      (None: no snapshots).
    evaluate: run an evaluator per learner (every `images_every_minutes`).
    max_restarts: restarts allowed per node (local_mp: per 10 minutes).
    grace_period_seconds: time each stop stage has before nodes are killed.
    resources: ray: actor options per group (default: {"num_cpus": 0} for
      every group, so a small machine places every node).
    ray_init_kwargs: ray: extra ray.init arguments for a local instance.
    print_fn: where progress lines and messages go.

  Raises:
    RunFailedError: a learner stopped the run on non-finite numbers, or a
      node died more often than max_restarts allows.
  """
  kind = parse_launch_type(launch_type)
  if kind is lp.LaunchType.SINGLE_PROCESS:
    if num_policy_learners != 1:
      raise ValueError("single_process trains one policy learner; got "
                       f"num_policy_learners={num_policy_learners}.")
    training.train(experiment, run_config, print_fn=print_fn)
    return
  workdir = run_config.workdir
  lock = workdir_lib.WorkdirLock(workdir, warn=print_fn)
  lock.acquire()
  try:
    experiments = learner_experiments(experiment, num_policy_learners,
                                      learner_overrides)
    workdir_lib.check_config(workdir, {
        **experiment.to_dict(),
        "distributed": {"num_policy_learners": num_policy_learners,
                        "learner_overrides": [
                            e.to_dict()["agent"] for e in experiments]}})
    learner_nodes.clear_errors(workdir)
    program = make_program(
        experiment, workdir=workdir, num_actors=num_actors,
        num_policy_learners=num_policy_learners,
        learner_overrides=learner_overrides, num_steps=run_config.num_steps,
        max_actor_steps=max_actor_steps, max_minutes=run_config.max_minutes,
        checkpoint_every_minutes=run_config.checkpoint_every_minutes,
        evaluate_every_minutes=(run_config.images_every_minutes if evaluate
                                else None),
        snapshot_every_minutes=snapshot_every_minutes,
        keep_snapshots=keep_snapshots,
        replay_timeout_seconds=run_config.replay_timeout_seconds,
        cpu_only_workers=kind is not lp.LaunchType.LOCAL_MULTI_THREADING)
    reporter = progress_lib.ProgressReporter(
        total_steps=run_config.num_steps,
        budget_seconds=(None if run_config.max_minutes is None
                        else 60 * run_config.max_minutes),
        every_seconds=run_config.progress_every_seconds, print_fn=print_fn)
    if kind is lp.LaunchType.RAY and resources is None:
      resources = {group: {"num_cpus": 0} for group in program.groups}
    print_fn(f"Launching {sum(len(n) for n in program.groups.values())} "
             f"nodes ({kind.value}); workdir {workdir}")
    running = lp.launch(
        program, kind, workdir=workdir, stop_order=STOP_ORDER,
        grace_period_seconds=grace_period_seconds, max_restarts=max_restarts,
        progress_fn=_progress_fn(_counter_handle(program), experiments,
                                 reporter),
        progress_period_seconds=1.0,  # The reporter keeps its own interval.
        ray_address=ray_address, resources=resources,
        ray_init_kwargs=ray_init_kwargs)
    try:
      _wait(running, kind)
    except lp.ProgramFailedError as e:
      raise RunFailedError(f"{e} (the last checkpoints stay)") from e
    errors = learner_nodes.read_errors(workdir)
    if errors:
      raise RunFailedError("The run stopped on non-finite numbers (the last "
                           "checkpoints stay): " + "; ".join(errors))
    export_policies(experiment, workdir, num_policy_learners,
                    print_fn=print_fn)
  finally:
    lock.release()


def _wait(running: Any, kind: lp.LaunchType) -> None:
  """Waits for the program; SIGINT/SIGTERM stop it in order."""
  if kind is lp.LaunchType.LOCAL_MULTI_PROCESSING:
    running.wait()  # The supervisor handles the signals itself.
    return
  with interrupts.StopRequest() as stop:
    while not running.wait(timeout=0.5):
      if stop.requested:
        running.stop_and_wait()
        return
