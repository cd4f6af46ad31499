"""The HoloGAN generator: a learned 3D constant, styled by z, rotated, projected, rendered.

64x64 (the code's ``generator_AdaIN``), channels at ``width = 1``, ReLU throughout:

    const 4^3x512 -> AdaIN -> ConvT3d k3 s2 8^3x128 -> AdaIN -> ConvT3d k3 s2 16^3x64 -> AdaIN
    -> rigid transform (16^3) -> depth into channels 16^2x1024 -> 1x1 conv 16^2x1024
    -> ConvT2d k4 s2 32^2x256 -> AdaIN -> ConvT2d k4 s2 64^2x64 -> AdaIN -> ConvT2d k4 s1 -> tanh

128x128 (``generator_AdaIN_res128``), LeakyReLU 0.2 throughout: const 4^3x512 -> AdaIN ->
8^3x256 -> AdaIN -> 16^3x128 -> AdaIN -> rigid transform -> two ConvT3d k3 s1 16^3x64 without
AdaIN (the paper's perspective-frustum layers) -> 16^2x1024 -> 1x1 conv to 512 -> 32^2x256,
64^2x64, 128^2x32 (ConvT2d k4 s2, each with AdaIN) -> ConvT2d k4 s1 -> tanh.

Kernel sizes follow the released code (4x4 transposed convolutions in 2D), not the paper's
Fig. 3, which draws 3x3 convolutions for the 128 model. Every transposed convolution has TF's
'SAME' alignment; weights are N(0, 0.02), biases 0. ``width`` multiplies every channel count.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Generator
from gan3d_bench.nn.init import init_normal
from gan3d_bench.nn.shapes import scaled
from gan3d_hologan.layers import (
    AdaIN,
    SameConvTranspose2d,
    SameConvTranspose3d,
    use_channels_last,
)
from gan3d_hologan.pose import check_range, paper_view, sample_uniform
from gan3d_hologan.rotation import transform_volume

VOLUME_SIDE = 16  # the rotated feature volume, at both resolutions
CONSTANT_SIDE = 4

# Per resolution: paper channels (at width 1) of each stage, and the activation.
ARCHITECTURES = {
    64: {"volume": (512, 128, 64), "frustum": (), "projection": 1024,
         "image": (256, 64), "leaky": False},
    128: {"volume": (512, 256, 128), "frustum": (64, 64), "projection": 512,
          "image": (256, 64, 32), "leaky": True},
}


class HoloGANGenerator(Generator):
    """HoloGAN's pose-aware generator.

    ``forward(z, pose)`` renders each z at its pose: ``[B, 2]`` (azimuth, elevation) in
    degrees in the suite's convention (``gan3d_hologan.pose``), or ``[B, 6]`` with scale and a
    translation in voxels appended.

    Args:
        resolution: 64 or 128 (the paper's two architectures).
        width: multiplier on every channel count (1.0 = the paper).
        z_dim: latent size (128).
        z_distribution: ``"uniform"`` (U[-1, 1], the paper) or ``"normal"``.
        azimuth_range: ``[low, high)`` degrees of training poses.
        elevation_range: ``[low, high)`` degrees of training poses.
        integer_degrees: sample whole degrees, as the paper's code does
            (``np.random.randint``: ``high`` excluded); else continuous angles.
        scale_range: ``(low, high)`` of a random isotropic scale of the volume, or None
            (off, the paper's default).
        translation_range: ``(low, high)`` voxels of a random shift along each axis, or None
            (off, the paper's default). With scale or translation on, sampled poses are
            ``[B, 6]``.
        channels_last: keep convolution weights and activations in channels-last memory
            format (much faster 3D transposed convolutions on a CPU; same results).
    """

    pose_aware = True

    def __init__(self, resolution: int = 64, width: float = 1.0, z_dim: int = 128,
                 z_distribution: str = "uniform",
                 azimuth_range: tuple[float, float] = (0.0, 360.0),
                 elevation_range: tuple[float, float] = (0.0, 35.0),
                 integer_degrees: bool = True,
                 scale_range: tuple[float, float] | None = None,
                 translation_range: tuple[float, float] | None = None,
                 channels_last: bool = True):
        super().__init__()
        if resolution not in ARCHITECTURES:
            raise UserError(f"hologan_generator supports resolution 64 or 128 (the paper's "
                            f"architectures), not {resolution}; set Experiment.resolution")
        if z_distribution not in ("uniform", "normal"):
            raise UserError(f"hologan_generator.z_distribution must be 'uniform' or 'normal', "
                            f"not {z_distribution!r}")
        self.resolution = resolution
        self.z_dim = z_dim
        self.z_distribution = z_distribution
        self.integer_degrees = integer_degrees
        self.channels_last = channels_last
        self.azimuth_range = check_range("azimuth_range", azimuth_range, integer_degrees)
        self.elevation_range = check_range("elevation_range", elevation_range, integer_degrees)
        self.scale_range = None if scale_range is None else check_range(
            "scale_range", scale_range, False)
        self.translation_range = None if translation_range is None else check_range(
            "translation_range", translation_range, False)
        arch = ARCHITECTURES[resolution]
        self.leaky = arch["leaky"]

        volume = [scaled(c, width) for c in arch["volume"]]
        self.constant = nn.Parameter(torch.empty(1, volume[0], *(CONSTANT_SIDE,) * 3))
        self.constant_style = AdaIN(z_dim, volume[0])
        self.volume_ups = nn.ModuleList(
            SameConvTranspose3d(c_in, c_out, 3, 2) for c_in, c_out in itertools.pairwise(volume))
        self.volume_styles = nn.ModuleList(AdaIN(z_dim, c) for c in volume[1:])

        frustum = [scaled(c, width) for c in arch["frustum"]]
        self.frustum = nn.ModuleList(
            SameConvTranspose3d(c_in, c_out, 3, 1)
            for c_in, c_out in itertools.pairwise([volume[-1], *frustum]))
        self.rotated_channels = frustum[-1] if frustum else volume[-1]

        projected = scaled(arch["projection"], width)
        self.projection = nn.Conv2d(self.rotated_channels * VOLUME_SIDE, projected, 1)

        image = [scaled(c, width) for c in arch["image"]]
        self.image_ups = nn.ModuleList(
            SameConvTranspose2d(c_in, c_out, 4, 2)
            for c_in, c_out in itertools.pairwise([projected, *image]))
        self.image_styles = nn.ModuleList(AdaIN(z_dim, c) for c in image)
        self.to_rgb = SameConvTranspose2d(image[-1], 3, 4, 1)
        init_normal(self)
        nn.init.normal_(self.constant, 0.0, 0.02)
        if channels_last:
            use_channels_last(self)

    def _act(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, 0.2, inplace=True) if self.leaky else F.relu(x, inplace=True)

    def sample_pose(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Draws training poses uniformly from the configured ranges.

        Args:
            n: number of poses.
            generator: optional CPU RNG.

        Returns:
            ``[n, 2]`` (azimuth, elevation) in degrees, or ``[n, 6]`` when scale or translation
            sampling is on.
        """
        columns = [sample_uniform(n, self.azimuth_range, self.integer_degrees, generator),
                   sample_uniform(n, self.elevation_range, self.integer_degrees, generator)]
        if self.scale_range is not None or self.translation_range is not None:
            scale = (sample_uniform(n, self.scale_range, False, generator)
                     if self.scale_range is not None else torch.ones(n))
            columns.append(scale)
            for _ in range(3):
                columns.append(sample_uniform(n, self.translation_range, False, generator)
                               if self.translation_range is not None else torch.zeros(n))
        return torch.stack(columns, dim=1).to(self.device)

    def volume(self, z: torch.Tensor) -> torch.Tensor:
        """The 3D feature volume of z, before the rigid transform.

        Args:
            z: ``[B, z_dim]`` latents.

        Returns:
            ``[B, C, 16, 16, 16]`` features (axes z, y, x of ``gan3d_hologan.rotation``).
        """
        h = self._act(self.constant_style(self.constant, z))  # the constant, styled per sample
        if self.channels_last:
            h = h.contiguous(memory_format=torch.channels_last_3d)
        for up, style in zip(self.volume_ups, self.volume_styles, strict=True):
            h = self._act(style(up(h), z))
        return h

    def render(self, volume: torch.Tensor, z: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
        """Transforms a feature volume to the pose, projects it and renders the image.

        Args:
            volume: ``[B, C, 16, 16, 16]`` features from ``volume``.
            z: ``[B, z_dim]`` latents (for the 2D AdaIN layers).
            pose: ``[B, 2]`` or ``[B, 6]`` poses.

        Returns:
            ``[B, 3, R, R]`` images in [-1, 1].
        """
        h = transform_volume(volume, paper_view(pose), layout="image")  # [B, C, depth, H, W]
        for conv in self.frustum:
            h = self._act(conv(h))
        h = h.flatten(1, 2)  # depth folded into channels: a view, no copy
        if self.channels_last:
            h = h.contiguous(memory_format=torch.channels_last)
        h = self._act(self.projection(h))
        for up, style in zip(self.image_ups, self.image_styles, strict=True):
            h = self._act(style(up(h), z))
        return torch.tanh(self.to_rgb(h))

    def forward(self, z: torch.Tensor, pose: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> torch.Tensor:
        """Renders each z at its pose.

        Args:
            z: ``[B, z_dim]`` latents.
            pose: ``[B, 2]`` (azimuth, elevation) degrees, or ``[B, 6]`` (with scale, tx,
                ty, tz).
            labels: ignored (unconditional).

        Returns:
            ``[B, 3, R, R]`` images in [-1, 1].
        """
        if pose is None:
            raise ValueError("hologan_generator is pose-aware: call it with pose=[B, 2] "
                             "(azimuth, elevation in degrees), e.g. from sample_inputs()")
        return self.render(self.volume(z), z, pose)
