"""Pictures of a generator: sample grids from a fixed z, and rotation sweeps."""

from __future__ import annotations

from pathlib import Path

import torch

from gan3d_bench.images import save_grid
from gan3d_bench.interfaces import Generator


@torch.no_grad()
def generate(generator: Generator, inputs: dict, batch_size: int = 64) -> torch.Tensor:
    """Runs a generator on prepared inputs in eval mode, in chunks, and previews the result.

    Args:
        generator: the generator.
        inputs: ``z``, ``pose`` and ``labels`` (any may be None but z).
        batch_size: chunk size.

    Returns:
        ``[N, 3, H, W]`` images in [-1, 1] on the CPU.
    """
    was_training = generator.training
    generator.eval()
    try:
        chunks = []
        total = inputs["z"].shape[0]
        for start in range(0, total, batch_size):
            part = {key: None if value is None else value[start:start + batch_size]
                    for key, value in inputs.items()}
            chunks.append(generator.preview(generator(**part)).float().cpu())
        return torch.cat(chunks)
    finally:
        generator.train(was_training)


def fixed_inputs(generator: Generator, n: int, seed: int) -> dict:
    """The same generator inputs every time for a seed (for sample grids across steps).

    Args:
        generator: the generator (its prior and pose ranges).
        n: number of samples.
        seed: the seed.

    Returns:
        ``z``, ``pose`` and ``labels`` for ``generator(**inputs)``.
    """
    rng = torch.Generator().manual_seed(seed)
    return generator.sample_inputs(n, generator=rng)


def save_rotation_sweeps(generator: Generator, folder: Path, seed: int, rows: int = 6,
                         columns: int = 12) -> list[Path]:
    """Saves HoloGAN-style pose sweeps of a pose-aware generator.

    ``rotation_azimuth.png``: each row is one z, each column an azimuth around the full
    circle (elevation at the middle of its range). ``rotation_elevation.png``: the same for
    elevations across the generator's range (azimuth at the middle of its range). Each
    picture says above its columns which angle they show and, in a title line, the angle
    held fixed.

    Args:
        generator: a pose-aware generator.
        folder: where to write.
        seed: chooses the z of the rows.
        rows: how many z.
        columns: how many poses.

    Returns:
        The written files (none for a 2D generator).
    """
    if not generator.pose_aware:
        return []
    base = fixed_inputs(generator, rows, seed)
    azimuths = torch.arange(columns) * (360.0 / columns)
    low, high = generator.elevation_range
    elevations = torch.linspace(float(low), float(high), columns)
    mid_elevation = (float(low) + float(high)) / 2
    mid_azimuth = sum(map(float, generator.azimuth_range)) / 2
    written = []
    for name, values, fixed, axis in (("azimuth", azimuths, mid_elevation, 0),
                                      ("elevation", elevations, mid_azimuth, 1)):
        pose = torch.empty(rows, columns, 2)
        pose[..., axis] = values
        pose[..., 1 - axis] = fixed
        inputs = {
            "z": base["z"].repeat_interleave(columns, 0),
            "pose": pose.reshape(-1, 2).to(base["z"].device),
            "labels": None if base["labels"] is None else
            base["labels"].repeat_interleave(columns, 0),
        }
        images = generate(generator, inputs)
        other = "elevation" if name == "azimuth" else "azimuth"
        title = f"{name} sweep (degrees); {other} {fixed:g}; one z per row"
        labels = [f"{float(value):.3g}" for value in values]
        written.append(save_grid(images, Path(folder) / f"rotation_{name}.png", ncols=columns,
                                 column_labels=labels, title=title))
    return written
