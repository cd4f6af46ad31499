"""The ``gan3d-bench`` command: one module per subcommand, one clear line per error."""

from __future__ import annotations

import argparse
import sys

from gan3d_bench import __version__
from gan3d_bench.cli import data_cmd, leaderboard_cmd, list_cmd, run_cmd, score_cmd, suite_cmd
from gan3d_bench.errors import UserError

SUBCOMMANDS = [run_cmd, list_cmd, data_cmd, score_cmd, leaderboard_cmd, suite_cmd]


def clean_message(error: BaseException) -> str:
    """An error's message without the context lines gin appends ("In call to configurable")."""
    text = str(error)
    for marker in ("\n  In call to configurable", "\n  In file", "\n  In bindings string"):
        text = text.split(marker)[0]
    return text.strip() or type(error).__name__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="gan3d-bench",
        description="Train, score and rank 3D-aware GANs (HoloGAN and baselines).")
    parser.add_argument("--version", action="version", version=f"gan3d-bench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Runs the command line and exits with its status.

    Args:
        argv: arguments (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = args.handler(args) or 0
    except UserError as error:
        print(f"gan3d-bench: error: {clean_message(error)}", file=sys.stderr)
        status = error.exit_code
    except KeyboardInterrupt:
        print("gan3d-bench: interrupted; a run continues from its last checkpoint with "
              "`gan3d-bench run --resume RUN_DIR`", file=sys.stderr)
        status = 130
    sys.exit(status)
