"""SPIRAL networks: the policy (torso, LSTM, autoregressive heads) and the
discriminator (a DCGAN-style critic, optionally spectrally normalised)."""

from spiral_acme.networks.config import PolicyNetworkConfig
from spiral_acme.networks.discriminator import Discriminator
from spiral_acme.networks.discriminator import DiscriminatorConfig
from spiral_acme.networks.discriminator import DiscriminatorMode
from spiral_acme.networks.policy import count_parameters
from spiral_acme.networks.policy import SpiralPolicy
from spiral_acme.networks.policy_spec import ActionInfo
from spiral_acme.networks.policy_spec import PolicySpec
from spiral_acme.networks.spectral_norm import SpectralNorm
