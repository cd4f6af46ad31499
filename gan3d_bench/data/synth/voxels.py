"""Occupancy grids of the same primitives the renderer draws, in the same object frame."""

from __future__ import annotations

import torch

from gan3d_bench.data.synth.raycast import Scene


def cell_centres(resolution: int) -> torch.Tensor:
    """Centres of the grid's cells along one axis of the cube [-1, 1].

    Args:
        resolution: cells per side.

    Returns:
        ``[resolution]`` coordinates ``-1 + (m + 0.5) * 2 / resolution``.
    """
    return (torch.arange(resolution, dtype=torch.float32) + 0.5) * (2.0 / resolution) - 1.0


def _thick(lo: torch.Tensor, hi: torch.Tensor, cell: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Widens intervals thinner than a cell to one cell, so thin parts (legs) never vanish."""
    mid, half = 0.5 * (lo + hi), (0.5 * (hi - lo)).clamp(min=0.5 * cell)
    return mid - half, mid + half


def occupancy(scene: Scene, resolution: int) -> torch.Tensor:
    """Which grid cells' centres lie inside the scene's primitives.

    Parts thinner than a cell are widened to one cell along that axis; absent boxes
    (``lo == hi``) stay empty.

    Args:
        scene: ``N`` objects in the object frame.
        resolution: cells per side.

    Returns:
        ``[N, 1, R, R, R]`` float32 in {0, 1}, indexed ``[n, 0, z, y, x]``.
    """
    n = scene.box_lo.shape[0]
    cell = 2.0 / resolution
    c = cell_centres(resolution)
    grid = torch.zeros(n, resolution, resolution, resolution, dtype=torch.bool)
    present = (scene.box_hi > scene.box_lo).all(dim=2)                     # [N, B]
    lo, hi = _thick(scene.box_lo, scene.box_hi, cell)
    inside = (c.view(1, 1, 1, -1) >= lo[..., None]) & (c.view(1, 1, 1, -1) <= hi[..., None])
    inside &= present[..., None, None]                                     # [N, B, 3, R]
    clipped = scene.clip.shape[1]
    for b in range(scene.box_lo.shape[1]):
        x, y, z = inside[:, b, 0], inside[:, b, 1], inside[:, b, 2]
        box = z[:, :, None, None] & y[:, None, :, None] & x[:, None, None, :]
        if b < clipped:
            for plane in scene.clip[:, b].unbind(1):                        # [N, 4]
                value = (plane[:, 0].view(n, 1, 1, 1) * c.view(1, 1, 1, -1)
                         + plane[:, 1].view(n, 1, 1, 1) * c.view(1, 1, -1, 1)
                         + plane[:, 2].view(n, 1, 1, 1) * c.view(1, -1, 1, 1))
                box &= value <= plane[:, 3].view(n, 1, 1, 1)
        grid |= box
    if scene.cyl_radius.shape[1]:
        y_lo, y_hi = _thick(scene.cyl_y[..., 0], scene.cyl_y[..., 1], cell)
        along = (c.view(1, 1, -1) >= y_lo[..., None]) & (c.view(1, 1, -1) <= y_hi[..., None])
        for w in range(scene.cyl_radius.shape[1]):
            dx = c.view(1, 1, -1) - scene.cyl_centre[:, w, 0].view(n, 1, 1)
            dz = c.view(1, -1, 1) - scene.cyl_centre[:, w, 1].view(n, 1, 1)
            disk = dx * dx + dz * dz <= (scene.cyl_radius[:, w] ** 2).view(n, 1, 1)  # [N, z, x]
            grid |= disk[:, :, None, :] & along[:, w, None, :, None]
    return grid.unsqueeze(1).to(torch.float32)


def silhouette(voxels: torch.Tensor, cameras, resolution: int,
               samples: int | None = None) -> torch.Tensor:
    """Projects occupancy grids through the renderer's cameras (nearest-cell ray marching).

    Args:
        voxels: ``[N, 1, G, G, G]`` occupancy in [0, 1], laid out as ``occupancy`` makes it.
        cameras: ``N`` cameras (``gan3d_bench.data.synth.camera.Cameras``).
        resolution: image side.
        samples: points per ray (default: two per cell along the cube's diagonal).

    Returns:
        ``[N, 1, R, R]``: the largest occupancy along each pixel's ray.
    """
    from gan3d_bench.data.synth.camera import CAMERA_DISTANCE, ray_directions

    n, _, side = voxels.shape[:3]
    samples = samples or int(2 * 3 ** 0.5 * side) + 1
    directions = ray_directions(cameras, resolution)              # [N, 3, R, R]
    depth = torch.linspace(CAMERA_DISTANCE - 3 ** 0.5, CAMERA_DISTANCE + 3 ** 0.5, samples)
    t = depth / cameras.focal
    points = cameras.origin.view(n, 3, 1, 1, 1) + \
        t.view(1, 1, samples, 1, 1) * directions.unsqueeze(2)      # [N, 3, S, R, R]
    grid = points.permute(0, 2, 3, 4, 1)                         # (x, y, z) last
    values = torch.nn.functional.grid_sample(voxels.to(torch.float32), grid, mode="nearest",
                                             padding_mode="zeros", align_corners=False)
    return values.amax(dim=2)


def shaded_view(voxels: torch.Tensor, pose: torch.Tensor | None = None,
                resolution: int = 64) -> torch.Tensor:
    """Pictures of occupancy grids: the first occupied cell along each ray, shaded by depth.

    Args:
        voxels: ``[N, 1, G, G, G]`` occupancy in [0, 1] (cells above 0.5 count as solid).
        pose: ``[N, 2]`` (azimuth, elevation) in degrees; default a three-quarter view
            (azimuth 45, elevation 25).
        resolution: image side.

    Returns:
        ``[N, 3, R, R]`` images in [-1, 1]: near surfaces light grey, far ones dark, empty
        space white.
    """
    from gan3d_bench.data.synth.camera import CAMERA_DISTANCE, cameras_from_pose, ray_directions

    n, _, side = voxels.shape[:3]
    if pose is None:
        pose = torch.tensor([[45.0, 25.0]]).repeat(n, 1)
    cameras = cameras_from_pose(pose.cpu())
    samples = int(2 * 3 ** 0.5 * side) + 1
    directions = ray_directions(cameras, resolution)
    depth = torch.linspace(CAMERA_DISTANCE - 3 ** 0.5, CAMERA_DISTANCE + 3 ** 0.5, samples)
    points = cameras.origin.view(n, 3, 1, 1, 1) + \
        (depth / cameras.focal).view(1, 1, samples, 1, 1) * directions.unsqueeze(2)
    solid = torch.nn.functional.grid_sample(
        voxels.detach().cpu().to(torch.float32), points.permute(0, 2, 3, 4, 1),
        mode="nearest", padding_mode="zeros", align_corners=False)[:, 0] > 0.5  # [N, S, R, R]
    hit = solid.any(dim=1)
    first = solid.to(torch.uint8).argmax(dim=1).to(torch.float32)
    # depth of the first solid cell, stretched per image: nearest light, farthest dark
    near = torch.where(hit, first, torch.full_like(first, samples)).flatten(1).amin(1)
    far = torch.where(hit, first, torch.zeros_like(first)).flatten(1).amax(1)
    span = (far - near).clamp(min=1.0).view(n, 1, 1)
    depth = ((first - near.view(n, 1, 1)) / span).clamp(0.0, 1.0)
    brightness = 0.7 - 1.3 * depth                                      # near: 0.7, far: -0.6
    image = torch.where(hit, brightness, torch.ones_like(brightness))
    return image.unsqueeze(1).repeat(1, 3, 1, 1)
