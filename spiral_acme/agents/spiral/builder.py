"""The one place that constructs a SPIRAL run's parts.

The single-process agent and the distributed program both call these
methods, so what runs on one machine is what runs on a cluster.

Replay layout: each policy learner has its own episode queue and policy
variable table (`PolicyTables`: "episodes"/"policy_variables" in a single
process, "episodes_<i>"/"policy_variables_<i>" for learner i of a
distributed run); the canvas queue and the discriminator's variable table
are shared by every policy learner, as the hub agents shared one
discriminator learner between ten policy learners.
"""

import dataclasses
import functools
from typing import Callable, List, Optional, Tuple

import numpy as np
import reverb
import tensorflow as tf

from spiral_acme import counting
from spiral_acme import loggers
from spiral_acme import replay
from spiral_acme import specs
from spiral_acme.agents.spiral import acting
from spiral_acme.agents.spiral import discriminator_learning
from spiral_acme.agents.spiral import episodes
from spiral_acme.agents.spiral import learning
from spiral_acme.agents.spiral import rewards
from spiral_acme.agents.spiral.experiment import ExperimentConfig
from spiral_acme.datasets import ImageDataset
from spiral_acme.replay import reconnect
from spiral_acme.datasets import load_dataset
from spiral_acme.environments.batched import BatchedEnvironment
from spiral_acme.networks.discriminator import Discriminator
from spiral_acme.networks.policy import SpiralPolicy

EPISODE_TABLE = "episodes"
CANVAS_TABLE = "canvases"
POLICY_VARIABLES_TABLE = "policy_variables"
DISCRIMINATOR_VARIABLES_TABLE = "discriminator_variables"


@dataclasses.dataclass(frozen=True)
class PolicyTables:
  """The replay tables that belong to one policy learner."""
  episodes: str = EPISODE_TABLE
  policy_variables: str = POLICY_VARIABLES_TABLE

  @classmethod
  def for_learner(cls, index: int) -> "PolicyTables":
    """Learner `index`'s tables in a program with several policy learners."""
    return cls(f"{EPISODE_TABLE}_{index}", f"{POLICY_VARIABLES_TABLE}_{index}")


