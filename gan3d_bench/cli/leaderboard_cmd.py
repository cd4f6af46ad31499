"""``gan3d-bench leaderboard [RESULTS_DIR]``: rank every complete run of a results folder."""

from __future__ import annotations

import sys
from pathlib import Path

from gan3d_bench import atomic
from gan3d_bench.leaderboard import FORMATS


def add_parser(subparsers) -> None:
    """Adds the ``leaderboard`` subcommand."""
    parser = subparsers.add_parser(
        "leaderboard", help="rank the runs of a results folder (markdown, LaTeX, CSV, HTML)",
        description="Read every run record (**/record.json) under a results folder and rank "
                    "the experiments of each dataset: mean ± std over seeds, one table per "
                    "dataset, resolution, budget and metric protocol (numbers made under "
                    "different protocols never share a column or a rank). Unfinished and "
                    "unreadable records are left out with one warning.")
    parser.add_argument("results", nargs="?", type=Path, default=Path("results"),
                        metavar="RESULTS_DIR", help="the results folder (default: results)")
    parser.add_argument("--results", dest="results_option", type=Path, default=None,
                        metavar="DIR", help="the same as RESULTS_DIR (as in `run --results`)")
    parser.add_argument("--metric", default=None, metavar="NAME",
                        help="rank by this metric: a family (kid, fid, pose_error, identity) or "
                             "a result name (kid_synth); default: kid")
    parser.add_argument("--format", default="markdown", choices=FORMATS,
                        help="output format (default: markdown)")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="write to FILE (atomically) instead of printing")
    parser.add_argument("--plots", type=Path, default=None, metavar="DIR",
                        help="also draw the comparison plots (PNG) into DIR; markdown and HTML "
                             "output then show them")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Builds, renders and prints (or writes) the leaderboard."""
    from gan3d_bench.leaderboard import build_leaderboard, render
    from gan3d_bench.leaderboard.publish import relative_images, write_plots_tracked

    if args.results_option is not None:
        args.results = args.results_option
    board = build_leaderboard(args.results, args.metric)
    warning = board.warning()
    if warning:
        print(f"gan3d-bench: warning: {warning}", file=sys.stderr)
    images = None
    if args.plots is not None:
        written = write_plots_tracked(board, args.plots)
        base = args.out.parent if args.out is not None else Path.cwd()
        images = relative_images(written, base)
    text = render(board, args.format, images)
    if args.out is None:
        sys.stdout.write(text)
    else:
        atomic.write_text(args.out, text)
        print(f"wrote {args.out} ({len(board.sections)} table(s), {len(board.runs)} run(s))",
              file=sys.stderr)
    return 0
