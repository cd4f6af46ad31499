"""The discriminator interface: images (or voxels) -> logits and optional auxiliary outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn


@dataclass
class DiscriminatorOutput:
    """What a discriminator returns for a batch.

    Attributes:
        logits: ``[B]`` real/fake scores before any sigmoid (a critic's raw value for WGAN).
            A discriminator that judges packs of samples (PacGAN) returns one per pack.
        latent: ``[B, z_dim]`` reconstruction of z (HoloGAN's identity loss), or None.
        style_logits: one ``[B]`` tensor per style-discriminated layer, or None.
        class_logits: ``[B, num_classes]`` class scores (AC-GAN), or None.
    """

    logits: torch.Tensor
    latent: torch.Tensor | None = None
    style_logits: list[torch.Tensor] | None = None
    class_logits: torch.Tensor | None = None


class Discriminator(nn.Module):
    """Base class of every discriminator (and critic).

    A subclass sets ``resolution`` and ``modality`` (``"image"`` or ``"voxels"``, the same as the
    generator it judges) and implements ``forward``. Constructors take keyword arguments only;
    the experiment passes every keyword of ``resolution, width, z_dim, num_classes,
    in_channels`` that the constructor accepts (``z_dim`` for a latent-reconstruction head,
    ``num_classes`` for a class head).
    """

    resolution: int = 64
    modality: str = "image"

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

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> DiscriminatorOutput:
        """Scores a batch.

        Args:
            x: ``[B, 3, R, R]`` images in [-1, 1], or ``[B, 1, R, R, R]`` voxels in [0, 1].
            labels: ``[B]`` class labels, for discriminators that condition on them.

        Returns:
            A ``DiscriminatorOutput``.
        """
        raise NotImplementedError
