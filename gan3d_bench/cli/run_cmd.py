"""``gan3d-bench run CONFIG.gin ...``: train an experiment and write a run folder."""

from __future__ import annotations

from pathlib import Path

from gan3d_bench.cli.common import registry_with_warnings
from gan3d_bench.distributed import init_from_env, shutdown
from gan3d_bench.runner import RunRequest, execute, results_root


def add_parser(subparsers) -> None:
    """Adds the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run", help="train an experiment from gin files",
        description="Build an experiment from gin files, train it with a progress bar, evaluate "
                    "its metrics, and write a run folder (record.json, config.gin, checkpoint, "
                    "sample grids) under the results folder. Under torchrun "
                    "(`torchrun --nproc_per_node N -m gan3d_bench run ...`) it trains with "
                    "DistributedDataParallel.")
    parser.add_argument("configs", nargs="*", type=Path, metavar="CONFIG.gin",
                        help="gin files, parsed in order (optional with --resume)")
    parser.add_argument("--gin", action="append", default=[], metavar="BINDING",
                        help="an extra gin binding, e.g. --gin 'Experiment.steps = 100'")
    parser.add_argument("--budget", default=None,
                        help="'paper' (default: the paper's settings), 'quick' (CPU minutes), "
                             "or a budget .gin file")
    parser.add_argument("--results", type=Path, default=Path("results"), metavar="DIR",
                        help="folder that run folders go under (default: results)")
    parser.add_argument("--resume", type=Path, default=None, metavar="RUN_DIR",
                        help="continue a run from its last checkpoint (refused if the config "
                             "differs)")
    parser.add_argument("--run-dir", type=Path, default=None, metavar="DIR",
                        help="exact folder for a new run (default: RESULTS/EXPERIMENT/...)")
    parser.add_argument("--auto-resume", action="store_true",
                        help="with --run-dir: resume the run there if it exists, else start it "
                             "(for preemptible jobs)")
    parser.add_argument("--seed", type=int, default=None, help="sets Experiment.seed")
    parser.add_argument("--device", default=None, help="auto (default), cpu or cuda[:N]")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Runs (or resumes) the experiment, prints where its results are and its leaderboard."""
    registry_with_warnings()
    if not args.configs and args.resume is None:
        from gan3d_bench.errors import UserError

        raise UserError("give at least one CONFIG.gin (e.g. gin/dcgan_cars.gin), or "
                        "--resume RUN_DIR")
    request = RunRequest(configs=list(args.configs), bindings=list(args.gin),
                         budget=args.budget, results=args.results, resume=args.resume,
                         run_dir=args.run_dir, device=args.device, seed=args.seed,
                         show_progress=not args.no_progress, auto_resume=args.auto_resume)
    info = init_from_env(args.device)
    try:
        run_dir, record = execute(request, dist=info)
    finally:
        shutdown()
    if not info.is_main:
        return 0
    print(f"run folder: {run_dir}")
    print(f"status: {record['status']}, steps: {record['steps_done']}/{record['steps']}, "
          f"wall time: {record['wall_time_s']:.1f}s, device: {record['device']}")
    for name, value in record["metrics"].items():
        std = f" ± {value['std']:.6g}" if value.get("std") is not None else ""
        print(f"  {name}: {value['mean']:.6g}{std}")
    from gan3d_bench.leaderboard.summary import tables_for_runs

    print()
    print(tables_for_runs(results_root(request, run_dir), [run_dir]))
    return 0
