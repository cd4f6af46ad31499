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
