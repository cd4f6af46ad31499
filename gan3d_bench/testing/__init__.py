"""The contract suite that every registered component must pass, shipped with the package.

Plugin authors run it on their own components with::

    pytest --pyargs gan3d_bench.testing --gan3d-package YOUR-DISTRIBUTION

(see ``docs/plugins.md``); gan3d-bench's own ``tests/`` run the same suite over every
registered component.
"""
