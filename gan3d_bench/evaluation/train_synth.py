"""Trains the ``synth`` extractor's network on fresh renders and writes its weights.

    python -m gan3d_bench.evaluation.train_synth            # the shipped weights (CPU minutes)
    python -m gan3d_bench.evaluation.train_synth --out my.pt --steps 500

Everything is seeded (shapes, poses, weight init, batch order) and the global RNG is never
read, so a rerun on the same machine and torch version reproduces the file.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from gan3d_bench.evaluation.synth_features import SHIPPED_WEIGHTS, save_weights
from gan3d_bench.evaluation.synth_net import (
    SynthNet,
    angle_difference,
    pose_targets,
)
from gan3d_bench.interfaces import to_uint8

TRAIN_SEED = 1234
VALIDATION_SEED = 98765
RENDER_SIZES = (32, 48, 64)  # generators make small images too: train on every size


def kinds() -> tuple[str, ...]:
    """The object families the renderer provides (cars, chairs)."""
    from gan3d_bench.data import synth

    return tuple(synth.FAMILIES)


def elevation_range(kind: str) -> tuple[float, float]:
    """Elevations to train on: the family's default range, 10 degrees wider above."""
    from gan3d_bench.data import synth

    low, high = getattr(synth.family(kind), "DEFAULT_ELEVATION", (0.0, 35.0))
    return float(low), float(high) + 10.0


