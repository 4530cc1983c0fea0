"""SPIRAL networks: the policy (torso, LSTM, autoregressive heads)."""

from spiral_acme.networks.config import PolicyNetworkConfig
from spiral_acme.networks.policy import count_parameters
from spiral_acme.networks.policy import SpiralPolicy
from spiral_acme.networks.policy_spec import ActionInfo
from spiral_acme.networks.policy_spec import PolicySpec
