"""``gan3d-bench list [KIND]``: every registered component, with the package it comes from."""

from __future__ import annotations

import sys

from tabulate import tabulate

from gan3d_bench.errors import UserError, did_you_mean
from gan3d_bench.registry import KINDS, SINGULAR, get_registry


def add_parser(subparsers) -> None:
    """Adds the ``list`` subcommand."""
    parser = subparsers.add_parser(
        "list", help="list registered components",
        description="List every registered component by kind, with the package and version "
                    "it comes from. Plugins that failed to load are listed after them.")
    parser.add_argument("kind", nargs="?", help=f"one of: {', '.join(KINDS)}")
    parser.set_defaults(handler=run)


def normalize_kind(kind: str) -> str:
    """Accepts singular and plural kind names (``generator`` -> ``generators``).

    Args:
        kind: what the user typed.

    Returns:
        The kind.

    Raises:
        UserError: an unknown kind.
    """
    candidates = {k: k for k in KINDS} | {SINGULAR[k]: k for k in KINDS}
    candidates["feature"] = "features"
    prefixed = sorted({k for name, k in candidates.items() if name.startswith(kind)})
    if kind not in candidates and len(prefixed) == 1:
        return prefixed[0]
    if kind not in candidates:
        raise UserError(f"unknown kind '{kind}'{did_you_mean(kind, KINDS)}; kinds are: "
                        f"{', '.join(KINDS)}")
    return candidates[kind]


def run(args) -> int:
    """Prints the table of components."""
    registry = get_registry()
    kind = normalize_kind(args.kind) if args.kind else None
    rows = [(c.kind, c.name, c.distribution, c.version, c.target) for c in registry.all(kind)]
    print(tabulate(rows, headers=["kind", "name", "package", "version", "entry point"]))
    problems = [p for p in registry.problems if kind is None or p.kind == kind]
    if problems:
        print(f"\n{len(problems)} plugin(s) failed to load:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
    return 0
