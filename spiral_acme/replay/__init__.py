"""Reverb plumbing: tables, the episode adder and variable publishing."""

from spiral_acme.replay.adders import BatchEpisodeAdder
from spiral_acme.replay.adders import EpisodeAdder
from spiral_acme.replay.datasets import ReplayBatches
from spiral_acme.replay.server import make_server
from spiral_acme.replay.tables import canvas_table
from spiral_acme.replay.tables import episode_table
from spiral_acme.replay.tables import SampleReplay
from spiral_acme.replay.tables import variable_table
from spiral_acme.replay.timeouts import ReplayTimeoutError
from spiral_acme.replay.variables import PublishedVariableSource
from spiral_acme.replay.variables import ReverbVariableSource
from spiral_acme.replay.variables import VariableClient
from spiral_acme.replay.variables import VariablePublisher

__all__ = [
    "BatchEpisodeAdder",
    "EpisodeAdder",
    "PublishedVariableSource",
    "ReplayBatches",
    "ReplayTimeoutError",
    "ReverbVariableSource",
    "SampleReplay",
    "VariableClient",
    "VariablePublisher",
    "canvas_table",
    "episode_table",
    "make_server",
    "variable_table",
]
