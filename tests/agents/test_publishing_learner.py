"""The shared learner loop: update, publish, count, log, save/restore."""

import types

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf

from spiral_acme import counting
from spiral_acme import loggers
from spiral_acme.agents.spiral.publishing_learner import NonFiniteError
from spiral_acme.agents.spiral.publishing_learner import PublishingLearner


class _FakePublisher:
  def __init__(self):
    self.calls = 0

  def publish(self):
    self.calls += 1


class _ListLogger(loggers.Logger):
  def __init__(self):
    self.records = []

  def write(self, data):
    self.records.append(dict(data))

  def close(self):
    pass


class _RegressionLearner(PublishingLearner):
  """Fits a linear layer to y = 2x, one batch per step."""

  def __init__(self, learning_rate=0.1, **kwargs):
    module = snt.Linear(1, name="regressor")
    module(tf.zeros([1, 1]))
    # A fixed start (w = 0): a random one can land near 2, leaving a first
    # loss too small for the "loss fell 10x" check.
    module.w.assign(tf.zeros_like(module.w))
    super().__init__(name="regressor", module=module,
                     optimizer=snt.optimizers.Adam(learning_rate), **kwargs)

  def _update(self, sample):
    x = tf.constant(sample.data, tf.float32)[:, None]
    with tf.GradientTape() as tape:
      loss = tf.reduce_mean(tf.square(self._module(x) - 2.0 * x))
    variables = self._module.trainable_variables
    self._optimizer.apply(tape.gradient(loss, variables), variables)
    return {"loss": loss}

  def _step_counts(self):
    return {"steps": 1, "examples": 4}


def _batches():
  rng = np.random.default_rng(0)
  while True:
    yield types.SimpleNamespace(data=rng.normal(size=4))


def _learner(**kwargs):
  defaults = dict(iterator=_batches(), publisher=None, counter=None,
                  logger=None)
  return _RegressionLearner(**{**defaults, **kwargs})


def test_steps_publish_count_and_log():
  publisher, logger = _FakePublisher(), _ListLogger()
  learner = _learner(publisher=publisher, logger=logger,
                     counter=counting.Counter(time_delta=0.0))
  assert publisher.calls == 1  # Initial weights, before any step.
  learner.run(num_steps=60)
  assert publisher.calls == 61
  assert logger.records[-1]["steps"] == 60
  assert logger.records[-1]["examples"] == 240
  assert logger.records[-1]["loss"] < 0.1 * logger.records[0]["loss"]
  assert learner.last_metrics["loss"] == logger.records[-1]["loss"]
  [weights] = learner.get_variables(["regressor"])
  [kernel] = [w for w in weights if w.shape == (1, 1)]
  assert kernel[0, 0] == pytest.approx(2.0, abs=0.2)  # Learnt y = 2x.
  with pytest.raises(KeyError, match="serves 'regressor', not 'policy'"):
    learner.get_variables(["policy"])


def test_restore_copies_weights_and_optimiser_state():
  trained, fresh = _learner(), _learner()
  trained.run(num_steps=5)
  fresh.restore(trained.save())
  for a, b in zip(trained.save()["regressor"].variables,
                  fresh.save()["regressor"].variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  assert int(fresh.optimizer.step.numpy()) == 5


def test_non_finite_weights_stop_before_publishing():
  publisher = _FakePublisher()
  counter = counting.Counter(counting.Counter(), "learner", time_delta=0.0)
  learner = _RegressionLearner(learning_rate=float("inf"), iterator=_batches(),
                               publisher=publisher, counter=counter,
                               logger=None)
  published_at_start = publisher.calls
  with pytest.raises(NonFiniteError, match="regressor learner step 1:"):
    learner.step()
  assert publisher.calls == published_at_start  # Nothing non-finite left.
  assert counter.get_counts().get("learner_steps", 0) == 0


def test_non_finite_loss_names_the_metric_and_step():
  class _NanLoss(_RegressionLearner):
    def _update(self, sample):
      super()._update(sample)
      return {"loss": tf.constant(float("nan"))}

  learner = _NanLoss(iterator=_batches(), publisher=None, counter=None,
                     logger=None)
  with pytest.raises(NonFiniteError, match="step 1: loss is nan"):
    learner.step()
