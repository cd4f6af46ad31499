"""The class-conditional AC-GAN generator: a DCGAN body fed ``[z, one_hot(label)]``."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Generator
from gan3d_dcgan.generator import DCGANGenerator


class ACGANGenerator(Generator):
    """DCGAN generator conditioned on a class by concatenating its one-hot code to z.

    Args:
        resolution: 32, 64 or 128.
        num_classes: number of classes (the experiment passes the dataset's).
        z_dim: latent size, without the one-hot code.
        base_channels: channels of the DCGAN body's last hidden layer.
        width: multiplier on every channel count.
        z_distribution: ``"uniform"`` (DCGAN's prior) or ``"normal"``.
    """

    pose_aware = False

    def __init__(self, resolution: int = 64, num_classes: int = 0, z_dim: int = 100,
                 base_channels: int = 64, width: float = 1.0, z_distribution: str = "uniform"):
        super().__init__()
        if num_classes < 2:
            raise UserError(f"acgan_generator needs a dataset with at least 2 classes (got "
                            f"num_classes = {num_classes}); train it on a labelled dataset "
                            f"such as synth_mixture")
        self.num_classes = num_classes
        self.resolution = resolution
        self.z_dim = z_dim
        self.z_distribution = z_distribution
        self.body = DCGANGenerator(resolution=resolution, z_dim=z_dim + num_classes,
                                   base_channels=base_channels, width=width)

    def forward(self, z: torch.Tensor, pose=None, labels: torch.Tensor | None = None):
        if labels is None:
            raise ValueError("acgan_generator is class-conditional: pass labels")
        code = F.one_hot(labels.long(), self.num_classes).to(z.dtype)
        return self.body(torch.cat([z, code], dim=1))
