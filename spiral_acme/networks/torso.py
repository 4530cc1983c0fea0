"""The SPIRAL torso: canvas, previous actions and noise -> one vector.

The canvas (and, for conditional agents, the target) gets coordinate planes
and a first conv; the masked embeddings of the previous actions and the noise
each go through an MLP, and their sum is added to every pixel of that conv.
A stride-2 conv encoder with a residual stack then reduces the map to about
8x8, which is flattened and projected linearly. That last feature map is
returned too, for location heads that read it (`location_skip`).
"""

from typing import Mapping, Optional, Sequence, Tuple

import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import config as config_lib
from spiral_acme.networks import layers
from spiral_acme.networks import policy_spec


class Torso(snt.Module):
  """Encodes one time step's inputs: a vector and the last feature map."""

  def __init__(self, actions: Sequence[policy_spec.ActionInfo],
               canvas_width: int, config: config_lib.PolicyNetworkConfig, *,
               name: str = "torso"):
    """Builds the torso.

    Args:
      actions: the action keys in action-spec (environment) order; their
        embeddings are concatenated in this order.
      canvas_width: width (= height) of the canvas in pixels.
      config: widths and depths.
      name: module name.
    """
    super().__init__(name=name)
    self._actions = tuple(actions)
    self._embeds = {a.key: snt.Linear(config.action_embed_size,
                                      name=f"{a.key}_embed")
                    for a in self._actions}
    self._action_mlp = snt.nets.MLP(config.action_mlp_sizes,
                                    name="action_mlp")
    self._noise_mlp = snt.nets.MLP(config.noise_mlp_sizes, name="noise_mlp")
    self._conv = layers.CoordConv2D(config.torso_channels,
                                    config.first_conv_kernel, name="conv_2d")
    self._encoder = layers.ConvEncoder(
        config.torso_channels,
        layers.num_halvings(canvas_width, config.torso_target_width),
        kernel=config.strided_conv_kernel,
        residual_blocks=config.torso_residual_blocks,
        residual_hidden=config.torso_residual_hidden)
    self._output = snt.Linear(config.torso_output_size, name="output")

  def __call__(self, canvas: tf.Tensor, prev_action: Mapping[str, tf.Tensor],
               action_mask: Mapping[str, tf.Tensor], noise: tf.Tensor,
               target: Optional[tf.Tensor] = None
               ) -> Tuple[tf.Tensor, tf.Tensor]:
    """Returns (f32[N, torso_output_size], f32[N, w, w, torso_channels]).

    Args:
      canvas: f32[N, W, W, C].
      prev_action: {key: i32[N]}, already reset to 0 where episodes start.
      action_mask: {key: f32[N]}; multiplies each key's embedding.
      noise: f32[N, noise_dim].
      target: f32[N, W, W, C] for conditional agents, else None.
    """
    embeddings = [
        self._embeds[a.key](layers.encode_action(prev_action[a.key], a))
        * action_mask[a.key][:, None]
        for a in self._actions]
    conditioning = (self._action_mlp(tf.concat(embeddings, axis=-1))
                    + self._noise_mlp(noise))
    x = canvas if target is None else tf.concat([canvas, target], axis=-1)
    x = self._encoder(self._conv(x, conditioning))
    # The encoder ends in a ReLU, so DeepMind's ReLU after flattening is a
    # no-op and is left out.
    vector = self._output(tf.reshape(x, [-1, x.shape[1] * x.shape[2]
                                         * x.shape[3]]))
    return vector, x
