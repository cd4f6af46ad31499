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


def pytest_configure(config):
    """With ``--gan3d-package``, refuses to run (and pass) when that package registered
    nothing: a misspelt name, or a plugin that was rejected at load (its reasons are shown).
    """
    package = config.getoption("gan3d_package", default=None)
    if not package:
        return
    import pytest

    from gan3d_bench.registry import get_registry, normalize_distribution

    registry = get_registry()
    wanted = normalize_distribution(package)
    if any(c.distribution == wanted for c in registry.all()):
        return
    problems = [str(p) for p in registry.problems if p.distribution == wanted]
    if problems:
        raise pytest.UsageError(f"--gan3d-package {package}: none of its components were "
                                "loaded, so there is nothing to check:\n  " +
                                "\n  ".join(problems))
    known = sorted({c.distribution for c in registry.all()})
    raise pytest.UsageError(f"--gan3d-package {package}: no installed package of that name "
                            f"registers gan3d-bench components; packages that do: "
                            f"{', '.join(known)}. Is it installed in this environment "
                            f"(run `python -m pytest` with the environment's Python)?")
