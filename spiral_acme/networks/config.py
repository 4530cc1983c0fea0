"""Widths and depths of the SPIRAL policy network.

The defaults are DeepMind's "default" agent (the published hub modules,
1,613,329 parameters for the hub action spec); `small()` is a narrow variant
for CPU-only training, where the learner is the bottleneck.
"""

import dataclasses
import math
from typing import Any, Mapping


def _check_positive(name: str, value: int) -> None:
  if not isinstance(value, int) or isinstance(value, bool) or value < 1:
    raise ValueError(f"PolicyNetworkConfig.{name} must be a positive int, "
                     f"got {value!r}.")


def _cell_centres(value: Any) -> tuple[tuple[float, float], ...]:
  """`location_cell_centres` as a tuple of (row, col) float pairs in [0, 1]."""
  def fraction(x: Any) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool)
            and math.isfinite(x) and 0.0 <= x <= 1.0)

  if not isinstance(value, (tuple, list)) or not all(
      isinstance(p, (tuple, list)) and len(p) == 2 and all(map(fraction, p))
      for p in value):
    raise ValueError(
        "PolicyNetworkConfig.location_cell_centres must be (row, col) pairs "
        "of image fractions in [0, 1], one per location cell, or (); got "
        f"{str(value)[:80]}.")
  return tuple((float(r), float(c)) for r, c in value)


def _check_sizes(name: str, sizes: tuple[int, ...]) -> None:
  if not isinstance(sizes, tuple) or not sizes:
    raise ValueError(f"PolicyNetworkConfig.{name} must be a non-empty tuple "
                     f"of positive ints, got {sizes!r}.")
  for size in sizes:
    _check_positive(name, size)


