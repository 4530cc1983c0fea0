"""Shared test helpers: where DeepMind's reference fixture lives.

The fixture sits in `../shared/fixtures` next to the repository (or wherever
SPIRAL_ACME_FIXTURES points). Tests that need it are skipped, with the path
they looked at, when it is absent.
"""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = pathlib.Path(os.environ.get(
    "SPIRAL_ACME_FIXTURES", ROOT.parent / "shared" / "fixtures"))
DEEPMIND_FIXTURE = FIXTURES / "deepmind_spiral_hub"


def require_deepmind_fixture() -> pathlib.Path:
  """The fixture directory, or skips the calling test."""
  if not (DEEPMIND_FIXTURE / "module").is_dir():
    pytest.skip(f"needs DeepMind's fixture at {DEEPMIND_FIXTURE} "
                "(../shared/fixtures, or set SPIRAL_ACME_FIXTURES)")
  return DEEPMIND_FIXTURE


@pytest.fixture(scope="session")
def deepmind_fixture() -> pathlib.Path:
  return require_deepmind_fixture()

