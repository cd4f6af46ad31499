"""The HoloGAN discriminator, its latent (identity) head and the multi-scale style
discriminator.

64x64 (the code's ``discriminator_IN``), channels at ``width = 1``: conv 5x5 s2 3->64 + lrelu
(no spectral norm, no instance norm), then 64->128->256->512, each a spectrally normalised
conv 5x5 s2 -> instance norm (learned affine) -> lrelu 0.2; the 4x4x512 map feeds a real/fake
Linear(8192 -> 1) and the latent head Q: Linear(8192 -> 128) -> lrelu -> Linear(128 -> z_dim)
-> tanh. 128x128 (``discriminator_IN_style_res128``) adds a fifth conv (1024 channels) so the
final map is again 4x4.

Style discriminator (``style_discriminator=True``): at every instance-norm layer, the
per-channel mean and variance of the features *before* normalisation are classified by a
Linear(C -> 1) of that layer. We follow the released code, not the paper: the paper speaks of
mean and standard deviation, concatenated; the code uses the variance and classifies the mean
vector and the variance vector separately with the same linear layer (it stacks them along
the batch axis). Each layer's logits are returned as ``[B, 2]`` (column 0: mean, column 1:
variance), whose BCE mean is the code's.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput
from gan3d_bench.nn.init import init_normal
from gan3d_bench.nn.shapes import scaled
from gan3d_hologan.layers import InstanceNormStats, use_channels_last

FINAL_SIDE = 4
LATENT_HIDDEN = 128  # the code's d_latent layer (not scaled by df_dim)
CHANNELS = {64: (64, 128, 256, 512), 128: (64, 128, 256, 512, 1024)}


def _conv(c_in: int, c_out: int) -> nn.Conv2d:
    # TF 'SAME' with a 5x5 kernel and stride 2 on an even side pads 1 before and 2 after; PyTorch
    # pads 2 on both sides, which gives the same output size (the kernel is learned).
    return nn.Conv2d(c_in, c_out, 5, stride=2, padding=2)


class HoloGANDiscriminator(Discriminator):
    """HoloGAN's discriminator with the latent head and the optional style discriminator.

    Args:
        resolution: 64 or 128.
        width: multiplier on every channel count (the experiment's ``width``).
        width_factor: a further multiplier for this network only, so a small budget can
            pair a slim generator with a stronger critic (1.0 = the same width as G).
        z_dim: size of the latent the Q head reconstructs (the experiment passes the
            generator's).
        style_discriminator: add the per-layer style classifiers (the paper's 128 model).
        channels_last: run the convolutions in channels-last memory format (faster on most
            CPUs and GPUs; the result is the same).
    """

    def __init__(self, resolution: int = 64, width: float = 1.0, width_factor: float = 1.0,
                 z_dim: int = 128,
                 style_discriminator: bool = False, channels_last: bool = True):
        super().__init__()
        if resolution not in CHANNELS:
            raise UserError(f"hologan_discriminator supports resolution 64 or 128, not "
                            f"{resolution}; set Experiment.resolution")
        self.resolution = resolution
        self.z_dim = z_dim
        self.style_discriminator = style_discriminator
        self.channels_last = channels_last
        channels = [scaled(c, width * width_factor) for c in CHANNELS[resolution]]
        self.first = _conv(3, channels[0])
        self.convs = nn.ModuleList(
            spectral_norm(_conv(c_in, c_out), n_power_iterations=1)
            for c_in, c_out in itertools.pairwise(channels))
        self.norms = nn.ModuleList(InstanceNormStats(c) for c in channels[1:])
        self.style_heads = nn.ModuleList(
            nn.Linear(c, 1) for c in channels[1:]) if style_discriminator else None
        features = channels[-1] * FINAL_SIDE * FINAL_SIDE
        self.head = nn.Linear(features, 1)
        self.latent_hidden = nn.Linear(features, LATENT_HIDDEN)
        self.latent_out = nn.Linear(LATENT_HIDDEN, z_dim)
        init_normal(self)
        for norm in self.norms:  # init_normal leaves our own norm layers alone
            nn.init.normal_(norm.weight, 1.0, 0.02)
            nn.init.zeros_(norm.bias)
        if channels_last:
            use_channels_last(self)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None
                ) -> DiscriminatorOutput:
        """Scores images.

        Args:
            x: ``[B, 3, R, R]`` images in [-1, 1].
            labels: ignored.

        Returns:
            ``logits`` ``[B]``, ``latent`` ``[B, z_dim]`` (tanh), and with the style
            discriminator on, ``style_logits``: one ``[B, 2]`` tensor per instance-norm layer.
        """
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        h = F.leaky_relu(self.first(x), 0.2)
        style_logits = [] if self.style_heads is not None else None
        for index, (conv, norm) in enumerate(zip(self.convs, self.norms, strict=True)):
            h, mean, var = norm(conv(h))
            if style_logits is not None:
                statistics = torch.stack([mean, var], dim=1)  # [B, 2, C]
                style_logits.append(self.style_heads[index](statistics).squeeze(-1))
            h = F.leaky_relu(h, 0.2, inplace=True)
        h = h.flatten(1)
        latent = torch.tanh(self.latent_out(F.leaky_relu(self.latent_hidden(h), 0.2)))
        return DiscriminatorOutput(logits=self.head(h).squeeze(1), latent=latent,
                                   style_logits=style_logits)
