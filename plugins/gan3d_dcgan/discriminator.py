"""The DCGAN discriminator (5x5 stride-2 convolutions, batch norm, LeakyReLU 0.2).

At 64x64: 64x64x3 -> 32x32x64 (no batch norm on the first layer) -> 16x16x128 -> 8x8x256
-> 4x4x512 -> linear -> 1 logit.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput
from gan3d_bench.nn.init import init_normal
from gan3d_bench.nn.shapes import num_doublings, scaled


class DCGANDiscriminator(Discriminator):
    """DCGAN discriminator.

    Args:
        resolution: 32, 64 or 128.
        base_channels: channels of the first layer (64 in the paper).
        width: multiplier on every channel count.
        in_channels: input channels (3; PacGAN packs several images on this axis).
    """

    def __init__(self, resolution: int = 64, base_channels: int = 64, width: float = 1.0,
                 in_channels: int = 3):
        super().__init__()
        self.resolution = resolution
        stages = num_doublings(resolution, name="dcgan_discriminator")
        channels = [scaled(base_channels * 2 ** i, width) for i in range(stages)]
        layers: list[nn.Module] = [nn.Conv2d(in_channels, channels[0], 5, 2, 2),
                                   nn.LeakyReLU(0.2, inplace=True)]
        for c_in, c_out in itertools.pairwise(channels):
            layers += [nn.Conv2d(c_in, c_out, 5, 2, 2), nn.BatchNorm2d(c_out),
                       nn.LeakyReLU(0.2, inplace=True)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1] * 16, 1)
        init_normal(self)

    def forward(self, x: torch.Tensor, labels=None) -> DiscriminatorOutput:
        h = self.body(x).flatten(1)
        return DiscriminatorOutput(logits=self.head(h).squeeze(1))
