"""The contract suite shipped in ``gan3d_bench.testing``, run over every registered component
(built-ins and installed third-party packages alike)."""

from gan3d_bench.testing.test_contract_data import *  # noqa: F403
from gan3d_bench.testing.test_contract_models import *  # noqa: F403
