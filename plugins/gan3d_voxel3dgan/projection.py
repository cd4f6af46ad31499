"""The differentiable projection: absorption and emission along camera rays through voxels.

Each ray from the camera is sampled at evenly spaced depths across the scene's bounding
sphere (radius 1 by default: the data's objects fit in the unit sphere, so the corners of the
voxel cube are never drawn); occupancy and colour are read at each sample by trilinear interpolation
(``grid_sample``), and the samples are alpha-composited front to back onto a background:
a voxel of occupancy ``o`` absorbs the fraction ``1 - exp(-density * o)`` of the light per
voxel length, and emits its colour in proportion. Everything is differentiable in the voxels.

Volumes are ``[B, C, D, H, W]`` = ``[B, C, z, y, x]`` in the object frame of ``camera.py``
(x front, y left, z up), the layout of the data's ``voxelize``, covering the cube
``[-1, 1]^3`` with cell centres at ``-1 + (2 i + 1) / V`` (``align_corners=False``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gan3d_voxel3dgan.camera import DEFAULT_CAMERA, Camera

HALF_DIAGONAL = math.sqrt(3.0)   # the radius that takes in the whole cube


def project(occupancy: torch.Tensor, colour: torch.Tensor, pose: torch.Tensor,
            resolution: int, background: torch.Tensor, camera: Camera = DEFAULT_CAMERA,
            samples_per_ray: int | None = None, density: float = 2.0,
            radius: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Renders voxels at camera poses.

    Args:
        occupancy: ``[B, 1, V, V, V]`` occupancy in [0, 1].
        colour: ``[B, 3, V, V, V]`` colour in [0, 1].
        pose: ``[B, 2]`` (azimuth, elevation) in degrees.
        resolution: side of the rendered image.
        background: colour in [0, 1] behind the object: ``[3]`` or ``[B, 3]`` (flat), or an
            image ``[3, R, R]`` or ``[B, 3, R, R]``.
        camera: the camera's distance and field of view.
        samples_per_ray: depth samples along each ray (default ``V * radius``: one per voxel
            length).
        density: absorption per voxel length of a fully occupied voxel.
        radius: radius of the sphere the samples cover (1: the data's objects; up to
            ``sqrt(3)``: the whole cube).

    Returns:
        ``(image [B, 3, R, R] in [0, 1], opacity [B, 1, R, R] in [0, 1])``.
    """
    batch, _, side = occupancy.shape[:3]
    samples = samples_per_ray or math.ceil(side * radius)
    origin, directions = camera.rays(pose.to(occupancy.device), resolution)
    # sample depths across the bounding sphere, at the middle of equal segments
    near = camera.distance - radius
    step = 2 * radius / samples
    depths = near + step * (torch.arange(samples, device=occupancy.device) + 0.5)
    points = (origin.view(batch, 1, 1, 1, 3) +
              depths.view(1, 1, 1, samples, 1) * directions.unsqueeze(3))
    # grid_sample reads (x, y, z) -> (W, H, D); points outside the cube read zero occupancy
    volume = torch.cat([occupancy, colour], dim=1)
    values = F.grid_sample(volume, points.to(volume.dtype), mode="bilinear",
                           padding_mode="zeros", align_corners=False)   # [B, 4, R, R, S]
    optical_depth = density * values[:, :1] * (step * side / 2)        # per sample
    before = torch.cumsum(optical_depth, dim=-1) - optical_depth
    weights = torch.exp(-before) * (1 - torch.exp(-optical_depth))    # [B, 1, R, R, S]
    opacity = weights.sum(dim=-1)
    emitted = (weights * values[:, 1:]).sum(dim=-1)
    background = background.to(emitted)
    if background.dim() <= 2:
        background = background.reshape(-1, 3, 1, 1)
    return emitted + (1 - opacity) * background, opacity


def shade(occupancy: torch.Tensor, albedo: float = 0.85, ambient: float = 0.35,
          light: tuple[float, float, float] = (0.6, -0.4, 0.8)) -> torch.Tensor:
    """Grey Lambertian shading of an occupancy volume, for previews of voxel samples.

    Normals are the negative normalised gradient of the occupancy (central differences); the
    light is a fixed direction in the object frame (from the front, the object's right and
    above, by default).

    Args:
        occupancy: ``[B, 1, V, V, V]`` occupancy in [0, 1].
        albedo: surface brightness.
        ambient: light that reaches every surface.
        light: direction towards the light, ``(x, y, z)``.

    Returns:
        ``[B, 3, V, V, V]`` colour in [0, 1].
    """
    padded = F.pad(occupancy, (1, 1, 1, 1, 1, 1), mode="replicate")
    grad_x = (padded[:, :, 1:-1, 1:-1, 2:] - padded[:, :, 1:-1, 1:-1, :-2]) / 2
    grad_y = (padded[:, :, 1:-1, 2:, 1:-1] - padded[:, :, 1:-1, :-2, 1:-1]) / 2
    grad_z = (padded[:, :, 2:, 1:-1, 1:-1] - padded[:, :, :-2, 1:-1, 1:-1]) / 2
    normal = -torch.cat([grad_x, grad_y, grad_z], dim=1)
    normal = normal / normal.norm(dim=1, keepdim=True).clamp_min(1e-6)
    direction = torch.tensor(light, dtype=occupancy.dtype, device=occupancy.device)
    direction = (direction / direction.norm()).view(1, 3, 1, 1, 1)
    diffuse = (normal * direction).sum(dim=1, keepdim=True).clamp_min(0)
    return (albedo * (ambient + (1 - ambient) * diffuse)).clamp(0, 1).expand(-1, 3, -1, -1, -1)
