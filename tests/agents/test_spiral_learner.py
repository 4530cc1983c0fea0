"""Learner details: gradient clipping and reusing a batch."""

import numpy as np
import pytest

import spiral_acme  # noqa: F401  (quiets TF before it is imported)
import tensorflow as tf

from spiral_acme.agents.spiral import learning


def test_clip_gradients_scales_to_the_norm_and_reports_the_norm_before():
  gradients = [tf.constant([3.0, 0.0]), tf.constant([[0.0, 4.0]])]
  clipped, norm = learning.clip_gradients(gradients, 1.0)
  assert float(norm) == pytest.approx(5.0)
  np.testing.assert_allclose(clipped[0], [0.6, 0.0], rtol=1e-6)
  np.testing.assert_allclose(clipped[1], [[0.0, 0.8]], rtol=1e-6)
  assert float(tf.linalg.global_norm(clipped)) == pytest.approx(1.0)


def test_clip_gradients_leaves_small_gradients_and_none_means_off():
  gradients = [tf.constant([0.03, 0.04])]
  clipped, norm = learning.clip_gradients(gradients, 1.0)
  np.testing.assert_allclose(clipped[0], [0.03, 0.04])
  assert float(norm) == pytest.approx(0.05)
  large = [tf.constant([30.0, 40.0])]
  unclipped, norm = learning.clip_gradients(large, None)
  np.testing.assert_allclose(unclipped[0], [30.0, 40.0])
  assert float(norm) == pytest.approx(50.0)
