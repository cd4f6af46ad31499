"""The discriminator interface: images (or voxels) -> logits and optional auxiliary outputs."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gan3d_bench.interfaces.contract import ContractHooks


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


class Discriminator(ContractHooks, nn.Module):
    """Base class of every discriminator (and critic).

    A subclass sets ``resolution`` and ``modality`` (``"image"`` or ``"voxels"``, the same as the
    generator it judges) and implements ``forward``. Constructors take keyword arguments only;
    the experiment passes every keyword of ``resolution, width, z_dim, num_classes,
    in_channels`` that the constructor accepts (``z_dim`` for a latent-reconstruction head,
    ``num_classes`` for a class head).
    """

    resolution: int = 64
    modality: str = "image"

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> DiscriminatorOutput:
        """Scores a batch.

        Args:
            x: ``[B, 3, R, R]`` images in [-1, 1], or ``[B, 1, R, R, R]`` voxels in [0, 1].
            labels: ``[B]`` class labels, for discriminators that condition on them.

        Returns:
            A ``DiscriminatorOutput``.
        """
        raise NotImplementedError
