"""3D-GAN in image mode: a voxel generator rendered by a differentiable projection.

The 3D-GAN decoder makes a grid with an occupancy channel and three colour channels; the
projection (``projection.project``) renders it at the sampled camera pose onto a learned
background: a vertical blend between two learned colours (top and bottom of the picture),
enough for the synthetic data's sky-to-ground backdrop but unable to draw an object. The
generator is pose-aware, trains on 2D images against an image discriminator, and is scored by
the image metrics, like HoloGAN; unlike HoloGAN its 3D representation is explicit, so its
views are consistent by construction.
"""

from __future__ import annotations

import torch
from torch import nn

from gan3d_bench.interfaces import Generator
from gan3d_bench.nn.init import init_normal
from gan3d_voxel3dgan.camera import Camera
from gan3d_voxel3dgan.networks import voxel_decoder
from gan3d_voxel3dgan.projection import project


class Voxel3DGANImageGenerator(Generator):
    """z (and a pose) -> voxels (occupancy + colour) -> an image at that pose.

    Args:
        resolution: image side.
        voxel_resolution: side of the voxel grid (64 as in 3D-GAN; 32 is ~8x cheaper).
        z_dim: latent size (200, as 3D-GAN).
        width: multiplier on every channel count.
        azimuth_range: degrees ``[low, high)`` poses are drawn from (match the data).
        elevation_range: degrees ``[low, high)``.
        camera_distance: camera distance from the centre, in half-sides of the voxel cube
            (3, the data renderer's; objects fit in the unit sphere).
        fov_degrees: the camera's field of view (40, the data renderer's).
        samples_per_ray: depth samples per ray (default: one per voxel length).
        density: absorption per voxel length of a fully occupied voxel.
        occupancy_offset: added to the occupancy logits, so that the initial volume is
            mostly empty (sigmoid(-3) ~ 0.05) rather than an opaque cube.
        bias_init_std: spread of the initial per-voxel bias (see below).

    Besides the decoder, the grid has a learned per-voxel bias on its four channels (an untied
    bias; the release's convolutions have none). An untrained decoder in eval mode gives an
    almost uniform grid, whose renders look the same from every side; the bias, initialised
    with small noise, breaks that symmetry from the start, so the pose visibly matters before
    training too, and it lets the generator hold a mean shape directly.
    """

    pose_aware = True
    z_distribution = "uniform"

    def __init__(self, resolution: int = 64, voxel_resolution: int = 64, z_dim: int = 200,
                 width: float = 1.0, azimuth_range: tuple[float, float] = (0.0, 360.0),
                 elevation_range: tuple[float, float] = (0.0, 35.0),
                 camera_distance: float = 3.0, fov_degrees: float = 40.0,
                 samples_per_ray: int | None = None, density: float = 2.0,
                 occupancy_offset: float = -3.0, bias_init_std: float = 0.1):
        super().__init__()
        self.resolution = resolution
        self.voxel_resolution = voxel_resolution
        self.z_dim = z_dim
        self.azimuth_range = tuple(float(v) for v in azimuth_range)
        self.elevation_range = tuple(float(v) for v in elevation_range)
        self.camera = Camera(distance=camera_distance, fov_degrees=fov_degrees)
        self.samples_per_ray = samples_per_ray
        self.density = density
        self.occupancy_offset = occupancy_offset
        self.decoder = voxel_decoder(z_dim, voxel_resolution, width, out_channels=4,
                                     name="voxel3dgan_image_generator")
        self.background_logit = nn.Parameter(torch.zeros(2, 3))   # top, bottom colours
        init_normal(self)
        side = voxel_resolution
        self.voxel_bias = nn.Parameter(torch.randn(4, side, side, side) * bias_init_std)

    def voxels(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The voxel grids behind the images.

        Args:
            z: ``[B, z_dim]`` latent vectors.

        Returns:
            ``(occupancy [B, 1, V, V, V], colour [B, 3, V, V, V])``, both in [0, 1].
        """
        h = self.decoder(((z + 1) / 2).view(z.shape[0], self.z_dim, 1, 1, 1)) + self.voxel_bias
        return torch.sigmoid(h[:, :1] + self.occupancy_offset), torch.sigmoid(h[:, 1:])

    def forward(self, z: torch.Tensor, pose: torch.Tensor | None = None,
                labels=None) -> torch.Tensor:
        if pose is None:
            raise ValueError("voxel3dgan_image_generator is pose-aware: pass pose [B, 2]")
        occupancy, colour = self.voxels(z)
        image, _ = project(occupancy, colour, pose, self.resolution, self.background(),
                           camera=self.camera, samples_per_ray=self.samples_per_ray,
                           density=self.density)
        return image * 2 - 1

    def background(self) -> torch.Tensor:
        """The learned backdrop, ``[3, R, R]`` in [0, 1]: top colour blended into bottom."""
        top, bottom = torch.sigmoid(self.background_logit)
        rows = torch.linspace(0, 1, self.resolution, device=top.device).view(1, -1, 1)
        blend = top.view(3, 1, 1) + rows * (bottom - top).view(3, 1, 1)
        return blend.expand(3, self.resolution, self.resolution)
