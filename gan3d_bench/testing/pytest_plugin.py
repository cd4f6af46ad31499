"""The pytest plugin (entry point ``pytest11``): options for running the contract suite.

``pytest --pyargs gan3d_bench.testing --gan3d-package NAME`` runs the contract checks on the
components of one installed distribution only.
"""

from __future__ import annotations


def pytest_addoption(parser):
    """Adds ``--gan3d-package``."""
    group = parser.getgroup("gan3d-bench", "gan3d-bench contract suite")
    group.addoption("--gan3d-package", default=None, metavar="DISTRIBUTION",
                    help="check only the components registered by this distribution "
                         "(default: every registered component)")