@dataclasses.dataclass(frozen=True)
class PolicyNetworkConfig:
  """Every width and depth of the policy network.

  Torso: canvas (+ target) + coordinate planes -> `first_conv_kernel` conv
  with `torso_channels`; previous actions embedded (`action_embed_size` each,
  masked) -> MLP `action_mlp_sizes`; noise -> MLP `noise_mlp_sizes`; the sum
  of both MLPs is added to every pixel; stride-2 convs until the feature map
  is at most `torso_target_width` wide; residual stack; linear
  `torso_output_size`. Core: LSTM `lstm_size`. Heads: per action key a head,
  an embedding of the chosen action (`head_embed_size`) and a residual MLP
  (`head_residual_mlp_sizes` then back to `lstm_size`). Location keys decode
  the LSTM output reshaped to `decoder_base_width`² cells into the grid.

  `location_skip` (not in DeepMind's network, off by default) adds to each
  location head's logits a 3x3 conv of the torso's last feature map, resized
  to the grid. The LSTM path must learn one mapping per cell from a flat
  vector; the skip is convolutional, so "where the target has what the
  canvas lacks" is learnt once for every cell, which is what makes
  conditional agents place strokes and objects at CPU scale.

  `location_readout` (also off by default) adds to each location key's
  action embedding a projection of the feature map's vector at the chosen
  cell, so the heads after it (a scene object's shape, size and colour)
  read what the torso sees there rather than only the flat LSTM vector.
  `location_readout_radius` > 0 reads the cells around it too (a square of
  2 r + 1 cells a side). `location_readout_pixels` adds the canvas's and
  the target's pixels, averaged over each cell, to what the readout reads:
  a linear probe finds a scene object's colour bins in those of the 3x3
  cells around it 82-85% of the time, but only 41-57% in an untrained
  torso's features there (experiment s04).

  `location_glimpse` > 0 (off by default) gives every non-location head
  after a location key a glimpse: the canvas's and the target's raw pixels
  in the square of 2 `location_glimpse_radius` + 1 cells around the chosen
  cell, through a linear layer and a ReLU to `location_glimpse` features,
  concatenated to the LSTM vector the head's logits read. A scene object's
  shape is in those pixels (a linear probe on a 12x12 window finds it 75% of
  the time at 32x32), and the glimpse puts it one layer from the heads
  instead of behind the torso and the heads' narrow residual MLPs.

  `location_stroke` > 0 (off by default; LibMyPaint's `end` and `control`
  keys) adds to the `end` head's logits a learned map (from the feature map
  and the pixels pooled to the grid) averaged over `location_stroke` points
  on the straight line from the pen (the previous `end`) to each candidate,
  and to the `control` head's the same along the Bezier through each
  candidate to the chosen end (`stroke_logits.StrokeLogits`). The skip
  scores a cell; a stroke's worth is the ink along its whole path, which
  the skip's 3x3 view cannot see.

  `location_cell_centres` (empty by default: the grid tiles the image) says
  where each location cell appears in the image, as (row, col) fractions,
  row-major. The skip, the readout and the glimpse then read the map and
  the pixels there instead of at the image-aligned grid. A scene's camera
  sees the floor grid in perspective (`scene_program.cell_image_positions`):
  image-aligned, a floor cell is read up to two cells from where it is drawn,
  which a convolution cannot undo (it is the same at every cell).
  """

  # Torso.
  torso_channels: int = 32
  first_conv_kernel: int = 5
  strided_conv_kernel: int = 4
  torso_target_width: int = 8
  torso_residual_blocks: int = 8
  torso_residual_hidden: int = 32
  action_embed_size: int = 16
  action_mlp_sizes: tuple[int, ...] = (64, 32, 32)
  noise_dim: int = 10
  noise_mlp_sizes: tuple[int, ...] = (64, 32, 32)
  torso_output_size: int = 256
  # Core.
  lstm_size: int = 256
  lstm_forget_bias: float = 1.0
  # Autoregressive heads.
  head_embed_size: int = 16
  head_residual_mlp_sizes: tuple[int, ...] = (16, 32)
  decoder_base_width: int = 4
  decoder_channels: int = 32
  decoder_residual_blocks: int = 8
  decoder_residual_hidden: int = 32
  decoder_kernel: int = 3
  # Action keys whose values index a square grid (decoded spatially).
  location_keys: tuple[str, ...] = ("control", "end")
  location_skip: bool = False
  location_readout: bool = False
  location_readout_radius: int = 0
  location_readout_pixels: bool = False
  location_glimpse: int = 0
  location_glimpse_radius: int = 1
  location_cell_centres: tuple[tuple[float, float], ...] = ()
  location_stroke: int = 0

  def __post_init__(self):
    for name in ("torso_channels", "first_conv_kernel", "strided_conv_kernel",
                 "torso_target_width", "torso_residual_hidden",
                 "action_embed_size", "noise_dim", "torso_output_size",
                 "lstm_size", "head_embed_size", "decoder_base_width",
                 "decoder_channels", "decoder_residual_hidden",
                 "decoder_kernel"):
      _check_positive(name, getattr(self, name))
    for name in ("torso_residual_blocks", "decoder_residual_blocks"):
      value = getattr(self, name)
      if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"PolicyNetworkConfig.{name} must be an int >= 0, "
                         f"got {value!r}.")
    for name in ("action_mlp_sizes", "noise_mlp_sizes",
                 "head_residual_mlp_sizes"):
      _check_sizes(name, getattr(self, name))
    # Both conditioning MLPs are added to the first conv's feature map.
    for name in ("action_mlp_sizes", "noise_mlp_sizes"):
      if getattr(self, name)[-1] != self.torso_channels:
        raise ValueError(
            f"PolicyNetworkConfig.{name} must end with torso_channels="
            f"{self.torso_channels} (it is added to every pixel of the first "
            f"conv), got {getattr(self, name)!r}.")
    cells = self.decoder_base_width ** 2
    if self.lstm_size % cells:
      raise ValueError(
          f"PolicyNetworkConfig.lstm_size={self.lstm_size} must be divisible "
          f"by decoder_base_width**2={cells}: location heads reshape the LSTM "
          "output to [base, base, lstm_size / base**2].")
    if not isinstance(self.lstm_forget_bias, (int, float)):
      raise ValueError("PolicyNetworkConfig.lstm_forget_bias must be a "
                       f"number, got {self.lstm_forget_bias!r}.")
    for name in ("location_skip", "location_readout",
                 "location_readout_pixels"):
      if not isinstance(getattr(self, name), bool):
        raise ValueError(f"PolicyNetworkConfig.{name} must be a bool, "
                         f"got {getattr(self, name)!r}.")
    radius = self.location_readout_radius
    if not isinstance(radius, int) or isinstance(radius, bool) or radius < 0:
      raise ValueError("PolicyNetworkConfig.location_readout_radius must be "
                       f"an int >= 0, got {radius!r}.")
    if radius and not self.location_readout:
      raise ValueError("PolicyNetworkConfig.location_readout_radius="
                       f"{radius} needs location_readout=True (it widens "
                       "the readout).")
    for name in ("location_glimpse", "location_glimpse_radius"):
      value = getattr(self, name)
      if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"PolicyNetworkConfig.{name} must be an int >= 0, "
                         f"got {value!r}.")
    stroke = self.location_stroke
    if (not isinstance(stroke, int) or isinstance(stroke, bool)
        or stroke < 0 or stroke == 1):
      raise ValueError("PolicyNetworkConfig.location_stroke must be 0 (off) "
                       f"or an int >= 2 (points per stroke), got {stroke!r}.")
    if self.location_readout_pixels and not self.location_readout:
      raise ValueError("PolicyNetworkConfig.location_readout_pixels needs "
                       "location_readout=True (it adds to the readout).")
    if (not isinstance(self.location_keys, tuple)
        or not all(isinstance(k, str) for k in self.location_keys)):
      raise ValueError("PolicyNetworkConfig.location_keys must be a tuple of "
                       f"str, got {self.location_keys!r}.")
    object.__setattr__(self, "location_cell_centres",
                       _cell_centres(self.location_cell_centres))
    if stroke and ("end" not in self.location_keys
                   or self.location_cell_centres):
      raise ValueError(
          f"PolicyNetworkConfig.location_stroke={stroke} reads strokes from "
          "the pen to LibMyPaint's `end` cell on an image-aligned grid; it "
          "needs 'end' in location_keys and no location_cell_centres, got "
          f"location_keys={self.location_keys!r} and "
          f"{len(self.location_cell_centres)} cell centres.")

  @classmethod
  def small(cls, **overrides: Any) -> "PolicyNetworkConfig":
    """A narrow network (~15x fewer FLOPs) for CPU-only training and tests."""
    fields = dict(
        torso_channels=16, torso_residual_blocks=2, torso_residual_hidden=16,
        action_embed_size=8, action_mlp_sizes=(32, 16),
        noise_mlp_sizes=(32, 16), torso_output_size=128, lstm_size=128,
        head_embed_size=8, head_residual_mlp_sizes=(16,),
        decoder_channels=16, decoder_residual_blocks=1,
        decoder_residual_hidden=16)
    fields.update(overrides)
    return cls(**fields)

  def to_dict(self) -> dict[str, Any]:
    """A JSON-friendly dict (tuples become lists)."""
    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(self).items()}

  @classmethod
  def from_dict(cls, values: Mapping[str, Any]) -> "PolicyNetworkConfig":
    """Inverse of `to_dict`; unknown keys are an error."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
      raise ValueError(f"Unknown PolicyNetworkConfig fields {unknown}; "
                       f"expected a subset of {sorted(known)}.")
    return cls(**{k: tuple(v) if isinstance(v, list) else v
                  for k, v in values.items()})
