"""Training throughput (real images per second) with 1 and N processes, in one run.

    python benchmarks/train_throughput.py                      # HoloGAN and DCGAN, quick, CPU
    python benchmarks/train_throughput.py --configs gin/dcgan_cars.gin --steps 60
    python benchmarks/train_throughput.py --device cuda --processes 1   # one GPU

Each measurement is a real ``gan3d-bench run`` (``torchrun`` for more than one process) at
the chosen budget, without evaluation, sampling or checkpoints in the timed part. The rate is
taken from the run's train log between the first logged step after ``--warmup`` and the last
one, so start-up (imports, process group, first-step allocations) is left out. Batches are
per process, so N processes train on N times more images per step.

On a CPU the processes share the machine's cores: with P processes each gets cores / P
threads (``OMP_NUM_THREADS``), so the comparison is between one process using every core
and P processes splitting them, which is the choice a user of a CPU box has.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

REPO = Path(__file__).resolve().parent.parent


def machine() -> str:
    """One line about the machine: CPU, cores, load, torch and its threads, GPU if used."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    gpu = f"; {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""
    return (f"{cpu}; {os.cpu_count()} logical cores; load average {load}; torch "
            f"{torch.__version__}{gpu}; Python {platform.python_version()}")


def measure(config: str, processes: int, steps: int, warmup: int, budget: str,
            device: str, port: int) -> dict:
    """Trains one run and reads its rate from the train log.

    Args:
        config: the experiment's gin file.
        processes: 1 (plain process) or more (torchrun).
        steps: steps to train.
        warmup: steps left out of the timing.
        budget: the budget (``quick`` or ``paper``).
        device: ``cpu`` or ``cuda``.
        port: torchrun's master port.

    Returns:
        ``{"images_per_s", "steps_per_s", "batch", "timed_steps"}``.
    """
    cores = os.cpu_count() or 1
    threads = max(1, cores // processes) if device == "cpu" else 1
    with tempfile.TemporaryDirectory(prefix="gan3d-throughput-") as tmp:
        run_dir = Path(tmp) / "run"
        args = ["-m", "gan3d_bench", "run", config, "--run-dir", str(run_dir),
                "--budget", budget, "--no-progress", "--device", device,
                "--gin", f"Experiment.steps = {steps}",
                "--gin", "Experiment.metrics = []",
                "--gin", f"Experiment.sample_every = {steps * 10}",
                "--gin", f"Experiment.checkpoint_every = {steps * 10}",
                "--gin", "Experiment.log_every = 1"]
        if budget != "paper":
            args += ["--gin", f"{budget}/Experiment.steps = {steps}",
                     "--gin", f"{budget}/Experiment.sample_every = {steps * 10}",
                     "--gin", f"{budget}/Experiment.checkpoint_every = {steps * 10}",
                     "--gin", f"{budget}/Experiment.log_every = 1",
                     "--gin", f"{budget}/Experiment.eval_every = 0"]
        if processes > 1:
            args = ["-m", "torch.distributed.run", "--nproc_per_node", str(processes),
                    "--master_port", str(port), *args]
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        result = subprocess.run([sys.executable, *args], cwd=REPO, env=env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"run failed ({config}, {processes} process(es)):\n"
                             f"{result.stderr[-3000:]}")
        log = [json.loads(line) for line in
               (run_dir / "train_log.jsonl").read_text().splitlines() if line.strip()]
        record = json.loads((run_dir / "record.json").read_text())
    timed = [entry for entry in log if entry["step"] > warmup]
    first, last = timed[0], timed[-1]
    seconds = last["wall_time_s"] - first["wall_time_s"]
    timed_steps = last["step"] - first["step"]
    batch = int(record["settings"]["batch_size"])
    return {"images_per_s": timed_steps * batch * processes / seconds,
            "steps_per_s": timed_steps / seconds, "batch": batch,
            "timed_steps": timed_steps, "threads": threads}


def main(argv: list[str] | None = None) -> None:
    """Measures every config with every process count and prints a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+",
                        default=["gin/hologan_cars.gin", "gin/dcgan_cars.gin"])
    parser.add_argument("--processes", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget", default="quick")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    rows = []
    started = time.perf_counter()
    for index, config in enumerate(args.configs):
        base = None
        for processes in args.processes:
            found = measure(config, processes, args.steps, args.warmup, args.budget,
                            args.device, 29600 + index * 10 + processes)
            base = base or found["images_per_s"]
            rows.append([Path(config).name, args.budget, processes, found["threads"],
                         found["batch"], found["timed_steps"],
                         f"{found['steps_per_s']:.2f}", f"{found['images_per_s']:.1f}",
                         f"{found['images_per_s'] / base:.2f}x"])
            print(f"  {config}: {processes} process(es): "
                  f"{found['images_per_s']:.1f} images/s", file=sys.stderr)
    print(tabulate(rows, headers=["config", "budget", "processes", "threads each",
                                  "batch each", "timed steps", "steps/s", "images/s",
                                  "vs 1 process"]))
    print(f"\nmachine: {machine()}; device {args.device}; "
          f"{time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
