"""The 3D-GAN voxel discriminator (voxel mode), the generator's mirror."""

from __future__ import annotations

import torch

from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput
from gan3d_bench.nn.init import init_normal
from gan3d_voxel3dgan.networks import voxel_encoder


class Voxel3DGANDiscriminator(Discriminator):
    """3D-GAN discriminator: Conv3d k4 s2 with batch norm and LeakyReLU 0.2, then one logit.

    The paper ends with a sigmoid; here the output is the logit and the loss applies the
    sigmoid (``nonsaturating``), which is the same objective, computed stably.

    Args:
        resolution: the grid side (64 in the paper).
        width: multiplier on every channel count.
    """

    modality = "voxels"

    def __init__(self, resolution: int = 64, width: float = 1.0):
        super().__init__()
        self.resolution = resolution
        self.encoder = voxel_encoder(resolution, width)
        init_normal(self)

    def forward(self, x: torch.Tensor, labels=None) -> DiscriminatorOutput:
        return DiscriminatorOutput(logits=self.encoder(x).flatten())