class SpiralBuilder:
  """Makes environments, networks, tables, adders, actors and learners."""

  def __init__(self, experiment: ExperimentConfig, *,
               replay_timeout: Optional[float] = (
                   replay.timeouts.DEFAULT_TIMEOUT_SECONDS),
               prefetch: int = 0,
               tables: PolicyTables = PolicyTables(),
               should_stop: Optional[Callable[[], bool]] = None,
               write_timeout: Optional[float] = None):
    """Makes a builder.

    Args:
      experiment: the run's configuration.
      replay_timeout: seconds any wait on replay may block before the run
        stops with `ReplayTimeoutError` (None: forever).
      prefetch: learner batches assembled ahead of time (0 in a single
        process, where the learner waits for its own actor).
      tables: the policy learner's tables this builder's parts use.
      should_stop: distributed nodes: learners' waits on replay and actors'
        waits for room end with `StopRequested` when it returns True;
        learners' waits end with `ReplayUnavailableError` when the server is
        lost, and their publishing never blocks for good (see
        replay.reconnect). None: plain waits (single process).
      write_timeout: seconds an actor's episode may wait for room in replay
        (default: `replay_timeout`); distributed actors use a shorter one so
        a lost server is noticed.
    """
    if replay_timeout is not None and not replay_timeout > 0:
      raise ValueError(
          f"replay_timeout must be > 0 seconds or None, got {replay_timeout!r}.")
    self._experiment = experiment
    self._config = experiment.agent
    self._replay_timeout = replay_timeout
    self._prefetch = prefetch
    self._tables = tables
    self._should_stop = should_stop
    self._write_timeout = (replay_timeout if write_timeout is None
                           else write_timeout)

  @property
  def experiment(self) -> ExperimentConfig:
    return self._experiment

  @property
  def tables(self) -> PolicyTables:
    return self._tables

  # Environment and data.

  def make_environment(self, seed: int = 0) -> BatchedEnvironment:
    """K lock-stepped environments for one actor (LibMyPaint is seedless)."""
    del seed  # Painting is deterministic; randomness lives in the actor.
    envs = [self._experiment.environment.make()
            for _ in range(self._config.num_envs_per_actor)]
    return BatchedEnvironment(envs)

  @functools.cached_property
  def environment_spec(self) -> specs.EnvironmentSpec:
    env = self._experiment.environment.make()
    spec = specs.make_environment_spec(env)
    env.close()
    return spec

  @functools.cached_property
  def datasets(self) -> Tuple[Optional[ImageDataset], Optional[ImageDataset]]:
    """(training images, held-out images), or (None, None) without data."""
    if self._experiment.dataset is None:
      return None, None
    dataset = load_dataset(self._experiment.dataset)
    held_out = self._experiment.num_held_out
    if held_out == 0:
      return dataset, None
    return dataset.split(held_out, seed=self._experiment.seed)

  # Networks.

  def _new_policy(self, seed: Optional[int] = None) -> SpiralPolicy:
    env_spec = self.environment_spec
    return SpiralPolicy(
        env_spec.actions, env_spec.observations,
        self._experiment.policy_network,
        conditional=self._config.conditional,
        seed=self._experiment.seed if seed is None else seed)

  def make_policy(self, seed: Optional[int] = None) -> SpiralPolicy:
    """A policy with its variables created (so they can be assigned)."""
    return self._new_policy(seed).create_variables()

  def make_discriminator(self) -> Discriminator:
    discriminator = Discriminator(self._experiment.discriminator)
    canvas = self._dummy_observation(batch_size=1)["canvas"]
    if self._config.conditional:
      discriminator(canvas, canvas)
    else:
      discriminator(canvas)
    return discriminator

  def _dummy_observation(self, batch_size: int):
    obs_spec = self.environment_spec.observations
    canvas = tf.ones((batch_size,) + obs_spec["canvas"].shape, tf.float32)
    observation = {
        "canvas": canvas,
        "action_mask": {k: tf.ones([batch_size], tf.float32)
                        for k in obs_spec["action_mask"]},
        "noise_sample": tf.zeros(
            [batch_size, self._experiment.policy_network.noise_dim]),
    }
    if self._config.conditional:
      observation["target"] = canvas
    return observation

  # Replay.

  def make_replay_tables(self) -> List[reverb.Table]:
    """Every table of a run with this builder's single policy learner."""
    return self.make_policy_tables() + self.make_shared_tables()

  def make_policy_tables(self) -> List[reverb.Table]:
    """This policy learner's episode queue and policy variable table."""
    env_spec = self.environment_spec
    policy = self._new_policy()
    signature = episodes.episode_signature(
        env_spec.observations, env_spec.actions,
        num_actions=self._experiment.num_actions,
        noise_dim=self._experiment.policy_network.noise_dim,
        initial_state=policy.initial_state(1),
        conditional=self._config.conditional)
    return [
        replay.episode_table(self._tables.episodes,
                             max_queue_size=self._config.max_queue_size,
                             signature=signature),
        replay.variable_table(self._tables.policy_variables),
    ]

  def make_shared_tables(self) -> List[reverb.Table]:
    """The canvas queue and discriminator table (none without a discriminator)."""
    env_spec = self.environment_spec
    tables = []
    if self._config.uses_discriminator:
      tables += [
          replay.canvas_table(
              CANVAS_TABLE, replay=self._config.sample_replay,
              max_size=self._config.sample_replay_size,
              min_size_to_sample=self._config.discriminator_batch_size,
              signature=episodes.canvas_signature(
                  env_spec.observations,
                  conditional=self._config.conditional)),
          replay.variable_table(DISCRIMINATOR_VARIABLES_TABLE),
      ]
    return tables

  def make_adder(self, client: reverb.Client,
                 num_envs: int) -> replay.BatchEpisodeAdder:
    """Records an actor's `num_envs` environments into the episode queue."""
    uses_d = self._config.uses_discriminator
    return replay.BatchEpisodeAdder(
        client, table=self._tables.episodes, num_envs=num_envs,
        max_episode_length=self._experiment.num_actions,
        final_observation_table=CANVAS_TABLE if uses_d else None,
        final_observation_keys=("canvas",) if uses_d else (),
        final_episode_keys=(("target",) if uses_d and
                            self._config.conditional else ()),
        observation_transform=episodes.encode_observation,
        timeout=self._write_timeout,
        should_stop=self._should_stop)

  def _dataset_iterator(self, client: reverb.Client, table: str,
                        batch_size: int):
    make = lambda: replay.ReplayBatches(
        client, table, batch_size=batch_size, timeout=self._replay_timeout,
        prefetch=self._prefetch)
    if self._should_stop is None:
      return make()
    return reconnect.WatchedBatches(
        make, reconnect.ServerProbe(client.server_address),
        should_stop=self._should_stop, table=table, batch_size=batch_size)

  def _publisher(self, client: reverb.Client, table: str, variables):
    if self._should_stop is None:
      return replay.VariablePublisher(client, table, variables)
    return reconnect.TimedPublisher(client, table, variables)

  def variable_source(self, client: reverb.Client) -> replay.ReverbVariableSource:
    tables = {"policy": self._tables.policy_variables}
    if self._config.uses_discriminator:
      tables["discriminator"] = DISCRIMINATOR_VARIABLES_TABLE
    return replay.ReverbVariableSource(client, tables,
                                       timeout=self._replay_timeout)

  # Workers.

  def make_actor(self, client: Optional[reverb.Client], *, seed: int,
                 policy: Optional[SpiralPolicy] = None,
                 record: bool = True,
                 targets: Optional[acting.TargetSampler] = None
                 ) -> acting.SpiralActor:
    """An actor for `num_envs_per_actor` environments.

    Args:
      client: the replay server's client (None: no replay, no weight sync).
      seed: seeds the actor's noise, targets and policy sampling.
      policy: an existing policy to act with (default: a new one kept in sync
        with the learner's published weights).
      record: write episodes into replay.
      targets: overrides the target sampler (evaluation on held-out images).
    """
    if policy is None:
      policy = self.make_policy(seed=seed)
    variable_client = None
    if client is not None:
      variable_client = replay.VariableClient(
          self.variable_source(client), {"policy": policy.variables},
          update_period=self._config.variable_update_period)
    adder = None
    if record and client is not None:
      adder = self.make_adder(client, self._config.num_envs_per_actor)
    if targets is None and self._config.conditional:
      train, _ = self.datasets
      targets = train.sample
    return acting.SpiralActor(
        policy, noise_dim=self._experiment.policy_network.noise_dim,
        rng=np.random.default_rng(seed), adder=adder,
        variable_client=variable_client, target_sampler=targets)

  def make_learner(self, client: reverb.Client, *,
                   counter: Optional[counting.Counter] = None,
                   logger: Optional[loggers.Logger] = None,
                   policy: Optional[SpiralPolicy] = None
                   ) -> learning.SpiralLearner:
    policy = policy or self.make_policy()
    discriminator = discriminator_client = None
    if self._config.uses_discriminator:
      discriminator = self.make_discriminator()
      discriminator_client = replay.VariableClient(
          self.variable_source(client),
          {"discriminator": discriminator.variables})
    reward_fn = rewards.reward_function_for(self._config, discriminator)
    return learning.SpiralLearner(
        policy=policy, config=self._config,
        reward_fn=reward_fn,
        iterator=self._dataset_iterator(client, self._tables.episodes,
                                        self._config.batch_size),
        publisher=self._publisher(client, self._tables.policy_variables,
                                  policy.variables),
        discriminator_client=discriminator_client,
        counter=counter, logger=logger)

  def make_discriminator_learner(
      self, client: reverb.Client, *,
      counter: Optional[counting.Counter] = None,
      logger: Optional[loggers.Logger] = None
  ) -> Optional[discriminator_learning.DiscriminatorLearner]:
    """The discriminator learner, or None when rewards need no discriminator."""
    if not self._config.uses_discriminator:
      return None
    discriminator = self.make_discriminator()
    real_sampler = None
    if not self._config.conditional:
      train, _ = self.datasets
      rng = np.random.default_rng(self._experiment.seed + 1)
      real_sampler = lambda n: train.sample(n, rng)
    learner = discriminator_learning.DiscriminatorLearner(
        discriminator=discriminator, config=self._config,
        iterator=self._dataset_iterator(
            client, CANVAS_TABLE, self._config.discriminator_batch_size),
        real_sampler=real_sampler, seed=self._experiment.seed,
        publisher=self._publisher(
            client, DISCRIMINATOR_VARIABLES_TABLE, discriminator.variables),
        counter=counter, logger=logger)
    return learner