@torch.no_grad()
def render_set(n_per_kind: int, seed: int, sizes=RENDER_SIZES, show_progress=True) -> dict:
    """Renders labelled images of every family at random poses.

    Args:
        n_per_kind: images per family.
        seed: seeds shapes, poses and sizes.
        sizes: render resolutions, used in turn (the network sees them resized to 64).
        show_progress: show a progress bar.

    Returns:
        ``{"image": uint8 [N, 3, 64, 64], "pose": [N, 2], "family": [N] long,
        "colour": [N, 3], "shape/<kind>": [N, K] (zeros for other families)}``.
    """
    from gan3d_bench.data import synth

    families = kinds()
    dims = {kind: len(synth.shape_names(kind)) for kind in families}
    rng = torch.Generator().manual_seed(seed)
    parts: list[dict] = []
    chunk = 64
    total = n_per_kind * len(families)
    with tqdm(total=total, desc="rendering", unit="img", file=sys.stderr, leave=False,
              disable=None if show_progress else True) as bar:
        for family_index, kind in enumerate(families):
            low, high = elevation_range(kind)
            for start in range(0, n_per_kind, chunk):
                n = min(chunk, n_per_kind - start)
                size = sizes[(start // chunk) % len(sizes)]
                shapes = synth.sample_shapes(kind, n, rng)
                pose = torch.stack([torch.rand(n, generator=rng) * 360.0,
                                    low + torch.rand(n, generator=rng) * (high - low)], 1)
                images = to_uint8(synth.render(kind, shapes, pose, size))
                if size != 64:
                    images = to_uint8(SynthNet.prepare(images))
                part = {"image": images, "pose": pose, "colour": shapes["colour"],
                        "family": torch.full((n,), family_index, dtype=torch.long)}
                for other, k in dims.items():
                    part[f"shape/{other}"] = shapes["shape"] if other == kind else \
                        torch.zeros(n, k)
                parts.append(part)
                bar.update(n)
    return {key: torch.cat([p[key] for p in parts]) for key in parts[0]}


def shift(x: torch.Tensor, generator: torch.Generator, max_pixels: int = 3) -> torch.Tensor:
    """Moves a batch by a random offset (edges replicated): generated objects are not
    always centred. No flips: a mirror image has the mirrored azimuth."""
    dy, dx = (torch.randint(-max_pixels, max_pixels + 1, (2,), generator=generator)).tolist()
    pad = F.pad(x, (max_pixels,) * 4, mode="replicate")
    side = x.shape[-1]
    top, left = max_pixels + dy, max_pixels + dx
    return pad[..., top:top + side, left:left + side]


def loss_terms(network: SynthNet, batch: dict,
               generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """The training losses of a batch: pose, family, colour and (own family's) shape.

    Args:
        network: the network.
        batch: images and labels from ``render_set``.
        generator: RNG for the shift augmentation (None: no augmentation).

    Returns:
        The named loss terms.
    """
    x = SynthNet.prepare(batch["image"])
    if generator is not None:
        x = shift(x, generator)
    out = network.heads(network.embedding(x))
    terms = {"pose": F.mse_loss(out["pose"], pose_targets(batch["pose"])),
             "family": F.cross_entropy(out["family"], batch["family"]),
             "colour": F.mse_loss(out["colour"], batch["colour"])}
    shape_loss = torch.zeros(())
    for index, kind in enumerate(network.families):
        mine = batch["family"] == index
        if mine.any():
            shape_loss = shape_loss + F.mse_loss(out[f"shape/{kind}"][mine],
                                                 batch[f"shape/{kind}"][mine],
                                                 reduction="sum") / len(mine)
    terms["shape"] = shape_loss
    return terms


@torch.no_grad()
def errors(network: SynthNet, data: dict) -> dict[str, torch.Tensor]:
    """Per-entry absolute errors of the network on a labelled set.

    Returns:
        ``azimuth`` and ``elevation`` ``[N]`` (degrees), ``family_correct`` ``[N]``,
        ``colour`` ``[N, 3]``, and ``shape/<kind>`` ``[N_kind, K]`` for each family.
    """
    network.eval()
    predictions = [network.predict(SynthNet.prepare(data["image"][s:s + 256]))
                   for s in range(0, len(data["image"]), 256)]
    cat = torch.cat
    out = {
        "azimuth": angle_difference(cat([p.azimuth for p in predictions]),
                                    data["pose"][:, 0]).abs(),
        "elevation": (cat([p.elevation for p in predictions]) - data["pose"][:, 1]).abs(),
        "family_correct": (cat([p.family for p in predictions]).argmax(1) ==
                           data["family"]).float(),
        "colour": (cat([p.colour for p in predictions]) - data["colour"]).abs(),
    }
    for index, kind in enumerate(network.families):
        mine = data["family"] == index
        predicted = cat([p.shape[kind] for p in predictions])[mine]
        out[f"shape/{kind}"] = (predicted - data[f"shape/{kind}"][mine]).abs()
    return out


def accuracy(network: SynthNet, data: dict) -> dict[str, float]:
    """How well the network reads a labelled set.

    Returns:
        ``azimuth_mae`` and ``elevation_mae`` (degrees), ``family_accuracy``,
        ``colour_mae`` and ``shape_mae`` (in [0, 1] units).
    """
    found = errors(network, data)
    shapes = [found[f"shape/{kind}"].flatten() for kind in network.families]
    return {"azimuth_mae": float(found["azimuth"].mean()),
            "elevation_mae": float(found["elevation"].mean()),
            "family_accuracy": float(found["family_correct"].mean()),
            "colour_mae": float(found["colour"].mean()),
            "shape_mae": float(torch.cat(shapes).mean())}


def identity_scale(network: SynthNet, data: dict) -> torch.Tensor:
    """The mean validation error of each identity entry (colour, then each family's shape),
    floored at 0.01: the divisor that makes reliable entries weigh more."""
    found = errors(network, data)
    parts = [found["colour"].mean(0)] + [found[f"shape/{kind}"].mean(0)
                                         for kind in network.families]
    return torch.cat(parts).clamp_min(0.01)


def train(steps: int = 5000, batch_size: int = 64, train_per_kind: int = 8000,
          validation_per_kind: int = 300, lr: float = 2e-3, seed: int = TRAIN_SEED,
          show_progress: bool = True, report_every: int = 0) -> tuple[SynthNet, dict]:
    """Trains the network from scratch.

    Args:
        steps: optimiser steps.
        batch_size: images per step.
        train_per_kind: rendered training images per family (reused over epochs, with a
            random horizontal shift as augmentation).
        validation_per_kind: fresh images per family for the reported accuracy.
        lr: Adam's peak learning rate (cosine decay to 0).
        seed: seeds everything.
        show_progress: show progress bars.
        report_every: print the validation accuracy every this many steps (0: never).

    Returns:
        ``(network, info)`` with the validation accuracy in ``info``.
    """
    from gan3d_bench.data import synth

    started = time.perf_counter()
    torch.manual_seed(seed)
    data = render_set(train_per_kind, seed, show_progress=show_progress)
    validation = render_set(validation_per_kind, VALIDATION_SEED, show_progress=show_progress)
    network = SynthNet({kind: len(synth.shape_names(kind)) for kind in kinds()})
    optimiser = torch.optim.Adam(network.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, steps) / steps)))
    order_rng = torch.Generator().manual_seed(seed + 1)
    count = len(data["image"])
    network.train()
    bar = tqdm(range(steps), desc="training synth extractor", unit="step", file=sys.stderr,
               disable=None if show_progress else True)
    for step in bar:
        if report_every and step and step % report_every == 0:
            report = {key: round(value, 4) for key, value in accuracy(network,
                                                                      validation).items()}
            print(f"step {step}: {json.dumps(report)}", file=sys.stderr, flush=True)
            network.train()
        index = torch.randint(0, count, (batch_size,), generator=order_rng)
        batch = {key: value[index] for key, value in data.items()}
        terms = loss_terms(network, batch, order_rng)
        loss = sum(terms.values())
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        schedule.step()
        bar.set_postfix({key: f"{float(v.detach()):.3f}" for key, v in terms.items()},
                        refresh=False)
    network.identity_scale.copy_(identity_scale(network, validation))
    info = {"seed": seed, "steps": steps, "batch_size": batch_size,
            "train_per_kind": train_per_kind, "families": list(network.families),
            "validation": accuracy(network, validation), "torch": str(torch.__version__)}
    if show_progress:
        print(f"trained in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return network.eval(), info


def main(argv: list[str] | None = None) -> None:
    """Command line: trains and writes the weights (default: the shipped file)."""
    parser = argparse.ArgumentParser(
        prog="python -m gan3d_bench.evaluation.train_synth",
        description="Train the synth feature extractor on renders of synthetic cars and chairs.")
    parser.add_argument("--out", type=Path, default=SHIPPED_WEIGHTS)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--train-per-kind", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=TRAIN_SEED)
    parser.add_argument("--report-every", type=int, default=0,
                        help="print the validation accuracy every N steps")
    args = parser.parse_args(argv)
    torch.use_deterministic_algorithms(True)
    network, info = train(steps=args.steps, batch_size=args.batch_size,
                          train_per_kind=args.train_per_kind, seed=args.seed,
                          report_every=args.report_every)
    save_weights(args.out, network, info)
    print(json.dumps(info, indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
