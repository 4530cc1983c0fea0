"""Tests for spiral_acme.agents.spiral.vtrace against a numpy reference."""

import itertools

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme.agents.spiral import vtrace


def _reference_vtrace(log_rhos, discounts, rewards, values, bootstrap_value,
                      clip_rho, clip_pg_rho, lambda_):
  """V-trace from its n-step definition (IMPALA eq. 1), loops over time."""
  num_steps = values.shape[0]
  rhos = np.exp(log_rhos)
  rho_bar = rhos if clip_rho is None else np.minimum(rhos, clip_rho)
  cs = lambda_ * np.minimum(rhos, 1.0)
  next_values = np.concatenate([values[1:], bootstrap_value[None]], 0)
  deltas = rho_bar * (rewards + discounts * next_values - values)
  vs = np.zeros_like(values)
  for t in range(num_steps):
    total = values[t].copy()
    trace = np.ones_like(values[t])  # prod_{i=t}^{s-1} gamma_i c_i.
    for s in range(t, num_steps):
      total += trace * deltas[s]
      trace = trace * discounts[s] * cs[s]
    vs[t] = total
  pg_rho = rhos if clip_pg_rho is None else np.minimum(rhos, clip_pg_rho)
  next_vs = np.concatenate([vs[1:], bootstrap_value[None]], 0)
  pg_advantages = pg_rho * (rewards + discounts * next_vs - values)
  return vs, pg_advantages


def _random_inputs(seed, num_steps=6, batch_size=3, dtype=np.float64):
  rng = np.random.default_rng(seed)
  return dict(
      log_rhos=rng.normal(0.0, 1.0, (num_steps, batch_size)).astype(dtype),
      discounts=(0.95 * (rng.uniform(size=(num_steps, batch_size)) > 0.2)
                 ).astype(dtype),
      rewards=rng.normal(size=(num_steps, batch_size)).astype(dtype),
      values=rng.normal(size=(num_steps, batch_size)).astype(dtype),
      bootstrap_value=rng.normal(size=(batch_size,)).astype(dtype))


@pytest.mark.parametrize(
    "clip_rho, clip_pg_rho, lambda_",
    list(itertools.product([1.0, 0.5, 3.7, None], [1.0, None], [1.0, 0.9]))
    + [(1.0, 2.0, 0.0), (None, None, 0.5)])
def test_matches_numpy_reference(clip_rho, clip_pg_rho, lambda_):
  inputs = _random_inputs(seed=hash((clip_rho, clip_pg_rho, lambda_)) % 1000)
  got = vtrace.vtrace_returns(
      **inputs, clip_rho_threshold=clip_rho,
      clip_pg_rho_threshold=clip_pg_rho, lambda_=lambda_)
  want_vs, want_adv = _reference_vtrace(
      **inputs, clip_rho=clip_rho, clip_pg_rho=clip_pg_rho, lambda_=lambda_)
  np.testing.assert_allclose(got.vs.numpy(), want_vs, rtol=1e-10, atol=1e-10)
  np.testing.assert_allclose(got.pg_advantages.numpy(), want_adv,
                             rtol=1e-10, atol=1e-10)


def test_float32_inside_tf_function_with_unknown_length():
  spec = tf.TensorSpec([None, None], tf.float32)
  fn = tf.function(
      lambda *args: vtrace.vtrace_returns(*args, lambda_=0.9),
      input_signature=[spec] * 4 + [tf.TensorSpec([None], tf.float32)])
  graph = fn.get_concrete_function().graph
  op_types = {op.type for op in graph.get_operations()}
  assert {"While", "StatelessWhile"} & op_types  # A loop op, not unrolled.
  for num_steps in (2, 9):  # The same trace serves every length.
    inputs = _random_inputs(seed=num_steps, num_steps=num_steps,
                            dtype=np.float32)
    got = fn(inputs["log_rhos"], inputs["discounts"], inputs["rewards"],
             inputs["values"], inputs["bootstrap_value"])
    want_vs, want_adv = _reference_vtrace(
        **inputs, clip_rho=1.0, clip_pg_rho=1.0, lambda_=0.9)
    np.testing.assert_allclose(got.vs.numpy(), want_vs, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.pg_advantages.numpy(), want_adv,
                               rtol=1e-5, atol=1e-5)
  assert fn.experimental_get_tracing_count() == 1


