"""Options of the contract suite (also available through the ``pytest11`` entry point)."""

from __future__ import annotations

import gin
import pytest


@pytest.fixture(autouse=True)
def _clean_gin_config():
    """Each contract check starts and ends with an empty gin config."""
    gin.clear_config()
    yield
    gin.clear_config()
