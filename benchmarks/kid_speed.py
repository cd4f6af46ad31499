"""KID speed and memory: ours against torchmetrics' KernelInceptionDistance.compute(), and
feature-extraction throughput of the ``inception`` and ``synth`` extractors.

Run:  python benchmarks/kid_speed.py            (n = 5,000 and 10,000 per side, d = 2,048)
      python benchmarks/kid_speed.py --sizes 2000 --skip-extractors   (a quick check)

Both KIDs get identical features (non-negative, Inception-like). torchmetrics draws its
subsets with ``torch.randperm`` from the global RNG; the script seeds it, replays the same
draws and hands those subsets to ours, so the values must agree (to ~1e-7). torchmetrics is
given an identity ``nn.Module`` as its feature extractor, so neither torchvision nor
torch-fidelity is needed. Each measurement runs in a fresh subprocess so that its peak
memory (RSS high-water mark above the process's baseline, or CUDA peak allocation) is its own.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

SUBSETS = 100
SUBSET_SIZE = 1000
DIM = 2048


def features(n: int, seed: int, scale: float) -> torch.Tensor:
    rng = np.random.RandomState(seed)
    return torch.from_numpy((np.abs(rng.randn(n, DIM)) * scale).astype(np.float32))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def torchmetrics_subsets(n: int, seed: int):
    """The indices torchmetrics' compute() draws after torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    real, fake = [], []
    for _ in range(SUBSETS):
        real.append(torch.randperm(n)[:SUBSET_SIZE].numpy())
        fake.append(torch.randperm(n)[:SUBSET_SIZE].numpy())
    return np.stack(real), np.stack(fake)


def run_case(case: str, n: int, device: str) -> dict:
    """One timed KID computation (in its own process)."""
    real = features(n, 1, 0.30).to(device)
    fake = features(n, 2, 0.31).to(device)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    baseline = current_rss_mb()
    if case == "torchmetrics":
        import warnings

        from torchmetrics.image.kid import KernelInceptionDistance

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metric = KernelInceptionDistance(feature=torch.nn.Identity(), subsets=SUBSETS,
                                             subset_size=SUBSET_SIZE).to(device)
        metric.update(real, real=True)
        metric.update(fake, real=False)
        torch.manual_seed(0)
        start = time.perf_counter()
        mean, std = metric.compute()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        value = (float(mean), float(std))
    else:
        from gan3d_bench.evaluation.kid import kid_from_features

        method = case.split(":")[1] if ":" in case else "auto"
        index = torchmetrics_subsets(n, 0) if case.startswith("ours-same") else None
        start = time.perf_counter()
        result = kid_from_features(real, fake, subsets=SUBSETS, subset_size=SUBSET_SIZE,
                                   device=device, method=method, index=index)
        seconds = time.perf_counter() - start
        value = (result.mean, result.std)
        case = f"{case} ({result.method})"
    peak = (torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda")
            else peak_rss_mb() - baseline)
    return {"case": case, "n": n, "seconds": seconds, "peak_mb": peak, "mean": value[0],
            "std": value[1]}


def extraction_speed(name: str, device: str, batch: int, batches: int) -> dict:
    """Images per second of one extractor on 64x64 uint8 images."""
    from gan3d_bench.errors import UserError
    from gan3d_bench.evaluation.extractors import build_extractor

    note = ""
    try:
        extractor = build_extractor(name, device)
    except UserError:
        if name != "inception":
            raise
        # same network and cost with random weights in the reference layout
        import tempfile

        from gan3d_bench.evaluation.inception_net import FIDInceptionV3

        path = Path(tempfile.mkdtemp()) / "random-inception.pth"
        torch.save(FIDInceptionV3().state_dict(), path)
        extractor = build_extractor(name, device, weights_path=str(path))
        note = "random weights (real file absent; same cost)"
    images = torch.randint(0, 256, (batch, 3, 64, 64), dtype=torch.uint8)
    extractor(images[:2])  # warm-up
    start = time.perf_counter()
    for _ in range(batches):
        extractor(images)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return {"extractor": name, "images_per_s": batch * batches / seconds, "batch": batch,
            "note": note}


def subprocess_json(args: list[str]) -> dict:
    output = subprocess.run([sys.executable, __file__, *args], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--skip-extractors", action="store_true")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--extractor", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.n, args.device)))
        return
    if args.extractor:
        batch = 64 if args.extractor == "synth" else 16
        print(json.dumps(extraction_speed(args.extractor, args.device, batch,
                                          batches=8 if args.extractor == "synth" else 2)))
        return

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} torch threads, torch {torch.__version__}, "
          f"device {args.device}")
    print(f"KID: {SUBSETS} subsets of {SUBSET_SIZE}, d = {DIM}\n")
    print(f"{'n per side':>10}  {'implementation':<32} {'seconds':>8} {'peak MB':>8} "
          f"{'mean':>14} {'std':>12}")
    for n in args.sizes:
        rows = [subprocess_json(["--case", case, "--n", str(n), "--device", args.device])
                for case in ("torchmetrics", "ours-same-subsets", "ours")]
        for row in rows:
            print(f"{n:>10}  {row['case']:<32} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f} "
                  f"{row['mean']:>14.9f} {row['std']:>12.3e}")
        tm, same = rows[0], rows[1]
        print(f"{'':>10}  same subsets: |mean diff| = {abs(tm['mean'] - same['mean']):.2e}, "
              f"|std diff| = {abs(tm['std'] - same['std']):.2e}; speed-up "
              f"{tm['seconds'] / same['seconds']:.1f}x\n")
    if not args.skip_extractors:
        for name in ("synth", "inception"):
            row = subprocess_json(["--extractor", name, "--device", args.device])
            print(f"feature extraction, {name}: {row['images_per_s']:.1f} images/s "
                  f"(64x64 uint8 input, batch {row['batch']}) {row['note']}")


if __name__ == "__main__":
    main()
