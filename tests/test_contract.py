"""The contract suite shipped in ``gan3d_bench.testing``, run over every registered component
(built-ins and installed third-party packages alike)."""

from gan3d_bench.testing.test_contract_data import *  # noqa: F403
from gan3d_bench.testing.test_contract_models import *  # noqa: F403


def test_the_suite_covers_every_component_we_declare():
    """Every entry point in our pyproject.toml is a registered component that the contract
    suite parametrises over (none missing, none failing to load)."""
    import tomllib
    from helpers import REPO

    from gan3d_bench.testing.construct import selected_components

    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]
    for kind in ("generators", "discriminators", "losses", "datasets", "metrics", "features"):
        names = set(declared[f"gan3d_bench.{kind}"])
        assert names, kind
        covered = {component.name for component in selected_components(kind, None)}
        assert names <= covered, (kind, names - covered)


def test_the_pytest_plugin_refuses_a_package_that_registered_nothing(tmp_path):
    """A misspelt or rejected package must not pass the contract suite with every test
    skipped."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--pyargs", "gan3d_bench.testing", "--gan3d-package",
                             "gan3d-no-such-plugin"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "gan3d-no-such-plugin: no installed package of that name" in output
    assert "gan3d-bench" in output  # names the packages that do register components
