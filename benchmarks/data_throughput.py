"""How fast the embedded data loads: rendering vs decoding the same pictures from PNG files.

    python benchmarks/data_throughput.py [--n 512] [--repeats 3] [--threads N]

In one run, on one machine: images per second rendered by ``synth_cars``/``synth_chairs`` at
64x64 and 128x128; the same images saved as PNG files and decoded back with Pillow (bare
decoding, and through ``image_folder``, which also converts and resizes); and the same images
read from the on-disk cache of a finite dataset. Wall-clock figures are the best of
``--repeats`` runs, the four ways of loading taking turns in every round, so that a machine
whose speed drifts (a shared virtual machine) favours none of them; CPU seconds per image are
given too. Prints a table and a description of the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import PIL
import torch
from PIL import Image
from tabulate import tabulate

from gan3d_bench.data import synth
from gan3d_bench.data.image_folder import ImageFolder
from gan3d_bench.data.synthetic import SynthCars, SynthChairs
from gan3d_bench.interfaces import to_uint8

DATASETS = {"cars": SynthCars, "chairs": SynthChairs}


def machine() -> str:
    """CPU model, cores, load, and library versions."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{model}; {os.cpu_count()} logical cores; load average {load}; "
            f"torch {torch.__version__} with {torch.get_num_threads()} threads; "
            f"Pillow {PIL.__version__}; Python {platform.python_version()} on "
            f"{platform.system()} {platform.machine()}")


def timed(functions: list, repeats: int) -> list[tuple[float, float]]:
    """Best wall-clock and CPU seconds of ``repeats`` calls of each function, the functions
    called in turn, so that a machine whose speed drifts affects them alike."""
    best = [[float("inf"), float("inf")] for _ in functions]
    for _ in range(repeats):
        for function, wall_cpu in zip(functions, best, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            wall_cpu[0] = min(wall_cpu[0], time.perf_counter() - wall)
            wall_cpu[1] = min(wall_cpu[1], time.process_time() - cpu)
    return [tuple(pair) for pair in best]


def decode_pngs(paths: list[Path]) -> torch.Tensor:
    """Pillow decoding of PNG files into one float tensor in [-1, 1]."""
    arrays = []
    for path in paths:
        with Image.open(path) as image:
            arrays.append(np.asarray(image.convert("RGB")))
    pixels = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2)
    return pixels.to(torch.float32).div_(127.5).sub_(1.0)


def measure(kind: str, resolution: int, n: int, repeats: int, folder: Path) -> list[list]:
    """Rows of the table for one family at one resolution."""
    generator = torch.Generator().manual_seed(0)
    shapes = synth.sample_shapes(kind, n, generator)
    pose = torch.stack([torch.rand(n, generator=generator) * 360,
                        torch.rand(n, generator=generator) * 35], 1)
    synth.render(kind, {k: v[:8] for k, v in shapes.items()}, pose[:8], resolution)  # warm-up
    images = synth.render(kind, shapes, pose, resolution)
    pixels = to_uint8(images).permute(0, 2, 3, 1).numpy()
    pngs = folder / f"{kind}{resolution}"
    pngs.mkdir(parents=True)
    paths = [pngs / f"{i:05d}.png" for i in range(n)]
    for path, picture in zip(paths, pixels, strict=True):
        Image.fromarray(picture).save(path)
    size = sum(p.stat().st_size for p in paths) / n
    decode_pngs(paths)  # warm the file cache
    data = ImageFolder(root=pngs, resolution=resolution)
    cached = DATASETS[kind](resolution=resolution, num_samples=n, cache=str(folder / "cache"))
    cached.pictures()  # fill the cache
    times = timed([lambda: synth.render(kind, shapes, pose, resolution),
                   lambda: decode_pngs(paths),
                   lambda: data.load(torch.arange(n)),
                   lambda: cached.batch(0, n, seed=0)], repeats)
    names = [f"render {kind}", f"decode PNG, Pillow ({size / 1024:.1f} KiB each)",
             "image_folder (same PNGs)", f"synth_{kind} from cache"]
    return [[name, resolution, n / wall, 1e3 * cpu / n]
            for name, (wall, cpu) in zip(names, times, strict=True)]


def main(argv: list[str] | None = None) -> None:
    """Runs the benchmark and prints the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=512, help="images per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--resolutions", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--kinds", nargs="+", default=["cars", "chairs"])
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory(prefix="gan3d-data-bench-") as tmp:
        for kind in args.kinds:
            for resolution in args.resolutions:
                rows += measure(kind, resolution, args.n, args.repeats,
                                Path(tmp) / f"{kind}-{resolution}")
    print(tabulate(rows, headers=["what", "side", "images/s", "CPU ms/image"],
                   floatfmt=("", "", ".0f", ".3f")))
    print(f"\nmachine: {machine()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
