"""The feature-extractor interface: uint8 images -> feature vectors."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


class FeatureExtractor(nn.Module):
    """Base class of every feature extractor used by metrics.

    A subclass sets ``name`` (the short name used in metric names, ``"inception"``) and
    ``dim`` (the feature size), and implements ``forward``. Constructors take keyword
    arguments only (a weights path, say). Extractors are frozen: metrics call them in eval
    mode under ``torch.no_grad()``.
    """

    name: str = "features"
    dim: int = 0

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

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Extracts features.

        Args:
            images: ``[B, 3, H, W]`` uint8 images (0-255), any H and W; the extractor resizes.

        Returns:
            ``[B, dim]`` float32 features.
        """
        raise NotImplementedError


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Quantises images in [-1, 1] to uint8 the way saving them as PNG would.

    Args:
        images: float images in [-1, 1].

    Returns:
        uint8 images: ``round((x + 1) * 127.5)`` clamped to [0, 255].
    """
    return ((images.detach().float() + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8)
