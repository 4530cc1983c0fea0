"""SpiralPolicy: DeepMind's "default" SPIRAL agent as a Sonnet 2 module.

    policy = SpiralPolicy(env.action_spec(), env.observation_spec())
    state = policy.initial_state(batch_size)
    actions, state, extras = policy.compiled_step(step_type, obs, state)

`step` samples the autoregressive heads (or teacher-forces given actions) for
one time step; `unroll` teacher-forces a [T, B] batch for the learner. The
`compiled_*` variants run the same math in tf.functions with a fixed input
signature (dynamic batch and time), so they trace once.
"""

from typing import Any, Callable, Mapping, Optional

import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import config as config_lib
from spiral_acme.networks import heads as heads_lib
from spiral_acme.networks import layers
from spiral_acme.networks import policy_spec
from spiral_acme.networks import torso as torso_lib

Nest = Any
FIRST = 0  # dm_env.StepType.FIRST


class SpiralPolicy(snt.Module):
  """Torso -> LSTM -> autoregressive heads, with a value baseline."""

  def __init__(self, action_spec: Mapping[str, Any],
               observation_spec: Mapping[str, Any],
               config: config_lib.PolicyNetworkConfig = (
                   config_lib.PolicyNetworkConfig()), *,
               conditional: bool = False, seed: Optional[int] = None,
               jit_compile: bool = False, name: str = "spiral_policy"):
    """Builds the policy (variables are created on the first call).

    Args:
      action_spec: ordered {key: DiscreteArray} of the environment.
      observation_spec: the environment's observation spec; only `canvas`
        (shape [W, W, C]) is read. `noise_sample` and `target` are added by
        the actor.
      config: widths and depths; DeepMind's by default.
      conditional: whether `observation["target"]` (shaped like the canvas)
        is an input.
      seed: seeds the policy's own random generator used for sampling.
      jit_compile: compile `compiled_step` / `compiled_unroll` with XLA.
      name: module name.
    """
    super().__init__(name=name)
    self._spec = policy_spec.PolicySpec.from_env_specs(
        action_spec, observation_spec, config, conditional=conditional)
    self._config = config
    self._torso = torso_lib.Torso(self._spec.actions, self._spec.canvas_width,
                                  config)
    self._lstm = layers.LSTM(config.lstm_size,
                             forget_bias=config.lstm_forget_bias)
    self._heads = heads_lib.AutoregressiveHeads(self._spec.head_order, config)
    self._baseline = snt.Linear(1, name="baseline")
    self._rng = (tf.random.Generator.from_seed(seed) if seed is not None
                 else tf.random.Generator.from_non_deterministic_state())
    self._jit_compile = jit_compile
    self._compiled = {}
    self._built = False

  @property
  def spec(self) -> policy_spec.PolicySpec:
    return self._spec

  @property
  def config(self) -> config_lib.PolicyNetworkConfig:
    return self._config

  def _step_signature(self, *, teacher_forced: bool = False) -> list:
    spec = self._spec
    return [tf.TensorSpec([None], tf.int32),
            spec.observation_signature([None]),
            spec.state_signature(self._config.lstm_size)] + (
                [spec.action_signature([None])] if teacher_forced else [])

  def _unroll_signature(self) -> list:
    spec = self._spec
    return [tf.TensorSpec([None, None], tf.int32),
            spec.observation_signature([None, None]),
            spec.state_signature(self._config.lstm_size),
            spec.action_signature([None, None])]

  def initial_state(self, batch_size: Any) -> Nest:
    """Zero LSTM state and previous actions for `batch_size` episodes."""
    size = self._config.lstm_size
    return {
        "lstm_state": {"cell": tf.zeros([batch_size, size]),
                       "hidden": tf.zeros([batch_size, size])},
        "prev_action": {a.key: tf.zeros([batch_size], tf.int32)
                        for a in self._spec.actions},
    }

  def create_variables(self) -> "SpiralPolicy":
    """Creates every variable by running one teacher-forced step."""
    observation = self._spec.zero_observation(1)
    actions = {a.key: tf.zeros([1], tf.int32) for a in self._spec.actions}
    self.step(tf.zeros([1], tf.int32), observation, self.initial_state(1),
              actions)
    return self

  def reseed(self, seed: Any) -> None:
    """Restarts the sampling stream from `seed` (int or int64 tensor).

    Works inside tf.function too: the seed becomes the Philox key.
    """
    zero = tf.constant(0, tf.int64)
    self._rng.reset(tf.stack([zero, zero, tf.cast(seed, tf.int64)]))

  def _sampler(self, batch_size: tf.Tensor) -> Callable[[tf.Tensor],
                                                         tf.Tensor]:
    """A sampling function for the heads, called once per head in order.

    One uniform draw per head and row, all drawn at once, picks the action
    by inverting the CDF: cheaper than Gumbel-max or tf.random.categorical,
    which need a random number per logit (1024 for location heads).
    """
    uniforms = iter(tf.unstack(self._rng.uniform(
        tf.stack([batch_size, len(self._spec.actions)])), axis=1,
        num=len(self._spec.actions)))

    def sample(logits: tf.Tensor) -> tf.Tensor:
      cdf = tf.cumsum(tf.nn.softmax(logits), axis=-1)
      index = tf.reduce_sum(
          tf.cast(cdf <= next(uniforms)[:, None], tf.int32), axis=-1)
      # Rounding can leave the last CDF entry just below the draw.
      return tf.minimum(index, logits.shape[-1] - 1)

    return sample

  def _readout_map(self, feature_map: tf.Tensor, canvas: tf.Tensor,
                   target: Optional[tf.Tensor]) -> Optional[tf.Tensor]:
    """The feature map with the canvas's and target's cell-averaged pixels
    beside it (`location_readout_pixels`), or None: readouts read it."""
    if not self._config.location_readout_pixels:
      return None
    pixels = canvas if target is None else tf.concat([canvas, target], -1)
    width = feature_map.shape[1]
    pooled = tf.image.resize(tf.cast(pixels, tf.float32), [width, width],
                             method="area")
    return tf.concat([feature_map, pooled], -1)

  def _pixels(self, canvas: tf.Tensor, target: Optional[tf.Tensor]
              ) -> Optional[tf.Tensor]:
    """The canvas (and target) that location glimpses and strokes read, or
    None."""
    if not (self._config.location_glimpse or self._config.location_stroke):
      return None
    canvas = tf.cast(canvas, tf.float32)
    return canvas if target is None else tf.concat(
        [canvas, tf.cast(target, tf.float32)], -1)

  def step(self, step_type: tf.Tensor, observation: Mapping[str, Any],
           state: Nest, actions: Optional[Mapping[str, Any]] = None,
           ) -> tuple[dict[str, tf.Tensor], Nest, Nest]:
    """One time step for a batch: (actions, new_state, extras).

    On FIRST steps the LSTM state is replaced by zeros and every previous
    action by index 0 (the action mask still applies), as DeepMind does.
    """
    observation = self._spec.select_observation(observation, batch_dims=1)
    first = tf.equal(tf.convert_to_tensor(step_type, tf.int32), FIRST)
    keep = 1.0 - tf.cast(first, tf.float32)[:, None]
    prev_action = {k: tf.where(first, 0, tf.cast(v, tf.int32))
                   for k, v in state["prev_action"].items()}
    torso_out, feature_map = self._torso(observation["canvas"], prev_action,
                                         observation["action_mask"],
                                         observation["noise_sample"],
                                         observation.get("target"))
    cell, hidden = self._lstm(torso_out,
                              state["lstm_state"]["cell"] * keep,
                              state["lstm_state"]["hidden"] * keep)
    sample = None if actions is not None else self._sampler(
        tf.shape(hidden)[0])
    chosen, logits = self._heads(
        hidden, actions, sample, feature_map,
        readout_map=self._readout_map(feature_map, observation["canvas"],
                                      observation.get("target")),
        pixels=self._pixels(observation["canvas"], observation.get("target")),
        pen=prev_action.get("end"))
    new_state = {"lstm_state": {"cell": cell, "hidden": hidden},
                 "prev_action": {a.key: chosen[a.key]
                                 for a in self._spec.actions}}
    extras = {"logits": logits,
              "baseline": tf.squeeze(self._baseline(hidden), -1)}
    self._built = True
    return chosen, new_state, extras

  def unroll(self, step_types: tf.Tensor, observations: Mapping[str, Any],
             initial_state: Nest, actions: Mapping[str, Any],
             ) -> tuple[Nest, Nest]:
    """Teacher-forced pass over [T, B]: (extras [T, B, ...], final_state).

    The previous actions are known (the given actions shifted by one, with
    `initial_state`'s at t=0), so the torso and the heads run on all T*B
    frames at once and only the LSTM recurrence loops over time.
    """
    observations = self._spec.select_observation(observations, batch_dims=2)
    step_types = tf.convert_to_tensor(step_types, tf.int32)
    actions = {a.key: tf.cast(actions[a.key], tf.int32)
               for a in self._spec.actions}
    first = tf.equal(step_types, FIRST)
    time_batch = tf.shape(step_types)

    def flat(x):
      return tf.reshape(x, tf.concat([[-1], tf.shape(x)[2:]], 0))

    prev_action = {
        k: flat(tf.where(first, 0, tf.concat(
            [tf.cast(initial_state["prev_action"][k], tf.int32)[None],
             v[:-1]], 0)))
        for k, v in actions.items()}
    torso_out, feature_map = self._torso(
        flat(observations["canvas"]), prev_action,
        tf.nest.map_structure(flat, observations["action_mask"]),
        flat(observations["noise_sample"]),
        flat(observations["target"]) if "target" in observations else None)
    gates = self._lstm.input_gates(torso_out)
    gates = tf.reshape(gates, tf.concat([time_batch, [-1]], 0))

    def recur(carry, inputs):
      cell, hidden = carry
      gates_t, first_t = inputs
      keep = 1.0 - tf.cast(first_t, tf.float32)[:, None]
      return self._lstm.recur(gates_t, cell * keep, hidden * keep)

    start = (tf.convert_to_tensor(initial_state["lstm_state"]["cell"]),
             tf.convert_to_tensor(initial_state["lstm_state"]["hidden"]))
    cells, hiddens = tf.scan(recur, (gates, first), initializer=start)
    hidden_flat = flat(hiddens)
    canvas = flat(observations["canvas"])
    target = (flat(observations["target"]) if "target" in observations
              else None)
    _, logits = self._heads(
        hidden_flat, tf.nest.map_structure(flat, actions),
        feature_map=feature_map,
        readout_map=self._readout_map(feature_map, canvas, target),
        pixels=self._pixels(canvas, target), pen=prev_action.get("end"))

    def unflat(x):
      return tf.reshape(x, tf.concat([time_batch, tf.shape(x)[1:]], 0))

    extras = {"logits": tf.nest.map_structure(unflat, logits),
              "baseline": tf.reshape(self._baseline(hidden_flat),
                                     time_batch)}
    final_state = {"lstm_state": {"cell": cells[-1], "hidden": hiddens[-1]},
                   "prev_action": {k: v[-1] for k, v in actions.items()}}
    return extras, final_state

  @snt.no_name_scope
  def _call_compiled(self, name: str, fn, signature: Callable[[], list],
                     args: list) -> Any:
    """Calls `fn` through a tf.function with `signature()`, traced once.

    The concrete function is called directly: binding nested arguments to a
    polymorphic tf.function costs about a millisecond per call.
    """
    if name not in self._compiled:
      if not self._built:
        self.create_variables()  # Tracing must not create variables.
      specs = signature()
      function = tf.function(fn, input_signature=specs,
                             jit_compile=self._jit_compile)
      self._compiled[name] = (function, function.get_concrete_function(),
                              specs)
    _, concrete, specs = self._compiled[name]
    args = tf.nest.map_structure(
        lambda x, spec: tf.convert_to_tensor(x, spec.dtype), args, specs)
    return concrete(*args)

  @snt.no_name_scope
  def compiled_step(self, step_type: Any, observation: Mapping[str, Any],
                    state: Nest, actions: Optional[Mapping[str, Any]] = None,
                    ) -> tuple[dict[str, tf.Tensor], Nest, Nest]:
    """`step` in a tf.function traced once for any batch size."""
    args = [step_type, self._spec.select_observation(observation, batch_dims=1),
            {"lstm_state": dict(state["lstm_state"]),
             "prev_action": dict(state["prev_action"])}]
    if actions is None:
      return self._call_compiled(
          "step", lambda t, o, s: self.step(t, o, s), self._step_signature,
          args)
    return self._call_compiled(
        "teacher_forced_step", self.step,
        lambda: self._step_signature(teacher_forced=True),
        args + [dict(actions)])

  @snt.no_name_scope
  def compiled_unroll(self, step_types: Any, observations: Mapping[str, Any],
                      initial_state: Nest, actions: Mapping[str, Any],
                      ) -> tuple[Nest, Nest]:
    """`unroll` in a tf.function traced once for any [T, B]."""
    observations = self._spec.select_observation(observations, batch_dims=2)
    args = [step_types, observations,
            {"lstm_state": dict(initial_state["lstm_state"]),
             "prev_action": dict(initial_state["prev_action"])},
            dict(actions)]
    return self._call_compiled("unroll", self.unroll, self._unroll_signature,
                               args)

  @snt.no_name_scope
  def trace_count(self) -> int:
    """Number of traces of the compiled functions so far (for tests)."""
    return sum(function.experimental_get_tracing_count()
               for function, _, _ in self._compiled.values())


def count_parameters(module: snt.Module) -> int:
  """Number of trainable scalars in `module`."""
  return int(sum(v.shape.num_elements() for v in module.trainable_variables))
