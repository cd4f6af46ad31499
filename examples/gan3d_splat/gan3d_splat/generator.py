"""A 3D-aware generator that renders a cloud of coloured 3D points (Gaussian splatting).

z is mapped by an MLP to ``num_points`` points (a position in [-1, 1]^3, a colour and an
opacity each) and a background colour. The points are rotated to the camera pose (azimuth
about the vertical axis, elevation about the horizontal one), projected orthographically, and
splatted as isotropic Gaussians; where splats overlap, nearer points win through a soft
z-buffer (a softmax over depth). Everything is differentiable, so the generator learns 3D
point positions from 2D images alone.
"""

from __future__ import annotations

import torch
from torch import nn

from gan3d_bench.interfaces import Generator


def rotation(pose: torch.Tensor) -> torch.Tensor:
    """Rotation matrices that take object coordinates to camera coordinates.

    Args:
        pose: ``[B, 2]`` azimuth and elevation in degrees.

    Returns:
        ``[B, 3, 3]``; camera x is right, y is up, z points away from the viewer.
    """
    azimuth, elevation = torch.deg2rad(pose[:, 0]), torch.deg2rad(pose[:, 1])
    ca, sa, ce, se = azimuth.cos(), azimuth.sin(), elevation.cos(), elevation.sin()
    zeros, ones = torch.zeros_like(ca), torch.ones_like(ca)
    about_y = torch.stack([ca, zeros, -sa, zeros, ones, zeros, sa, zeros, ca], 1).view(-1, 3, 3)
    about_x = torch.stack([ones, zeros, zeros, zeros, ce, se, zeros, -se, ce], 1).view(-1, 3, 3)
    return about_x @ about_y


class PointSplatGenerator(Generator):
    """Pose-aware generator: z -> coloured 3D points -> splatted image.

    Args:
        resolution: image side.
        z_dim: latent size.
        num_points: points per object.
        hidden: width of the MLP (before the ``width`` multiplier).
        width: channel multiplier.
        splat_size: Gaussian radius in pixels at resolution 32 (scaled with resolution).
        depth_sharpness: how strongly nearer points hide farther ones.
        azimuth_range: training azimuths, degrees.
        elevation_range: training elevations, degrees.
    """

    pose_aware = True
    z_distribution = "normal"

    def __init__(self, resolution: int = 64, z_dim: int = 64, num_points: int = 128,
                 hidden: int = 256, width: float = 1.0, splat_size: float = 1.2,
                 depth_sharpness: float = 8.0,
                 azimuth_range: tuple[float, float] = (0.0, 360.0),
                 elevation_range: tuple[float, float] = (0.0, 35.0)):
        super().__init__()
        self.resolution, self.z_dim, self.num_points = resolution, z_dim, num_points
        self.azimuth_range = tuple(azimuth_range)
        self.elevation_range = tuple(elevation_range)
        self.sigma = splat_size * resolution / 32 * 2.0 / resolution  # in [-1, 1] units
        self.depth_sharpness = depth_sharpness
        units = max(16, round(hidden * width))
        self.mlp = nn.Sequential(nn.Linear(z_dim, units), nn.LeakyReLU(0.2),
                                 nn.Linear(units, units), nn.LeakyReLU(0.2))
        self.points = nn.Linear(units, num_points * 7)  # xyz, rgb, opacity
        self.background = nn.Linear(units, 3)
        coords = (torch.arange(resolution) + 0.5) / resolution * 2 - 1
        self.register_buffer("pixel_x", coords.view(1, 1, 1, -1), persistent=False)
        self.register_buffer("pixel_y", -coords.view(1, 1, -1, 1), persistent=False)

    def forward(self, z: torch.Tensor, pose: torch.Tensor | None = None,
                labels=None) -> torch.Tensor:
        if pose is None:
            raise ValueError("splat_generator is pose-aware: pass pose=[B, 2] (degrees)")
        h = self.mlp(z)
        params = self.points(h).view(-1, self.num_points, 7)
        xyz = torch.tanh(params[..., :3]) * 0.8
        rgb = torch.tanh(params[..., 3:6])
        opacity = torch.sigmoid(params[..., 6])
        camera = xyz @ rotation(pose).transpose(1, 2)  # [B, N, 3]
        x, y, depth = (camera[..., i].unsqueeze(-1).unsqueeze(-1) for i in range(3))
        distance = (self.pixel_x - x) ** 2 + (self.pixel_y - y) ** 2  # [B, N, R, R]
        coverage = opacity[..., None, None] * torch.exp(-distance / (2 * self.sigma ** 2))
        # soft z-buffer: among the points covering a pixel, nearer ones weigh more
        weight = coverage * torch.softmax(-self.depth_sharpness * depth.expand_as(distance) +
                                          torch.log(coverage + 1e-6), dim=1)
        alpha = 1 - torch.prod(1 - coverage.clamp(max=0.999), dim=1, keepdim=True)
        colour = torch.einsum("bnhw,bnc->bchw", weight, rgb) / (weight.sum(1, keepdim=True)
                                                                 + 1e-6)
        background = torch.tanh(self.background(h))[..., None, None]
        return alpha * colour + (1 - alpha) * background

    def extra_repr(self) -> str:
        return f"points={self.num_points}, sigma={self.sigma:.4f}"
