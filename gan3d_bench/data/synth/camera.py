"""The pinhole camera of the synthetic renderer: poses to camera frames and pixel rays.

Object frame: x points to the object's front (a car's headlights), y to its left, z up; the
origin is the centre of the object's bounding box, which the camera always looks at.
Azimuth 0 puts the camera in front of the object (on +x); azimuth grows anticlockwise seen
from above (90 degrees: the camera on the object's left, +y). Elevation 0 puts the camera at
the object's height; positive elevations look down on it.
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=64)
def pixel_coordinates(resolution: int) -> torch.Tensor:
    """Centres of the pixels of one image row, in [-1, 1] (symmetric about 0).

    Args:
        resolution: image side.

    Returns:
        ``[resolution]`` float32 coordinates, increasing left to right; shared between
        calls, so never modify it in place.
    """
    return (torch.arange(resolution, dtype=torch.float32) + 0.5) * (2.0 / resolution) - 1.0


@functools.lru_cache(maxsize=1024)
def _columns(width: int, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``([W, 1] long, [W, 1] float32)``: column offsets and their steps ``2 j / R``."""
    return (torch.arange(width)[:, None],
            torch.arange(width, dtype=torch.float32)[:, None] * (2.0 / resolution))


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


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Dot products over the last axis (of size 3), written out so that every element is
    computed the same way whatever the batch (no reduction kernel)."""
    return a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]


def linear_coefficients(cameras: Cameras, vectors: torch.Tensor,
                        offset: torch.Tensor | None = None) -> torch.Tensor:
    """Linear functions ``vectors . D + offset`` of the ray direction, as functions of the
    pixel: the ray through pixel (row i, column j) has ``D = focal * forward + v_i * up +
    u_j * right``, so the function is ``centre + v_i * along_v + u_j * along_u``.

    Args:
        cameras: ``M`` cameras.
        vectors: ``[M, S, 3]``, ``S`` functions per camera.
        offset: ``[M, S]`` constants to add, or None.

    Returns:
        ``[M, S, 3]``: ``(centre, along_v, along_u)`` of every function.
    """
    # the three dot products at once, each written out as ``dot`` writes it
    frame = torch.stack([cameras.forward, cameras.up, cameras.right], 2)[:, None]  # [M, 1, 3, 3]
    along = vectors[..., 0:1] * frame[:, :, 0]
    along += vectors[..., 1:2] * frame[:, :, 1]
    along += vectors[..., 2:3] * frame[:, :, 2]
    along[..., 0] *= cameras.focal
    if offset is not None:
        along[..., 0] += offset
    return along


def linear_values(coefficients: torch.Tensor, v: torch.Tensor, u: torch.Tensor,
                  out: torch.Tensor | None = None) -> torch.Tensor:
    """Values of linear functions at pixels: ``(c_u u) + (c_v v + c_0)``, always in these
    operations and this order, so that every place that evaluates them (batches of rows,
    single pixels) gets the same bits.

    Args:
        coefficients: ``[3, ...]``: ``(c_0, c_v, c_u)`` (``linear_coefficients``' last axis,
            moved first).
        v: vertical coordinates, broadcast against ``coefficients[1]``.
        u: horizontal coordinates; ``coefficients[2] * u`` has the result's shape.
        out: where to write the result, or None.

    Returns:
        The values.
    """
    rows = coefficients[1] * v
    rows += coefficients[0]
    return torch.mul(coefficients[2], u, out=out).add_(rows)


class Rows:
    """Rows of pixels, each in some image, over which linear functions of the ray direction
    are evaluated (see ``linear_coefficients``): the ray caster cuts windows into rows and
    casts them in batches of one width (``batch``).

    Args:
        image: ``[L]`` long image of each row.
        row: ``[L]`` long image row of each row.
        col0: ``[L]`` long first column of each row.
        resolution: image side.
        stride: elements between two images in the flat buffer ``pixel`` indexes (default
            ``R * R``).
    """

    def __init__(self, image: torch.Tensor, row: torch.Tensor, col0: torch.Tensor,
                 resolution: int, stride: int | None = None):
        self.col0, self.resolution = col0, resolution
        self.coords = pixel_coordinates(resolution)
        self.v = self.coords.neg().index_select(0, row)                          # [L]
        self.start = image * (stride or resolution * resolution) + row * resolution  # [L]

    def batch(self, rows: slice, width: int, scratch=None) -> RowBatch:
        """Some rows, padded to ``width`` (moved left where they would overflow).

        Args:
            rows: the rows.
            width: columns of every row.
            scratch: ``get(name, shape, dtype)`` memory for the batch's ``u`` and ``pixel``,
                or None for fresh tensors.

        Returns:
            The ``RowBatch``.
        """
        columns, step = _columns(width, self.resolution)
        side, count = self.resolution, rows.stop - rows.start
        col0 = self.col0[rows].clamp(max=side - width)
        u = None if scratch is None else scratch.get("u", (width, count))
        if side & (side - 1):
            u = torch.index_select(self.coords, 0, (columns + col0).view(-1),
                                   out=None if u is None else u.view(-1)).view(width, count)
        else:   # (2 c + 1) / R - 1: every sum of these is exact
            u = torch.add(step, self.coords.index_select(0, col0), out=u)
        pixel = None if scratch is None else scratch.get("pixel", (width, count), torch.long)
        return RowBatch(self.v[rows], u, self.start[rows] + col0, width, columns, pixel)


class RowBatch:
    """Rows of pixels of one width (``Rows.batch``), laid out with the rows last
    (``[..., W, L]``), so that every operation runs along the rows, whose number is large.
    A pixel's value is computed from its position in the whole image (a row part plus a
    column part), so it does not depend on which row of a batch holds it.

    Attributes:
        v: ``[L]`` the rows' vertical coordinates.
        u: ``[W, L]`` the pixels' horizontal coordinates.
        start: ``[L]`` long index of each row's first pixel in the flat buffer of ``Rows``.
        width: columns of every row.
    """

    def __init__(self, v: torch.Tensor, u: torch.Tensor, start: torch.Tensor, width: int,
                 columns: torch.Tensor, out: torch.Tensor | None = None):
        self.v, self.u, self.start, self.width = v, u, start, width
        self._columns, self._out = columns, out

    @property
    def pixel(self) -> torch.Tensor:
        """``[W, L]`` long indices of the pixels in the flat buffer of ``Rows``."""
        return torch.add(self._columns, self.start, out=self._out)

    def evaluate(self, coefficients: torch.Tensor, out: torch.Tensor | None = None
                 ) -> torch.Tensor:
        """Values of linear functions along the rows.

        Args:
            coefficients: ``[3, S, L]``: ``linear_coefficients`` with its last axis first and
                the rows last.
            out: ``[S, W, L]`` tensor to write them into, or None.

        Returns:
            ``[S, W, L]`` float32.
        """
        return linear_values(coefficients[:, :, None], self.v, self.u, out)


def take(cameras: Cameras, rows: torch.Tensor) -> Cameras:
    """The cameras of some rows.

    Args:
        cameras: the cameras.
        rows: ``[M]`` long indices.

    Returns:
        ``M`` cameras.
    """
    return Cameras(origin=cameras.origin[rows], forward=cameras.forward[rows],
                   right=cameras.right[rows], up=cameras.up[rows], focal=cameras.focal)
