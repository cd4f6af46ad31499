"""The DCGAN generator, in the 5x5-kernel variant of carpedm20/DCGAN-tensorflow.

That variant is the one HoloGAN's utilities derive from: z is projected to a 4x4 map of
``8 * base_channels`` channels, then each stride-2 transposed convolution halves the channels
and doubles the side (batch norm and ReLU after each but the last), and tanh gives the image.
At 64x64: 4x4x512 -> 8x8x256 -> 16x16x128 -> 32x32x64 -> 64x64x3.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from gan3d_bench.interfaces import Generator
from gan3d_bench.nn.init import init_normal
from gan3d_bench.nn.shapes import num_doublings, scaled


class DCGANGenerator(Generator):
    """DCGAN generator: z ~ U[-1, 1] (the DCGAN paper's prior) -> image in [-1, 1].

    Args:
        resolution: 32, 64 or 128.
        z_dim: latent size (the paper uses 100).
        base_channels: channels of the last hidden layer (64 in the paper).
        width: multiplier on every channel count.
        z_distribution: ``"uniform"`` (the paper) or ``"normal"``.
    """

    pose_aware = False

    def __init__(self, resolution: int = 64, z_dim: int = 100, base_channels: int = 64,
                 width: float = 1.0, z_distribution: str = "uniform"):
        super().__init__()
        self.resolution = resolution
        self.z_dim = z_dim
        self.z_distribution = z_distribution
        stages = num_doublings(resolution, name="dcgan_generator")
        channels = [scaled(base_channels * 2 ** (stages - 1 - i), width) for i in range(stages)]
        self.top_channels = channels[0]
        self.project = nn.Linear(z_dim, self.top_channels * 16)
        self.project_norm = nn.BatchNorm2d(self.top_channels)
        layers: list[nn.Module] = []
        for c_in, c_out in itertools.pairwise(channels):
            layers += [_up(c_in, c_out), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
        layers += [_up(channels[-1], 3), nn.Tanh()]
        self.body = nn.Sequential(*layers)
        init_normal(self)

    def forward(self, z: torch.Tensor, pose=None, labels=None) -> torch.Tensor:
        h = self.project(z).view(z.shape[0], self.top_channels, 4, 4)
        h = torch.relu(self.project_norm(h))
        return self.body(h)


def _up(c_in: int, c_out: int) -> nn.ConvTranspose2d:
    # TF 'SAME' transposed convolution with a 5x5 kernel and stride 2: the side doubles.
    return nn.ConvTranspose2d(c_in, c_out, 5, stride=2, padding=2, output_padding=1)
