"""The AC-GAN discriminator: DCGAN's convolutional body with a source head and a class head."""

from __future__ import annotations

import torch
from torch import nn

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import DiscriminatorOutput
from gan3d_bench.nn.init import init_normal
from gan3d_dcgan.discriminator import DCGANDiscriminator


class ACGANDiscriminator(DCGANDiscriminator):
    """DCGAN discriminator with an auxiliary classifier on the same features.

    ``logits`` is the source head (real vs fake), ``class_logits`` the class head
    ``[B, num_classes]``; both are linear layers on the flattened 4x4 features.

    Args:
        resolution: 32, 64 or 128.
        num_classes: number of classes (the experiment passes the dataset's).
        base_channels: channels of the first layer.
        width: multiplier on every channel count.
        in_channels: input channels.
    """

    def __init__(self, resolution: int = 64, num_classes: int = 0, base_channels: int = 64,
                 width: float = 1.0, in_channels: int = 3):
        super().__init__(resolution=resolution, base_channels=base_channels, width=width,
                         in_channels=in_channels)
        if num_classes < 2:
            raise UserError(f"acgan_discriminator needs a dataset with at least 2 classes "
                            f"(got num_classes = {num_classes}); train it on a labelled "
                            f"dataset such as synth_mixture")
        self.num_classes = num_classes
        self.class_head = init_normal(nn.Linear(self.head.in_features, num_classes))

    def forward(self, x: torch.Tensor, labels=None) -> DiscriminatorOutput:
        h = self.body(x).flatten(1)
        return DiscriminatorOutput(logits=self.head(h).squeeze(1),
                                   class_logits=self.class_head(h))
