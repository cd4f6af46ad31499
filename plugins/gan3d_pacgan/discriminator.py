"""The packing discriminator: m samples of one source, stacked on channels, judged together."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import gin
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.experiment import call_with_accepted
from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput
from gan3d_bench.registry import get_registry


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Groups consecutive samples into packs along the channel axis.

    Args:
        x: ``[B, C, H, W]`` samples, B a multiple of ``m``.
        m: samples per pack.

    Returns:
        ``[B / m, m * C, H, W]``: pack ``k`` holds samples ``k m, ..., k m + m - 1``.
    """
    batch, channels = x.shape[:2]
    if batch % m:
        raise UserError(f"pacgan_discriminator packs {m} samples, but got a batch of {batch}; "
                        f"set Experiment.batch_size to a multiple of pacgan_discriminator.m")
    return x.reshape(batch // m, m * channels, *x.shape[2:])


class PacGANDiscriminator(Discriminator):
    """Wraps an image discriminator to score packs of ``m`` samples.

    The batches a training step gives are independent draws (real: a shuffled stream; fake:
    independent z), so packing consecutive samples makes packs of independent samples of one
    source. The output has one logit per pack, which the usual losses take as they are.

    Args:
        base: the inner discriminator's registered class, from gin
            (``pacgan_discriminator.base = @dcgan_discriminator``); it must accept
            ``in_channels``.
        m: samples per pack (2 is the paper's common choice).
        resolution: image side, passed on to the inner discriminator.
        width: channel multiplier, passed on.
        z_dim: latent size, passed on if the inner discriminator takes it.
        num_classes: number of classes, passed on if the inner discriminator takes it.
    """

    def __init__(self, base: Callable = gin.REQUIRED, m: int = 2, resolution: int = 64,
                 width: float = 1.0, z_dim: int | None = None, num_classes: int = 0):
        super().__init__()
        if int(m) < 1:
            raise UserError(f"pacgan_discriminator.m must be at least 1, not {m}")
        component = get_registry().find(base)
        if component is None or component.kind != "discriminators":
            shown = getattr(base, "__name__", repr(base))
            raise UserError(f"pacgan_discriminator.base = {shown} is not a registered "
                            f"discriminator; use @NAME with a name from "
                            f"`gan3d-bench list discriminators`")
        if issubclass(component.cls, PacGANDiscriminator):
            raise UserError("pacgan_discriminator.base cannot be pacgan_discriminator itself")
        self.m = int(m)
        self.resolution = resolution
        offered = {"resolution": resolution, "width": width, "z_dim": z_dim,
                   "num_classes": num_classes, "in_channels": 3 * self.m}
        offered = {key: value for key, value in offered.items() if value is not None}
        if "in_channels" not in inspect.signature(component.cls).parameters:
            raise UserError(f"pacgan_discriminator.base = @{component.name} does not take "
                            f"in_channels, so it cannot read packs of {self.m} images; wrap "
                            f"a discriminator whose constructor accepts in_channels")
        self.inner = call_with_accepted(component.configurable, offered,
                                        signature_of=component.cls)
        if self.inner.modality != "image":
            raise UserError(f"pacgan_discriminator packs images, but @{component.name} judges "
                            f"{self.inner.modality}")
        self.base_name = component.name

    @classmethod
    def contract_kwargs(cls, workdir: Path) -> dict:
        """The contract suite wraps DCGAN's discriminator.

        Args:
            workdir: unused.

        Returns:
            ``{"base": dcgan_discriminator}``.
        """
        return {"base": get_registry().get("discriminators", "dcgan_discriminator").configurable}

    def forward(self, x: torch.Tensor, labels=None) -> DiscriminatorOutput:
        out = self.inner(pack(x, self.m))
        return DiscriminatorOutput(logits=out.logits)