def _two_step(log_rhos):
  return vtrace.vtrace_returns(
      log_rhos=np.array([[log_rhos[0]], [log_rhos[1]]]),
      discounts=np.array([[0.9], [0.9]]),
      rewards=np.array([[1.0], [2.0]]),
      values=np.array([[0.5], [1.0]]),
      bootstrap_value=np.array([3.0]))


def test_two_step_on_policy_is_the_discounted_return():
  returns = _two_step([0.0, 0.0])
  # vs_1 = 2 + 0.9 * 3 = 4.7; vs_0 = 1 + 0.9 * 4.7 = 5.23.
  np.testing.assert_allclose(returns.vs.numpy()[:, 0], [5.23, 4.7])
  # A_0 = 1 + 0.9 * 4.7 - 0.5; A_1 = 2 + 0.9 * 3 - 1.
  np.testing.assert_allclose(returns.pg_advantages.numpy()[:, 0], [4.73, 3.7])


def test_two_step_with_truncated_and_small_weights():
  # rho_0 = 2 is truncated to 1 (so c_0 = 1); rho_1 = 0.5 scales delta_1.
  returns = _two_step([np.log(2.0), np.log(0.5)])
  delta_1 = 0.5 * (2.0 + 0.9 * 3.0 - 1.0)  # 1.85
  delta_0 = 1.0 * (1.0 + 0.9 * 1.0 - 0.5)  # 1.4
  vs_1 = 1.0 + delta_1  # 2.85
  vs_0 = 0.5 + delta_0 + 0.9 * 1.0 * delta_1  # 3.565
  np.testing.assert_allclose(returns.vs.numpy()[:, 0], [vs_0, vs_1])
  np.testing.assert_allclose(
      returns.pg_advantages.numpy()[:, 0],
      [1.0 * (1.0 + 0.9 * vs_1 - 0.5), 0.5 * (2.0 + 0.9 * 3.0 - 1.0)])


def test_gradients_stop_at_the_targets():
  inputs = {k: tf.Variable(v) for k, v in _random_inputs(seed=0).items()}
  with tf.GradientTape(persistent=True) as tape:
    returns = vtrace.vtrace_returns(**inputs)
    total = tf.reduce_sum(returns.vs) + tf.reduce_sum(returns.pg_advantages)
  for name, variable in inputs.items():
    assert tape.gradient(total, variable) is None, name


@pytest.mark.parametrize("kwargs, match", [
    ({"clip_rho_threshold": 0.0}, "clip_rho_threshold"),
    ({"clip_pg_rho_threshold": -1.0}, "clip_pg_rho_threshold"),
    ({"clip_rho_threshold": float("nan")}, "clip_rho_threshold"),
    ({"lambda_": 1.5}, "lambda_"),
])
def test_bad_hyperparameters_are_rejected(kwargs, match):
  with pytest.raises(ValueError, match=match):
    vtrace.vtrace_returns(**_random_inputs(seed=1), **kwargs)


def test_bad_shapes_name_the_input():
  inputs = _random_inputs(seed=2)
  with pytest.raises(ValueError, match="rewards"):
    vtrace.vtrace_returns(**{**inputs, "rewards": inputs["rewards"][:-1]})
  with pytest.raises(ValueError, match="bootstrap_value"):
    vtrace.vtrace_returns(**{**inputs, "bootstrap_value": np.zeros(5)})
  with pytest.raises(ValueError, match=r"values must be \[T, B\]"):
    vtrace.vtrace_returns(**{**inputs, "values": inputs["values"][0]})
