"""Rendering the same latent codes from chosen poses, and reading them back with the ``synth``
extractor's heads: the common ground of the 3D-consistency metrics."""

from __future__ import annotations

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.extractors import resolve_extractor
from gan3d_bench.interfaces import Generator, to_uint8


@torch.no_grad()
def render_views(generator: Generator, z: torch.Tensor, pose: torch.Tensor,
                 labels: torch.Tensor | None, batch_size: int) -> torch.Tensor:
    """Generates ``z`` at ``pose`` (eval mode, in batches).

    Args:
        generator: a pose-aware image generator.
        z: ``[n, z_dim]`` latent codes.
        pose: ``[n, 2]`` (azimuth, elevation) degrees.
        labels: ``[n]`` class labels for a conditional generator, else None.
        batch_size: samples per forward pass.

    Returns:
        ``[n, 3, R, R]`` uint8 images on the CPU.
    """
    was_training = generator.training
    generator.eval()
    try:
        device = generator.device
        parts = []
        for start in range(0, z.shape[0], batch_size):
            part = slice(start, start + batch_size)
            images = generator(z[part].to(device), pose=pose[part].to(device),
                               labels=None if labels is None else labels[part].to(device))
            parts.append(to_uint8(generator.preview(images)).cpu())
        return torch.cat(parts)
    finally:
        generator.train(was_training)


def pose_reader(spec, device: torch.device, memo: dict | None, metric: str):
    """An extractor with a ``predict`` method (pose, shape and colour heads).

    Args:
        spec: an extractor name or instance (``"synth"``).
        device: where it runs.
        memo: the evaluation's memo (shares the extractor with ``kid``).
        metric: the asking metric's name, for the error message.

    Returns:
        The extractor.

    Raises:
        UserError: the extractor has no pose heads.
    """
    extractor = resolve_extractor(spec, device, memo)
    if not callable(getattr(extractor, "predict", None)):
        raise UserError(f"{metric} needs an extractor that predicts pose, shape and colour "
                        f"(synth); '{extractor.name}' only gives features")
    return extractor


def applies_to_pose_aware(generator) -> bool:
    """True for pose-aware image generators (2D and voxel generators get n/a)."""
    return bool(getattr(generator, "pose_aware", False)) and \
        getattr(generator, "modality", "image") == "image"


def labels_for(generator: Generator, n: int, rng: torch.Generator) -> torch.Tensor | None:
    """One class label per latent code (kept across its views), or None."""
    return generator.sample_labels(n, rng)
