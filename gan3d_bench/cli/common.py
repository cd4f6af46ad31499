"""Helpers shared by subcommands."""

from __future__ import annotations

import sys

from gan3d_bench.registry import Registry, get_registry

_REPORTED = False


def registry_with_warnings() -> Registry:
    """The global registry; rejected plugins are reported on stderr once per process.

    Returns:
        The registry.
    """
    global _REPORTED
    registry = get_registry()
    if not _REPORTED:
        for problem in registry.problems:
            print(f"gan3d-bench: warning: {problem}", file=sys.stderr)
        _REPORTED = True
    return registry
