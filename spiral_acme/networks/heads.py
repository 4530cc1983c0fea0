"""Autoregressive action heads: each head sees the actions chosen before it.

Starting from the LSTM output z, each key in turn gets logits from its head
(a linear layer, or a spatial decoder for location keys), an action (sampled
or teacher-forced), and then z <- relu(z + MLP([z, embed(action)])).
With `location_glimpse`, the non-location heads after a location key read
[z, glimpse of the pixels around the chosen cell] instead of z. With
`location_stroke`, the `end` and `control` logits also read a learned map
along the stroke each candidate would draw from the pen.
"""

from typing import Callable, Mapping, Optional, Sequence

import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import config as config_lib
from spiral_acme.networks import layers
from spiral_acme.networks import policy_spec
from spiral_acme.networks import stroke_logits

# The keys `location_stroke` reads along: a stroke's end, then its control
# point (LibMyPaint's; `end` comes first in the sampling order).
STROKE_KEYS = ("end", "control")

SampleFn = Callable[[tf.Tensor], tf.Tensor]


class AutoregressiveHeads(snt.Module):
  """Maps z [N, lstm_size] to actions and logits for every key, in order."""

  def __init__(self, actions: Sequence[policy_spec.ActionInfo],
               config: config_lib.PolicyNetworkConfig, *,
               name: str = "heads"):
    """Builds the heads.

    Args:
      actions: the action keys in sampling order.
      config: widths and depths.
      name: module name.
    """
    super().__init__(name=name)
    self._actions = tuple(actions)
    self._heads = {}
    self._embeds = {}
    self._residuals = {}
    self._skips = {}
    self._readouts = {}
    self._glimpses = {}
    self._strokes = {}
    centres = config.location_cell_centres
    keys = [a.key for a in self._actions]
    if config.location_stroke and "end" not in keys:
      raise ValueError(
          "PolicyNetworkConfig.location_stroke needs an `end` location "
          f"action (LibMyPaint's); the action spec has {keys}.")
    for a in self._actions:
      if a.is_location and centres and len(centres) != a.grid_width ** 2:
        raise ValueError(
            f"PolicyNetworkConfig.location_cell_centres has {len(centres)} "
            f"cells; the location key {a.key!r} has a {a.grid_width}x"
            f"{a.grid_width} grid ({a.grid_width ** 2} cells).")
      if a.is_location and config.location_glimpse:
        self._glimpses[a.key] = layers.PixelGlimpse(
            a.grid_width, config.location_glimpse,
            radius=config.location_glimpse_radius, cell_centres=centres,
            name=f"{a.key}_location_glimpse")
      if a.is_location and config.location_skip:
        self._skips[a.key] = layers.FeatureMapLogits(
            a.grid_width, kernel=config.decoder_kernel, cell_centres=centres,
            name=f"{a.key}_location_skip")
      if a.is_location and config.location_stroke and a.key in STROKE_KEYS:
        self._strokes[a.key] = stroke_logits.StrokeLogits(
            a.grid_width, samples=config.location_stroke,
            kernel=config.decoder_kernel, name=f"{a.key}_location_stroke")
      if a.is_location and config.location_readout:
        self._readouts[a.key] = layers.CellFeatures(
            a.grid_width, config.head_embed_size,
            radius=config.location_readout_radius, cell_centres=centres,
            name=f"{a.key}_location_readout")
      if a.is_location:
        self._heads[a.key] = layers.LocationDecoder(
            a.grid_width, base_width=config.decoder_base_width,
            channels=config.decoder_channels,
            residual_blocks=config.decoder_residual_blocks,
            residual_hidden=config.decoder_residual_hidden,
            kernel=config.decoder_kernel, name=f"{a.key}_action_decoder")
      else:
        self._heads[a.key] = snt.Linear(a.num_values,
                                        name=f"{a.key}_action_head")
      self._embeds[a.key] = snt.Linear(config.head_embed_size,
                                       name=f"{a.key}_action_embed")
      self._residuals[a.key] = snt.nets.MLP(
          tuple(config.head_residual_mlp_sizes) + (config.lstm_size,),
          name=f"{a.key}_residual_mlp")

  def __call__(
      self, z: tf.Tensor, actions: Optional[Mapping[str, tf.Tensor]] = None,
      sample: Optional[SampleFn] = None,
      feature_map: Optional[tf.Tensor] = None,
      readout_map: Optional[tf.Tensor] = None,
      pixels: Optional[tf.Tensor] = None,
      pen: Optional[tf.Tensor] = None,
  ) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
    """Runs every head in order.

    Args:
      z: f32[N, lstm_size], the LSTM output.
      actions: {key: i32[N]} to teacher-force; when None, `sample` picks them.
      sample: maps logits [N, n] to int32 actions [N].
      feature_map: f32[N, w, w, c], the torso's; read by location skips
        and readouts.
      readout_map: what the readouts read instead of `feature_map` when
        given (the feature map with the cell-averaged pixels beside it).
      pixels: f32[N, W, W, C], the canvas (and target) that location
        glimpses and strokes read.
      pen: i32[N], the cell the pen is at (the previous `end`); read by
        location strokes.

    Returns:
      (actions {key: i32[N]}, logits {key: f32[N, n]}), keys in sampling order.
    """
    if actions is None and sample is None:
      raise ValueError("AutoregressiveHeads needs either `actions` to "
                       "teacher-force or a `sample` function; got neither.")
    if (self._glimpses or self._strokes) and pixels is None:
      raise ValueError("location_glimpse and location_stroke heads need the "
                       "pixels.")
    if self._strokes and (pen is None or feature_map is None):
      raise ValueError("location_stroke heads need the pen and the torso's "
                       "feature_map.")
    chosen, logits = {}, {}
    glimpses = []
    for a in self._actions:
      if glimpses and not a.is_location:
        logits[a.key] = self._heads[a.key](tf.concat([z] + glimpses, -1))
      else:
        logits[a.key] = self._heads[a.key](z)
      if (a.key in self._skips or a.key in self._readouts) and (
          feature_map is None):
        raise ValueError("location_skip and location_readout heads need the "
                         "torso's feature_map.")
      if a.key in self._skips:
        logits[a.key] += self._skips[a.key](feature_map)
      if a.key in self._strokes:
        logits[a.key] += self._strokes[a.key](
            z, feature_map, pixels, pen,
            chosen["end"] if a.key == "control" else None)
      if actions is None:
        chosen[a.key] = sample(logits[a.key])
      else:
        chosen[a.key] = tf.cast(actions[a.key], tf.int32)
      embedding = self._embeds[a.key](layers.encode_action(chosen[a.key], a))
      if a.key in self._readouts:
        embedding += self._readouts[a.key](
            feature_map if readout_map is None else readout_map,
            chosen[a.key])
      if a.key in self._glimpses:
        glimpses.append(self._glimpses[a.key](pixels, chosen[a.key]))
      z = tf.nn.relu(z + self._residuals[a.key](
          tf.concat([z, embedding], axis=-1)))
    return chosen, logits
