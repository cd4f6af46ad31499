"""The 3D-GAN voxel generator (voxel mode): z of 200 -> 64^3 occupancy."""

from __future__ import annotations

import torch

from gan3d_bench.interfaces import Generator
from gan3d_bench.nn.init import init_normal
from gan3d_voxel3dgan.camera import DEFAULT_CAMERA, Camera
from gan3d_voxel3dgan.networks import voxel_decoder
from gan3d_voxel3dgan.projection import HALF_DIAGONAL, project, shade


class Voxel3DGANGenerator(Generator):
    """3D-GAN generator: 3D transposed convolutions to a sigmoid occupancy grid.

    The release draws z from U[0, 1]; this generator keeps the suite's U[-1, 1] prior and feeds
    the network ``(z + 1) / 2``, which is the same input distribution.

    Args:
        resolution: the grid side (64 in the paper; 16, 32 or 128 also work).
        z_dim: latent size (200 in the paper).
        width: multiplier on every channel count.
        preview_pose: (azimuth, elevation) in degrees at which ``preview`` renders samples.
        preview_resolution: side of the preview images.
    """

    modality = "voxels"
    pose_aware = False
    z_distribution = "uniform"

    def __init__(self, resolution: int = 64, z_dim: int = 200, width: float = 1.0,
                 preview_pose: tuple[float, float] = (35.0, 25.0),
                 preview_resolution: int = 64):
        super().__init__()
        self.resolution = resolution
        self.z_dim = z_dim
        self.preview_pose = tuple(float(v) for v in preview_pose)
        self.preview_resolution = preview_resolution
        self.decoder = voxel_decoder(z_dim, resolution, width, out_channels=1)
        init_normal(self)

    def forward(self, z: torch.Tensor, pose=None, labels=None) -> torch.Tensor:
        h = ((z + 1) / 2).view(z.shape[0], self.z_dim, 1, 1, 1)
        return torch.sigmoid(self.decoder(h))

    def preview(self, samples: torch.Tensor) -> torch.Tensor:
        """Renders occupancy grids as shaded grey objects on white, at ``preview_pose``.

        Args:
            samples: ``[B, 1, R, R, R]`` occupancy.

        Returns:
            ``[B, 3, P, P]`` images in [-1, 1].
        """
        return render_preview(samples, self.preview_pose, self.preview_resolution)


@torch.no_grad()
def render_preview(voxels: torch.Tensor, pose: tuple[float, float] = (35.0, 25.0),
                   resolution: int = 64, camera: Camera = DEFAULT_CAMERA) -> torch.Tensor:
    """Shaded renders of occupancy grids (real or generated) for sample grids.

    Args:
        voxels: ``[B, 1, R, R, R]`` occupancy in [0, 1].
        pose: (azimuth, elevation) in degrees.
        resolution: image side.
        camera: the camera.

    Returns:
        ``[B, 3, resolution, resolution]`` images in [-1, 1].
    """
    voxels = voxels.float()
    poses = torch.tensor([pose], dtype=torch.float32, device=voxels.device).expand(
        voxels.shape[0], 2)
    white = torch.ones(3, device=voxels.device)
    # the whole cube, so that everything a generator makes is seen (the data fill only the
    # unit sphere)
    image, _ = project(voxels, shade(voxels), poses, resolution, white, camera=camera,
                       density=8.0, radius=HALF_DIAGONAL)
    return image * 2 - 1
