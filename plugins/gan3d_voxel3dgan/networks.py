"""3D-GAN's convolutional bodies: the voxel decoder (generator) and encoder (discriminator).

At 64^3 (the paper): z (200) -> ConvT3d k4 s1 -> 512x4^3 -> ConvT3d k4 s2 p1 -> 256x8^3 ->
128x16^3 -> 64x32^3 -> C x 64^3, batch norm and ReLU after every layer but the last. The
discriminator mirrors it: Conv3d k4 s2 p1 1 -> 64 -> 128 -> 256 -> 512 (4^3), batch norm and
LeakyReLU 0.2, then Conv3d k4 (valid) 512 -> 1 logit. Convolutions have no bias, as in the
release ("convolution bias is removed during training"). Smaller grids drop the finest
stage(s), so the 4^3 stage keeps 512 channels (times ``width``).
"""

from __future__ import annotations

import itertools

from torch import nn

from gan3d_bench.nn.shapes import num_doublings, scaled

RESOLUTIONS = (16, 32, 64, 128)
TOP_CHANNELS = 512


def _channels(resolution: int, width: float, name: str) -> list[int]:
    stages = num_doublings(resolution, name=name, allowed=RESOLUTIONS)
    return [scaled(TOP_CHANNELS // 2 ** i, width) for i in range(stages)]


def voxel_decoder(z_dim: int, resolution: int, width: float, out_channels: int,
                  name: str = "voxel3dgan_generator") -> nn.Sequential:
    """z ``[B, z_dim, 1, 1, 1]`` -> ``[B, out_channels, R, R, R]`` raw values (no activation).

    Args:
        z_dim: latent size.
        resolution: the grid side R (16, 32, 64 or 128).
        width: multiplier on every channel count.
        out_channels: channels of the output grid.
        name: the component, for error messages.

    Returns:
        The decoder.
    """
    channels = _channels(resolution, width, name)
    layers: list[nn.Module] = [nn.ConvTranspose3d(z_dim, channels[0], 4, 1, 0, bias=False),
                               nn.BatchNorm3d(channels[0]), nn.ReLU(inplace=True)]
    for c_in, c_out in itertools.pairwise(channels):
        layers += [nn.ConvTranspose3d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm3d(c_out),
                   nn.ReLU(inplace=True)]
    layers.append(nn.ConvTranspose3d(channels[-1], out_channels, 4, 2, 1, bias=False))
    return nn.Sequential(*layers)


def voxel_encoder(resolution: int, width: float, in_channels: int = 1,
                  name: str = "voxel3dgan_discriminator") -> nn.Sequential:
    """``[B, in_channels, R, R, R]`` -> ``[B, 1, 1, 1, 1]`` logits.

    Args:
        resolution: the grid side R.
        width: multiplier on every channel count.
        in_channels: channels of the input grid.
        name: the component, for error messages.

    Returns:
        The encoder.
    """
    channels = _channels(resolution, width, name)[::-1]
    layers: list[nn.Module] = []
    for c_in, c_out in zip([in_channels, *channels[:-1]], channels, strict=True):
        layers += [nn.Conv3d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm3d(c_out),
                   nn.LeakyReLU(0.2, inplace=True)]
    layers.append(nn.Conv3d(channels[-1], 1, 4, 1, 0, bias=False))
    return nn.Sequential(*layers)
