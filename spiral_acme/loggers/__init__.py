"""Loggers with Acme's names: write dicts of results to terminal and files."""

from spiral_acme.loggers.aggregators import Dispatcher
from spiral_acme.loggers.aggregators import TimeFilter
from spiral_acme.loggers.base import Logger
from spiral_acme.loggers.base import LoggingData
from spiral_acme.loggers.base import NoOpLogger
from spiral_acme.loggers.csv import CSVLogger
from spiral_acme.loggers.default import make_default_logger
from spiral_acme.loggers.tensorboard import TensorBoardLogger
from spiral_acme.loggers.terminal import TerminalLogger
