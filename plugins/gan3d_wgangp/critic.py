"""The WGAN-GP critic: DCGAN's discriminator with layer norm (or no norm) for batch norm.

A gradient penalty is taken per sample, so the critic must not mix samples of a batch, as
batch norm does (the paper, section 4). We use layer normalisation, the paper's recommended
drop-in: each sample's ``[C, H, W]`` features are normalised together, with a learned scale
and offset per channel (``GroupNorm`` with one group, written out with plain tensor operations
because the gradient penalty differentiates it twice, and PyTorch's fused group-norm double
backward is about ten times slower on the CPU). At 64x64: 64x64x3 -> 32x32x64 (no norm)
-> 16x16x128 -> 8x8x256 -> 4x4x512 -> linear -> 1 score (no sigmoid).
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput
from gan3d_bench.nn.init import init_normal
from gan3d_bench.nn.shapes import num_doublings, scaled

NORMS = ("layer", "none")


class LayerNorm2d(nn.GroupNorm):
    """Layer norm over ``[C, H, W]`` with a per-channel affine: ``GroupNorm(1, C)``.

    Args:
        channels: C.
        eps: added to the variance.
    """

    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__(1, channels, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        var = (x - mean).pow(2).mean(dim=(1, 2, 3), keepdim=True)
        normalised = (x - mean) * torch.rsqrt(var + self.eps)
        return normalised * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class WGANGPCritic(Discriminator):
    """DCGAN-like critic without batch norm.

    Args:
        resolution: 32, 64 or 128.
        base_channels: channels of the first layer (64, as DCGAN).
        width: multiplier on every channel count.
        in_channels: input channels (3; PacGAN packs several images on this axis).
        norm: ``"layer"`` (default) or ``"none"``.
    """

    def __init__(self, resolution: int = 64, base_channels: int = 64, width: float = 1.0,
                 in_channels: int = 3, norm: str = "layer"):
        super().__init__()
        if norm not in NORMS:
            raise UserError(f"wgan_gp_critic.norm = '{norm}' is not supported; use "
                            f"{' or '.join(repr(n) for n in NORMS)} (batch norm would break "
                            f"the per-sample gradient penalty)")
        self.resolution = resolution
        self.norm = norm
        stages = num_doublings(resolution, name="wgan_gp_critic")
        channels = [scaled(base_channels * 2 ** i, width) for i in range(stages)]
        layers: list[nn.Module] = [nn.Conv2d(in_channels, channels[0], 5, 2, 2),
                                   nn.LeakyReLU(0.2, inplace=True)]
        for c_in, c_out in itertools.pairwise(channels):
            layers.append(nn.Conv2d(c_in, c_out, 5, 2, 2))
            if norm == "layer":
                layers.append(LayerNorm2d(c_out))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1] * 16, 1)
        init_normal(self)

    def forward(self, x: torch.Tensor, labels=None) -> DiscriminatorOutput:
        h = self.body(x).flatten(1)
        return DiscriminatorOutput(logits=self.head(h).squeeze(1))
