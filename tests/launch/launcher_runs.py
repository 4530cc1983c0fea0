"""Runs a launch script as a user does: a subprocess from the repository root."""

import os
import pathlib
import subprocess
import sys
from typing import List

ROOT = pathlib.Path(__file__).resolve().parents[2]


def command(script: str, *args: str) -> List[str]:
  return [sys.executable, str(ROOT / "launch" / script), *args]


def env() -> dict:
  return {**os.environ, "PYTHONUNBUFFERED": "1"}


def run(script: str, *args: str,
        timeout: float = 600) -> subprocess.CompletedProcess:
  """Runs `launch/<script>` to completion, capturing its output."""
  return subprocess.run(command(script, *args), cwd=ROOT, capture_output=True,
                        text=True, timeout=timeout, env=env())
