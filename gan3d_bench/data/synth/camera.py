"""The pinhole camera of the synthetic renderer: poses to camera frames and pixel rays.

Object frame: x points to the object's front (a car's headlights), y to its left, z up; the
origin is the centre of the object's bounding box, which the camera always looks at.
Azimuth 0 puts the camera in front of the object (on +x); azimuth grows anticlockwise seen
from above (90 degrees: the camera on the object's left, +y). Elevation 0 puts the camera at
the object's height; positive elevations look down on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

CAMERA_DISTANCE = 3.0
"""Distance from the camera to the object's centre (objects fit in the unit sphere)."""
FIELD_OF_VIEW = 40.0
"""Full horizontal (and vertical) field of view in degrees."""
_MAX_ELEVATION = 89.5  # the frame is undefined straight above or below the object


@dataclass
class Cameras:
    """A batch of cameras looking at the origin.

    Attributes:
        origin: ``[N, 3]`` camera positions in the object frame.
        forward: ``[N, 3]`` unit viewing directions.
        right: ``[N, 3]`` unit vectors along the image's rows (left to right).
        up: ``[N, 3]`` unit vectors along the image's columns (bottom to top).
        focal: focal length in units of half the image side.
    """

    origin: torch.Tensor
    forward: torch.Tensor
    right: torch.Tensor
    up: torch.Tensor
    focal: float


def cameras_from_pose(pose: torch.Tensor, distance: float = CAMERA_DISTANCE,
                      field_of_view: float = FIELD_OF_VIEW) -> Cameras:
    """Places one camera per pose on a sphere around the object, looking at its centre.

    Args:
        pose: ``[N, 2]`` (azimuth, elevation) in degrees.
        distance: camera distance from the object's centre.
        field_of_view: full field of view in degrees.

    Returns:
        The ``Cameras``.
    """
    pose = pose.to(torch.float32)
    azimuth = torch.deg2rad(pose[:, 0])
    elevation = torch.deg2rad(pose[:, 1].clamp(-_MAX_ELEVATION, _MAX_ELEVATION))
    direction = torch.stack([torch.cos(elevation) * torch.cos(azimuth),
                             torch.cos(elevation) * torch.sin(azimuth),
                             torch.sin(elevation)], dim=1)
    forward = -direction
    # right = forward x z, normalised; up = right x forward
    right = torch.stack([forward[:, 1], -forward[:, 0], torch.zeros_like(forward[:, 0])], dim=1)
    right = right / right.norm(dim=1, keepdim=True)
    up = torch.linalg.cross(right, forward, dim=1)
    focal = 1.0 / math.tan(math.radians(field_of_view) / 2.0)
    return Cameras(origin=direction * distance, forward=forward, right=right, up=up,
                   focal=focal)


def pixel_coordinates(resolution: int) -> torch.Tensor:
    """Centres of the pixels of one image row, in [-1, 1] (symmetric about 0).

    Args:
        resolution: image side.

    Returns:
        ``[resolution]`` float32 coordinates, increasing left to right.
    """
    return (torch.arange(resolution, dtype=torch.float32) + 0.5) * (2.0 / resolution) - 1.0


def ray_directions(cameras: Cameras, resolution: int) -> torch.Tensor:
    """Unnormalised ray directions through every pixel centre.

    The direction through pixel (row i, column j) is ``focal * forward + u_j * right +
    v_i * up``; its component along ``forward`` is ``focal``, so a ray parameter t is the
    depth along the viewing axis divided by ``focal``.

    Args:
        cameras: the cameras.
        resolution: image side.

    Returns:
        ``[N, 3, R, R]`` directions (row 0 is the top of the image).
    """
    u = pixel_coordinates(resolution)
    v = -u  # row 0 at the top
    n = cameras.origin.shape[0]
    row = (cameras.focal * cameras.forward).view(n, 3, 1, 1) + \
        cameras.up.view(n, 3, 1, 1) * v.view(1, 1, resolution, 1)
    return torch.addcmul(row, cameras.right.view(n, 3, 1, 1), u.view(1, 1, 1, resolution))
