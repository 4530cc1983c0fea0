"""DCGAN-style critic for SPIRAL: unconditional, conditional and complement.

The stack is 4x4 stride-2 SAME convolutions with leaky ReLUs (no batch norm,
so WGAN-GP's per-sample gradient penalty stays valid), then one linear unit.
Scores are raw: a WGAN critic value or a GAN logit, never a sigmoid.

Modes (what the stack sees):
  UNCONDITIONAL: the canvas.
  CONDITIONAL: canvas and target concatenated as channels ([B, H, W, 2C]).
  COMPLEMENT (SPIRAL++): one composite image, columns [0, W // 2) from the
    target and [W // 2, W) from the canvas, i.e. [left of target | right of
    canvas]. The score depends on nothing else, so the agent is rewarded for
    a right half that continues the target's left half. A real example is
    scored as `D(real, real)`, which is the real image itself.
"""

import dataclasses
import enum
import math
from typing import Optional

import sonnet as snt
import tensorflow as tf

from spiral_acme.networks import spectral_norm as sn


class DiscriminatorMode(enum.Enum):
  UNCONDITIONAL = "unconditional"
  CONDITIONAL = "conditional"
  COMPLEMENT = "complement"


@dataclasses.dataclass(frozen=True)
class DiscriminatorConfig:
  """Shape of the critic; the default suits a 64x64 canvas.

  Attributes:
    channels: output channels of each 4x4 stride-2 convolution.
    leaky_relu_slope: negative slope of the leaky ReLUs, in [0, 1).
    spectral_norm: normalise every conv and linear weight (SPIRAL++'s GAN).
    power_iterations: power-iteration steps per call for spectral norm.
    mode: what the critic compares (module docstring); a string works too.
  """
  channels: tuple[int, ...] = (64, 128, 256, 512)
  leaky_relu_slope: float = 0.2
  spectral_norm: bool = False
  power_iterations: int = 1
  mode: DiscriminatorMode = DiscriminatorMode.UNCONDITIONAL

  def __post_init__(self):
    channels = tuple(self.channels)
    if not channels or any(isinstance(c, bool) or not isinstance(c, int)
                           or c < 1 for c in channels):
      raise ValueError(f"channels must be a non-empty sequence of positive "
                       f"ints, got {self.channels!r}.")
    object.__setattr__(self, "channels", channels)
    if not 0.0 <= self.leaky_relu_slope < 1.0:
      raise ValueError(f"leaky_relu_slope must be in [0, 1), got "
                       f"{self.leaky_relu_slope!r}.")
    if isinstance(self.power_iterations, bool) or not isinstance(
        self.power_iterations, int) or self.power_iterations < 1:
      raise ValueError(f"power_iterations must be an int >= 1, got "
                       f"{self.power_iterations!r}.")
    try:
      object.__setattr__(self, "mode", DiscriminatorMode(self.mode))
    except ValueError:
      raise ValueError(
          f"mode must be one of {[m.value for m in DiscriminatorMode]}, got "
          f"{self.mode!r}.") from None

  @classmethod
  def small(cls, **overrides) -> "DiscriminatorConfig":
    """A narrow critic for CPU runs and tests (3 convs: canvases >= 8)."""
    return cls(**{"channels": (16, 32, 64), **overrides})

  @property
  def min_canvas_width(self) -> int:
    """Smallest side each stride-2 convolution can still halve."""
    return 2 ** len(self.channels)


class Discriminator(snt.Module):
  """Scores canvases `f32[B, H, W, C]` (optionally against targets) -> `f32[B]`.

  The first call fixes the input size and channels; the flattened size fed
  to the final linear layer is `ceil(H / 2**n) * ceil(W / 2**n) * channels[-1]`
  for n convolutions.
  """

  def __init__(self, config: DiscriminatorConfig = DiscriminatorConfig(), *,
               name: str = "discriminator"):
    super().__init__(name=name)
    self._config = config
    kwargs = dict(spectral_norm=config.spectral_norm,
                  power_iterations=config.power_iterations)
    self._convs = [sn.Conv2D(c, 4, 2, name=f"conv_{i}", **kwargs)
                   for i, c in enumerate(config.channels)]
    self._linear = sn.Linear(1, name="linear", **kwargs)
    self._built_shape: Optional[tuple[int, int, int]] = None

  @property
  def config(self) -> DiscriminatorConfig:
    return self._config

  def flatten_size(self, height: int, width: int) -> int:
    """Features entering the final linear layer for a `height x width` input."""
    n = 2 ** len(self._config.channels)
    return (math.ceil(height / n) * math.ceil(width / n)
            * self._config.channels[-1])

  def _inputs(self, canvas: tf.Tensor,
              target: Optional[tf.Tensor]) -> tf.Tensor:
    """Checks the arguments against the mode; returns the stack's input."""
    mode = self._config.mode
    canvas = tf.convert_to_tensor(canvas, tf.float32)
    if canvas.shape.rank != 4:
      raise ValueError(f"canvas must be [B, H, W, C], got shape "
                       f"{canvas.shape}.")
    if mode == DiscriminatorMode.UNCONDITIONAL:
      if target is not None:
        raise ValueError("An unconditional discriminator takes no target; got "
                         f"a target of shape {target.shape}.")
      return canvas
    if target is None:
      raise ValueError(f"A {mode.value} discriminator needs a target of the "
                       f"canvas's shape {canvas.shape}; got None.")
    target = tf.convert_to_tensor(target, tf.float32)
    if not target.shape.is_compatible_with(canvas.shape):
      raise ValueError(f"target shape {target.shape} does not match canvas "
                       f"shape {canvas.shape}.")
    if mode == DiscriminatorMode.CONDITIONAL:
      return tf.concat([canvas, target], axis=-1)
    half = int(canvas.shape[2]) // 2
    return tf.concat([target[:, :, :half], canvas[:, :, half:]], axis=2)

  def _check_size(self, x: tf.Tensor) -> None:
    if not x.shape[1:].is_fully_defined():
      raise ValueError(f"The discriminator needs static H, W and C; got "
                       f"input shape {x.shape}.")
    height, width, channels = (int(d) for d in x.shape[1:])
    if self._built_shape is None:
      low = self._config.min_canvas_width
      if height < low or width < low:
        raise ValueError(
            f"A {height}x{width} image is too small for "
            f"{len(self._config.channels)} stride-2 convolutions; expected "
            f"height and width >= {low} (or fewer channels entries).")
      self._built_shape = (height, width, channels)
    elif (height, width, channels) != self._built_shape:
      raise ValueError(
          f"This discriminator was built for inputs (H, W, C) = "
          f"{self._built_shape} to its conv stack; got "
          f"{(height, width, channels)}.")

  def __call__(self, canvas: tf.Tensor, target: Optional[tf.Tensor] = None, *,
               is_training: bool = False) -> tf.Tensor:
    """Scores each example; `is_training` lets spectral norm update `u`."""
    x = self._inputs(canvas, target)
    self._check_size(x)
    for conv in self._convs:
      x = tf.nn.leaky_relu(conv(x, is_training=is_training),
                           alpha=self._config.leaky_relu_slope)
    x = tf.reshape(x, [-1, self.flatten_size(*self._built_shape[:2])])
    return tf.squeeze(self._linear(x, is_training=is_training), axis=-1)
