"""``gan3d-bench suite SUITE.gin``: run experiments × seeds, then print their leaderboard."""

from __future__ import annotations

import sys
from pathlib import Path

from tabulate import tabulate

from gan3d_bench.cli.common import registry_with_warnings
from gan3d_bench.suite import load_suite, plan_suite, run_suite, suite_folder
from gan3d_bench.suite.plan import COMPLETE, NEW, PlannedRun

FAILED_RUNS_EXIT = 1
INTERRUPTED_EXIT = 130


def add_parser(subparsers) -> None:
    """Adds the ``suite`` subcommand."""
    parser = subparsers.add_parser(
        "suite", help="run a benchmark suite (experiments × seeds) and rank it",
        description="Run every experiment × seed of a suite file (gin/suites/*.gin) into "
                    "RESULTS/suites/<suite>/<experiment>/<budget>-seed<k>, then print the "
                    "leaderboard. Complete runs are skipped and interrupted ones resumed, so "
                    "running the same command again continues an interrupted suite. A failed "
                    "run is reported and the suite goes on; the exit status is then 1.")
    parser.add_argument("suite", type=Path, metavar="SUITE.gin", help="the suite file")
    parser.add_argument("--budget", default=None,
                        help="'paper', 'quick' or a budget .gin file (default: the suite's "
                             "Suite.budget, else paper)")
    parser.add_argument("--results", type=Path, default=Path("results"), metavar="DIR",
                        help="results folder (default: results)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None, metavar="K",
                        help="run these seeds instead of the suite's Suite.seeds")
    parser.add_argument("--device", default=None, help="auto (default), cpu or cuda[:N]")
    parser.add_argument("--dry-run", action="store_true",
                        help="show the runs and their state (new, resume, complete), run nothing")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(handler=run)


def _state_text(run: PlannedRun) -> str:
    if run.problem:
        return f"cannot run: {run.problem}"
    if run.state == NEW:
        return f"new ({run.steps} steps)"
    if run.state == COMPLETE:
        return "complete (skipped)"
    return f"resume at step {run.steps_done}/{run.steps}"


def _shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(args) -> int:
    """Runs the suite and prints the outcome of each run and the leaderboard."""
    registry_with_warnings()
    spec = load_suite(args.suite, budget=args.budget, seeds=args.seeds)
    plan = plan_suite(spec, args.results)
    print(f"suite {spec.name}: {len(spec.experiments)} experiment(s) × {len(spec.seeds)} "
          f"seed(s), budget {spec.budget}, under {plan[0].run_dir.parents[1]}")
    print(tabulate([[i, r.label, _state_text(r)] for i, r in enumerate(plan, start=1)],
                   headers=["#", "run", "state"]))
    for problem in sorted({f"{r.experiment.entry}: {r.problem}" for r in plan if r.problem}):
        print(f"gan3d-bench: warning: {problem}", file=sys.stderr)
    if args.dry_run:
        return 0
    try:
        report = run_suite(plan, spec.budget, args.results, spec.name, device=args.device,
                           show_progress=not args.no_progress)
    except KeyboardInterrupt:
        print(f"gan3d-bench: suite interrupted; run the same command again to continue where "
              f"it stopped (complete runs are skipped, the interrupted run resumes from its last "
              f"checkpoint under {suite_folder(args.results, spec)})", file=sys.stderr)
        return INTERRUPTED_EXIT
    from gan3d_bench.leaderboard.formatting import wall_time_text
    from gan3d_bench.leaderboard.summary import tables_for_runs

    print()
    print(tabulate([[o.run.label, o.status, wall_time_text(o.seconds) if o.seconds else "",
                     _shorten(o.message) or str(o.run.run_dir)] for o in report.outcomes],
                   headers=["run", "outcome", "time", "details"]))
    print()
    if args.results.is_dir():
        print(tables_for_runs(args.results, [r.run_dir for r in plan]))
    else:
        print(f"no run was written under {args.results}, so there is no leaderboard yet")
    if report.failed:
        print(f"gan3d-bench: {len(report.failed)} of {len(plan)} run(s) failed (listed above); "
              f"fix the cause and run the same command again: complete runs are skipped",
              file=sys.stderr)
        return FAILED_RUNS_EXIT
    return 0
