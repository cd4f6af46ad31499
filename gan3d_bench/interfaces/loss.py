"""The loss interface: the discriminator's and the generator's objectives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from gan3d_bench.interfaces.discriminator import Discriminator, DiscriminatorOutput

LossTerms = tuple[torch.Tensor, dict[str, torch.Tensor]]


@dataclass
class LossInputs:
    """Everything a loss may need for one update.

    Attributes:
        fake: generated samples (detached in a discriminator step).
        fake_out: the discriminator's output on ``fake``.
        real: real samples, or None in a generator step.
        real_out: the discriminator's output on ``real``, or None in a generator step.
        discriminator: the discriminator itself, for regularisers that call it again
            (a gradient penalty on interpolates, say).
        z: the latent vectors behind ``fake``.
        pose: the poses behind ``fake`` (pose-aware generators), or None.
        fake_labels: the class labels behind ``fake`` (conditional generators), or None.
        real_labels: the class labels of ``real``, or None.
    """

    fake: torch.Tensor
    fake_out: DiscriminatorOutput
    discriminator: Discriminator
    z: torch.Tensor
    real: torch.Tensor | None = None
    real_out: DiscriminatorOutput | None = None
    pose: torch.Tensor | None = None
    fake_labels: torch.Tensor | None = None
    real_labels: torch.Tensor | None = None


class Loss:
    """Base class of every GAN objective.

    Both methods return ``(total, terms)``: the scalar to minimise and a dict of named scalar
    parts for logging (detached or not; the loop detaches them). Constructors take keyword
    arguments only (weights such as a penalty's lambda), configured from gin.
    """

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

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        """The discriminator's objective on a real and a fake batch.

        Args:
            inputs: real and fake samples with the discriminator's outputs on both.

        Returns:
            ``(total, terms)``.
        """
        raise NotImplementedError

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        """The generator's objective on a fake batch.

        Args:
            inputs: fake samples with the discriminator's output on them (``real`` is None).

        Returns:
            ``(total, terms)``.
        """
        raise NotImplementedError
