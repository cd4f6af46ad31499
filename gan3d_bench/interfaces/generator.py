"""The generator interface: z (and, for pose-aware models, a pose) -> an image or a voxel grid."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

MODALITIES = ("image", "voxels")
Z_DISTRIBUTIONS = ("normal", "uniform")


class Generator(nn.Module):
    """Base class of every generator.

    A subclass sets these attributes (as class attributes or in ``__init__``):

    * ``z_dim``: size of the latent vector z.
    * ``resolution``: side of the output (images are ``[B, 3, R, R]``, voxels ``[B, 1, R, R, R]``).
    * ``z_distribution``: ``"normal"`` (N(0, I)) or ``"uniform"`` (U[-1, 1]).
    * ``pose_aware``: True when ``forward`` takes a pose ``[B, 2]`` of (azimuth, elevation)
      in degrees and renders z at that pose; False for a 2D generator, which ignores pose.
    * ``azimuth_range`` / ``elevation_range``: degrees, ``[low, high)``; training samples poses
      uniformly from them (pose-aware generators only).
    * ``modality``: ``"image"`` (values in [-1, 1]) or ``"voxels"`` (occupancy in [0, 1]).
    * ``num_classes``: 0 for an unconditional generator, else the number of class labels
      ``forward`` takes.

    Constructors take keyword arguments only. By convention they accept ``resolution`` and
    ``width`` (a channel multiplier, 1.0 = the paper's widths); the experiment passes every
    keyword of ``resolution, width, num_classes`` that the constructor accepts.
    """

    z_dim: int = 128
    resolution: int = 64
    z_distribution: str = "normal"
    pose_aware: bool = False
    azimuth_range: tuple[float, float] = (0.0, 360.0)
    elevation_range: tuple[float, float] = (0.0, 35.0)
    modality: str = "image"
    num_classes: int = 0

    @classmethod
    def contract_kwargs(cls, workdir: Path) -> dict:
        """Keyword arguments the contract suite constructs this component with.

        Override when the component cannot be built from its defaults alone (a folder of
        images, a weights file, an inner network); ``workdir`` is an empty temporary folder
        to create such things in.

        Args:
            workdir: a temporary folder.

        Returns:
            Constructor keyword arguments (empty by default).
        """
        return {}

    def sample_z(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draws latent vectors from the generator's prior.

        Args:
            n: number of vectors.
            generator: optional torch RNG (on the CPU) for reproducible draws.

        Returns:
            A ``[n, z_dim]`` float tensor on the module's device.
        """
        if self.z_distribution == "uniform":
            z = torch.rand(n, self.z_dim, generator=generator) * 2.0 - 1.0
        else:
            z = torch.randn(n, self.z_dim, generator=generator)
        return z.to(self.device)

    def sample_pose(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor | None:
        """Draws poses uniformly from ``azimuth_range`` x ``elevation_range``.

        Args:
            n: number of poses.
            generator: optional torch RNG (on the CPU).

        Returns:
            A ``[n, 2]`` tensor of (azimuth, elevation) in degrees, or None for a 2D generator.
        """
        if not self.pose_aware:
            return None
        u = torch.rand(n, 2, generator=generator)
        lows = torch.tensor([self.azimuth_range[0], self.elevation_range[0]], dtype=u.dtype)
        highs = torch.tensor([self.azimuth_range[1], self.elevation_range[1]], dtype=u.dtype)
        return (lows + u * (highs - lows)).to(self.device)

    def sample_labels(self, n: int,
                      generator: torch.Generator | None = None) -> torch.Tensor | None:
        """Draws class labels uniformly (conditional generators only).

        Args:
            n: number of labels.
            generator: optional torch RNG (on the CPU).

        Returns:
            A ``[n]`` long tensor, or None when ``num_classes`` is 0.
        """
        if not self.num_classes:
            return None
        return torch.randint(0, self.num_classes, (n,), generator=generator).to(self.device)

    def sample_inputs(self, n: int, generator: torch.Generator | None = None) -> dict:
        """Draws everything ``forward`` needs for ``n`` samples.

        Args:
            n: number of samples.
            generator: optional torch RNG (on the CPU).

        Returns:
            A dict with keys ``z``, ``pose`` and ``labels`` (the last two may be None), to be
            passed as ``generator(**inputs)``.
        """
        return {
            "z": self.sample_z(n, generator),
            "pose": self.sample_pose(n, generator),
            "labels": self.sample_labels(n, generator),
        }

    def forward(self, z: torch.Tensor, pose: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> torch.Tensor:
        """Generates samples.

        Args:
            z: ``[B, z_dim]`` latent vectors.
            pose: ``[B, 2]`` (azimuth, elevation) in degrees; required by pose-aware
                generators, ignored by 2D ones.
            labels: ``[B]`` class labels for conditional generators.

        Returns:
            ``[B, 3, R, R]`` images in [-1, 1], or ``[B, 1, R, R, R]`` occupancy in [0, 1].
        """
        raise NotImplementedError

    def preview(self, samples: torch.Tensor) -> torch.Tensor:
        """Turns this generator's outputs into images for sample grids.

        Args:
            samples: outputs of ``forward``.

        Returns:
            ``[B, 3, H, W]`` images in [-1, 1]. Image generators return their input;
            voxel generators override this with a rendering.
        """
        return samples

    @property
    def device(self) -> torch.device:
        """The device of the module's first parameter or buffer (CPU if it has none)."""
        for tensor in self.parameters():
            return tensor.device
        for tensor in self.buffers():
            return tensor.device
        return torch.device("cpu")


def output_shape(generator: Generator, batch_size: int) -> tuple[int, ...]:
    """The shape ``forward`` must return for ``batch_size`` samples.

    Args:
        generator: a generator.
        batch_size: number of samples.

    Returns:
        ``(B, 3, R, R)`` for images, ``(B, 1, R, R, R)`` for voxels.
    """
    r = generator.resolution
    if generator.modality == "voxels":
        return (batch_size, 1, r, r, r)
    return (batch_size, 3, r, r)


def is_power_of_two(value: int) -> bool:
    """True when ``value`` is a positive power of two."""
    return value > 0 and math.log2(value).is_integer()
