"""Shared test setup: the fake third-party distribution (dataset ``toy_blobs``) on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FAKE_DIST = str(Path(__file__).parent / "fake_dist")


@pytest.fixture(scope="session", autouse=True)
def fake_plugin_on_path():
    """Puts tests/fake_dist on sys.path before any test discovers plugins."""
    if FAKE_DIST not in sys.path:
        sys.path.insert(0, FAKE_DIST)
    yield
