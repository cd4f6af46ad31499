"""Camera rays for a pose, in the convention and object frame of the synthetic data renderer.

Object frame (``gan3d_bench/data/synth``): ``+x`` points out of the object's front (a car's
headlights), ``+y`` to its left and ``+z`` up; objects fit in the unit sphere, inside the voxel
cube ``[-1, 1]^3``. A pose is (azimuth, elevation) in degrees: azimuth 0 puts the camera in
front of the object (on ``+x``), and increasing azimuth moves it anticlockwise seen from above
(azimuth 90 is on the object's left, ``+y``); elevation 0 is level with the object's centre,
positive is above. The camera looks at the origin with the world's up direction up in the
image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Camera:
    """A pinhole camera on a sphere around the object, looking at its centre.

    Attributes:
        distance: distance from the object's centre, in units of the cube's half side
            (3, as the data renderer).
        fov_degrees: full vertical (and horizontal) field of view (40, as the data renderer).
    """

    distance: float = 3.0
    fov_degrees: float = 40.0

    def frame(self, pose: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Position and axes of the camera for each pose.

        Args:
            pose: ``[B, 2]`` (azimuth, elevation) in degrees.

        Returns:
            ``(origin, forward, right, up)``, each ``[B, 3]`` in the object frame.
        """
        azimuth = torch.deg2rad(pose[:, 0].float())
        elevation = torch.deg2rad(pose[:, 1].float())
        direction = torch.stack([torch.cos(elevation) * torch.cos(azimuth),
                                 torch.cos(elevation) * torch.sin(azimuth),
                                 torch.sin(elevation)], dim=1)
        forward = -direction
        # the right axis depends on azimuth alone, so it is defined at every elevation
        right = torch.stack([-torch.sin(azimuth), torch.cos(azimuth),
                             torch.zeros_like(azimuth)], dim=1)
        up = torch.linalg.cross(right, forward, dim=1)
        return self.distance * direction, forward, right, up

    def rays(self, pose: torch.Tensor, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
        """One ray through the centre of every pixel.

        Args:
            pose: ``[B, 2]`` (azimuth, elevation) in degrees.
            resolution: image side; row 0 is the top of the image.

        Returns:
            ``(origins [B, 3], directions [B, R, R, 3])``, directions of unit length.
        """
        origin, forward, right, up = self.frame(pose)
        half = math.tan(math.radians(self.fov_degrees) / 2)
        steps = (torch.arange(resolution, device=pose.device, dtype=torch.float32) + 0.5)
        steps = (2 * steps / resolution - 1) * half
        across = steps.view(1, 1, resolution, 1)       # columns: left to right
        down = -steps.view(1, resolution, 1, 1)        # rows: top to bottom
        directions = (forward.view(-1, 1, 1, 3) + across * right.view(-1, 1, 1, 3) +
                      down * up.view(-1, 1, 1, 3))
        return origin, directions / directions.norm(dim=-1, keepdim=True)


DEFAULT_CAMERA = Camera()
