"""HoloGAN's building blocks: AdaIN from z, TF-'SAME' transposed convolutions, and instance
normalisation that also returns its statistics (for the style discriminator)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ADAIN_EPS = 1e-8  # tools/ops.py AdaIn
INSTANCE_NORM_EPS = 1e-5  # tools/ops.py instance_norm


class AdaIN(nn.Module):
    """Adaptive instance normalisation whose scale and bias come from z.

    ``s, b = split(ReLU(Linear(z)))`` (the paper's ``z_mapping_function``: both are >= 0),
    then each sample's channels are normalised over their spatial axes (no affine, eps 1e-8)
    and mapped to ``s * x_hat + b``. Works on 2D and 3D feature maps.

    Args:
        z_dim: latent size.
        channels: channels of the features.
    """

    def __init__(self, z_dim: int, channels: int):
        super().__init__()
        self.channels = channels
        self.style = nn.Linear(z_dim, 2 * channels)

    def forward(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Normalises ``x`` and applies z's style.

        Args:
            x: ``[B, C, *spatial]`` features, or ``[1, C, *spatial]`` shared by the batch
                (the learned constant: it is normalised once, then styled per sample).
            z: ``[B, z_dim]`` latents.

        Returns:
            ``[B, C, *spatial]`` features.
        """
        batch = z.shape[0]
        shape = (batch, self.channels) + (1,) * (x.dim() - 2)
        scale, bias = F.relu(self.style(z)).view(batch, 2, self.channels).unbind(1)
        var, mean = torch.var_mean(x, dim=tuple(range(2, x.dim())), correction=0, keepdim=True)
        # s * (x - mean) / std + b, as one fused multiply-add over x
        gain = scale.view(shape) * torch.rsqrt(var + ADAIN_EPS)
        return torch.addcmul(bias.view(shape) - mean * gain, x, gain)


def same_padding(kernel: int, stride: int) -> tuple[int, bool]:
    """PyTorch padding that reproduces TensorFlow's 'SAME' transposed convolution.

    TF gives ``stride * n`` outputs: it crops ``(k - stride) // 2`` from the start of the full
    output and the rest from the end. PyTorch's ``padding`` crops equally from both ends, so
    when ``k - stride`` is odd one more element must be cut from the end.

    Args:
        kernel: kernel side.
        stride: stride.

    Returns:
        ``(padding, trim_last)``.
    """
    excess = max(kernel - stride, 0)
    return excess // 2, excess % 2 == 1


class SameConvTranspose3d(nn.ConvTranspose3d):
    """``ConvTranspose3d`` with TF 'SAME' semantics: the side is multiplied by ``stride``.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: cubic kernel side.
        stride: upsampling factor.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int):
        padding, self.trim = same_padding(kernel_size, stride)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding)

    def forward(self, x: torch.Tensor, output_size=None) -> torch.Tensor:
        out = super().forward(x)
        return out[:, :, :-1, :-1, :-1] if self.trim else out


class SameConvTranspose2d(nn.ConvTranspose2d):
    """``ConvTranspose2d`` with TF 'SAME' semantics: the side is multiplied by ``stride``.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: square kernel side.
        stride: upsampling factor.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int):
        padding, self.trim = same_padding(kernel_size, stride)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding)

    def forward(self, x: torch.Tensor, output_size=None) -> torch.Tensor:
        out = super().forward(x)
        return out[:, :, :-1, :-1] if self.trim else out


class InstanceNormStats(nn.Module):
    """Instance normalisation with a learned affine that also returns its statistics.

    As the paper's ``instance_norm``: scale initialised N(1, 0.02), offset 0, eps 1e-5; the
    per-sample, per-channel mean and (biased) variance of the input are returned for the style
    discriminator.

    Args:
        channels: channels of the 2D features.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels).normal_(1.0, 0.02))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Normalises ``x``.

        Args:
            x: ``[B, C, H, W]`` features.

        Returns:
            ``(normalised, mean, variance)``; the statistics are ``[B, C]``.
        """
        var, mean = torch.var_mean(x, dim=(2, 3), correction=0, keepdim=True)
        gain = self.weight.view(1, -1, 1, 1) * torch.rsqrt(var + INSTANCE_NORM_EPS)
        out = torch.addcmul(self.bias.view(1, -1, 1, 1) - mean * gain, x, gain)
        return out, mean.flatten(1), var.flatten(1)


def use_channels_last(module: nn.Module) -> nn.Module:
    """Stores every 2D and 3D convolution weight in channels-last memory format.

    With channels-last activations this lets oneDNN (CPU) and cuDNN (GPU) run their fast
    kernels: on a CPU, a 3D transposed convolution is several times faster. Values are
    unchanged; spectrally normalised weights are converted at their raw parameter.

    Args:
        module: the network.

    Returns:
        ``module``, for chaining.
    """
    formats = {2: torch.channels_last, 3: torch.channels_last_3d}
    for sub in module.modules():
        if not isinstance(sub, nn.modules.conv._ConvNd) or len(sub.kernel_size) not in formats:
            continue
        parametrized = getattr(getattr(sub, "parametrizations", None), "weight", None)
        weight = parametrized.original if parametrized is not None else sub.weight
        weight.data = weight.data.contiguous(memory_format=formats[len(sub.kernel_size)])
    return module
