"""How long regenerating the leaderboard takes as a results folder grows.

The leaderboard is rewritten after every run, so this cost is paid once per run; it should
stay small next to a run even with hundreds of records. Records are synthetic (written with
``records.new_record``, values drawn at random): this measures the leaderboard, not models.

    python benchmarks/leaderboard_regenerate.py [--runs 25 100 400] [--evals 20]
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from pathlib import Path

from gan3d_bench import records
from gan3d_bench.leaderboard import build_leaderboard, regenerate, render

EXPERIMENTS = ["hologan_cars", "dcgan_cars", "lsgan_cars", "wgan_gp_cars", "voxel3dgan_image_cars"]
PROTOCOL = {"extractor": "synth", "num_real": 2000, "num_fake": 2000}


def _value(mean: float, kid: bool = False) -> dict:
    protocol = dict(PROTOCOL, **({"subsets": 100, "subset_size": 1000} if kid else {}))
    return {"mean": mean, "std": mean / 20 if kid else None, "protocol": protocol, "extra": {}}


def write_records(root: Path, runs: int, evals: int, rng: random.Random) -> None:
    """Writes ``runs`` complete run records spread over datasets, budgets and seeds."""
    for index in range(runs):
        experiment = EXPERIMENTS[index % len(EXPERIMENTS)]
        seed, group = divmod(index // len(EXPERIMENTS), 4)
        dataset = ["synth_cars", "synth_chairs"][group % 2]
        budget = ["quick", "paper"][group // 2]
        settings = {"resolution": 64, "width": 1.0, "batch_size": 32, "steps": 1000,
                    "seed": seed, "eval_every": 1000 // evals, "sample_every": 500,
                    "checkpoint_every": 500, "log_every": 10, "num_samples_grid": 64,
                    "prefetch": True}
        record = records.new_record(
            run_id=f"{budget}-seed{seed}", experiment=experiment,
            components={"generator": {"name": experiment.split("_")[0], "kind": "generators",
                                      "distribution": "gan3d-bench", "version": "0"}},
            dataset={"name": dataset, "resolution": 64}, settings=settings, budget=budget,
            device="cpu (2 threads)", world_size=1, command={})
        history = []
        for step in range(1000 // evals, 1001, 1000 // evals):
            metrics = {"kid_synth": _value(rng.uniform(0.005, 0.05) * (1 + 100 / step), True),
                       "fid_synth": _value(rng.uniform(20, 80))}
            if experiment.startswith(("hologan", "voxel")):
                metrics["pose_error_synth"] = _value(rng.uniform(5, 40))
                metrics["identity_synth"] = _value(rng.uniform(0.5, 0.9))
            history.append({"step": step, "wall_time_s": step * 0.5, "metrics": metrics})
        record.update(status="complete", steps_done=1000, wall_time_s=500.0,
                      metrics=history[-1]["metrics"], history=history)
        records.write(root / "runs" / experiment / f"{dataset}-{budget}-seed{seed}", record)


def _timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    """Prints, for each size, the seconds to build, render each format, and regenerate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[25, 100, 400])
    parser.add_argument("--evals", type=int, default=20, help="history entries per run")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}")
    print("runs  build_s  markdown_s  latex_s  csv_s  html_s  regenerate_s(with plots)")
    for runs in args.runs:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            write_records(root, runs, args.evals, random.Random(runs))
            build_leaderboard(root)  # warm imports
            started = time.perf_counter()
            board = build_leaderboard(root)
            build_s = time.perf_counter() - started
            times = [_timed(lambda fmt=fmt, board=board: render(board, fmt))
                     for fmt in ("markdown", "latex", "csv", "html")]
            regenerate_s = _timed(lambda root=root: regenerate(root))
            print(f"{runs:4d}  {build_s:7.2f}  " + "  ".join(f"{t:9.3f}" for t in times) +
                  f"  {regenerate_s:8.2f}")


if __name__ == "__main__":
    main()
