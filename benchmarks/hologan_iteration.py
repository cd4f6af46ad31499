"""Time one HoloGAN training iteration (1 D step + 2 G steps) and count its FLOPs.

Measures, in one process on one machine:

* seconds per iteration at 64x64, batch 32, full width (the paper's setting), after warm-up;
* the FLOPs of an iteration (``torch.utils.flop_counter.FlopCounterMode``: convolutions and
  matrix products, forward and backward; element-wise work is not counted);
* the machine's fp32 matmul throughput (a large square matmul) and the fraction of it that
  training reaches;
* optionally the same iteration without channels-last memory format, for comparison.

Usage::

    python benchmarks/hologan_iteration.py                 # the defaults above
    python benchmarks/hologan_iteration.py --compare       # also without channels-last
    python benchmarks/hologan_iteration.py --width 0.25 --iterations 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from gan3d_bench.training.step import GANStep, Models
from gan3d_hologan.discriminator import HoloGANDiscriminator
from gan3d_hologan.generator import HoloGANGenerator
from gan3d_hologan.loss import HoloGANLoss


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_throughput(device: torch.device, size: int = 2048, repeats: int = 10) -> float:
    """Measured fp32 FLOP/s of a large square matrix product (best of ``repeats``).

    Args:
        device: where to measure.
        size: matrix side.
        repeats: timed products.

    Returns:
        FLOP/s (``2 * size^3`` per product).
    """
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    torch.mm(a, b)
    _sync(device)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best


def build(width: float, batch: int, resolution: int, channels_last: bool,
          device: torch.device) -> tuple[Models, GANStep, dict]:
    """The paper's models, optimisers and schedule, and one fixed real batch.

    Args:
        width: channel multiplier.
        batch: batch size.
        resolution: 64 or 128.
        channels_last: use channels-last memory format for the 2D parts.
        device: where to run.

    Returns:
        ``(models, step, real_batch)``.
    """
    torch.manual_seed(0)
    style = resolution == 128
    generator = HoloGANGenerator(resolution=resolution, width=width,
                                 channels_last=channels_last).to(device)
    discriminator = HoloGANDiscriminator(resolution=resolution, width=width,
                                         style_discriminator=style,
                                         channels_last=channels_last).to(device)
    models = Models(generator=generator, discriminator=discriminator,
                    loss=HoloGANLoss(lambda_latent=1.0 if style else 0.0),
                    g_optimizer=torch.optim.Adam(generator.parameters(), 1e-4,
                                                 betas=(0.5, 0.999)),
                    d_optimizer=torch.optim.Adam(discriminator.parameters(), 1e-4,
                                                 betas=(0.5, 0.999)),
                    batch_size=batch)
    real = {"image": torch.rand(batch, 3, resolution, resolution, device=device) * 2 - 1}
    return models, GANStep(d_steps=1, g_steps=2, g_reuse_inputs=True), real


def time_iterations(models: Models, step: GANStep, real: dict, iterations: int,
                    warmup: int, device: torch.device) -> list[float]:
    """Seconds of each of ``iterations`` training iterations after ``warmup`` untimed ones."""
    for _ in range(warmup):
        step(models, lambda: real)
    _sync(device)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step(models, lambda: real)
        _sync(device)
        times.append(time.perf_counter() - start)
    return times


def count_flops(models: Models, step: GANStep, real: dict) -> int:
    """FLOPs of one training iteration (convolutions and matmuls, forward and backward)."""
    counter = FlopCounterMode(display=False)
    with counter:
        step(models, lambda: real)
    return counter.get_total_flops()


def measure(args, channels_last: bool, device: torch.device, peak: float) -> dict:
    models, step, real = build(args.width, args.batch, args.resolution, channels_last, device)
    flops = count_flops(models, step, real)
    times = time_iterations(models, step, real, args.iterations, args.warmup, device)
    median = statistics.median(times)
    achieved = flops / median
    return {"channels_last": channels_last, "seconds_per_iteration_median": median,
            "seconds_per_iteration_min": min(times), "seconds_per_iteration_all": times,
            "flops_per_iteration": flops, "achieved_flops_per_s": achieved,
            "fraction_of_matmul_peak": achieved / peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--resolution", type=int, default=64, choices=(64, 128))
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compare", action="store_true",
                        help="also time the iteration without channels-last")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    device = torch.device(args.device)
    peak = matmul_throughput(device)
    machine = {"device": str(device), "threads": torch.get_num_threads(),
               "cpu": platform.processor() or platform.machine(), "torch": torch.__version__}
    if device.type == "cuda":
        machine["gpu"] = torch.cuda.get_device_name(device)
    results = [measure(args, True, device, peak)]
    if args.compare:
        results.append(measure(args, False, device, peak))
    print(f"machine: {machine}")
    print(f"setting: {args.resolution}x{args.resolution}, batch {args.batch}, width {args.width}, "
          f"1 D step + 2 G steps per iteration")
    print(f"fp32 matmul throughput: {peak / 1e9:.1f} GFLOP/s")
    for result in results:
        layout = "channels-last" if result["channels_last"] else "contiguous"
        print(f"{layout:>14}: {result['seconds_per_iteration_median']:.3f} s/iteration "
              f"(min {result['seconds_per_iteration_min']:.3f}), "
              f"{result['flops_per_iteration'] / 1e9:.1f} GFLOP/iteration, "
              f"{result['achieved_flops_per_s'] / 1e9:.1f} GFLOP/s = "
              f"{100 * result['fraction_of_matmul_peak']:.1f}% of matmul")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine, "matmul_flops_per_s": peak, "args": vars(args),
                       "results": results}, handle, indent=1)


if __name__ == "__main__":
    main()
