"""Deferred shading: from the first hit of every ray to a colour.

Once the depth buffer knows which primitive each pixel sees, the hit point, the face of that
primitive and its normal are found per pixel (not per primitive), the object's painter gives
the surface colour there (body paint, windows, lights...), and Lambertian shading with two
lights plus an ambient term gives the final colour. Both lights are symmetric under the
object's left-right mirror (a key light from above the camera, a fill light from overhead),
so a mirrored view of a symmetric object is exactly the mirrored image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.data.synth.camera import Cameras, pixel_coordinates
from gan3d_bench.data.synth.raycast import INDEX_BITS, Hits, Scene

AMBIENT = 0.38
KEY_LIGHT = 0.55
TOP_LIGHT = 0.22
FAR = 1e6
SKY_TOP = (0.78, 0.83, 0.90)
SKY_BOTTOM = (0.95, 0.95, 0.94)

# Face numbers: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z, then the clip planes, then a cylinder's side.
FACE_NORMALS = torch.tensor([[1.0, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1],
                             [0, 0, -1]])


@dataclass
class Surface:
    """What each pixel sees, for painters.

    Attributes:
        points: ``[N, 3, R, R]`` hit points in the object frame.
        primitive: ``[N, R, R]`` long primitive index.
        face: ``[N, R, R]`` long face number: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z, then
            ``6 + c * P + p`` for plane ``p`` of clipped box ``c``, then a cylinder's side.
        normal: ``[N, 3, R, R]`` unit normals.
        hit: ``[N, 1, R, R]`` float, 1 on the object.
    """

    points: torch.Tensor
    primitive: torch.Tensor
    face: torch.Tensor
    normal: torch.Tensor
    hit: torch.Tensor


def one_hot(index: torch.Tensor, count: int) -> torch.Tensor:
    """``[N, R, R]`` indices to a float ``[N, count, R * R]`` one-hot encoding."""
    n = index.shape[0]
    classes = torch.arange(count).view(1, count, 1)
    return (index.view(n, 1, -1) == classes).to(torch.float32)


def lookup(table: torch.Tensor, index: torch.Tensor, count: int) -> torch.Tensor:
    """Per-pixel rows of a per-object table (a batched matrix product with a one-hot code).

    Args:
        table: ``[N, count, C]`` values per object and index.
        index: ``[N, R, R]`` long indices in ``[0, count)``.
        count: number of rows.

    Returns:
        ``[N, C, R, R]`` values.
    """
    n, res = index.shape[0], index.shape[-1]
    return torch.bmm(table.transpose(1, 2), one_hot(index, count)).view(n, -1, res, res)


def _primitive_table(scene: Scene) -> torch.Tensor:
    """Per primitive: lo (3), hi (3), axis centre (x, z), radius (FAR for boxes)."""
    n, boxes = scene.box_lo.shape[:2]
    box = torch.cat([scene.box_lo, scene.box_hi, torch.zeros(n, boxes, 2),
                     torch.full((n, boxes, 1), FAR)], dim=2)
    if not scene.cyl_radius.shape[1]:
        return box
    r = scene.cyl_radius[..., None]
    cx, cz = scene.cyl_centre[..., :1], scene.cyl_centre[..., 1:]
    lo = torch.cat([cx - r, scene.cyl_y[..., :1], cz - r], dim=2)
    hi = torch.cat([cx + r, scene.cyl_y[..., 1:], cz + r], dim=2)
    return torch.cat([box, torch.cat([lo, hi, cx, cz, r], dim=2)], dim=1)


def surface(scene: Scene, cameras: Cameras, hits: Hits) -> Surface:
    """Hit points, faces and normals of every pixel.

    Args:
        scene: the objects.
        cameras: the cameras.
        hits: the result of ``cast_rays``.

    Returns:
        The ``Surface``.
    """
    n, _, res, _ = hits.directions.shape
    points = torch.addcmul(cameras.origin.view(n, 3, 1, 1), hits.t.unsqueeze(1),
                           hits.directions)
    params = lookup(_primitive_table(scene), hits.primitive, scene.num_primitives)
    lo, hi = params[:, 0:3], params[:, 3:6]
    clipped, planes = scene.clip.shape[1], scene.clip.shape[2]
    faces = 6 + clipped * planes + 1
    # signed distances to every face's plane; the hit face's is the largest (about 0)
    distances = torch.empty(n, faces, res, res)
    torch.sub(points, hi, out=distances[:, 0:6:2])
    torch.sub(lo, points, out=distances[:, 1:6:2])
    for c in range(clipped):
        elsewhere = (hits.primitive != c).to(torch.float32).mul_(-FAR)
        for p in range(planes):
            plane = scene.clip[:, c, p].view(n, 4, 1, 1)
            slot = distances[:, 6 + c * planes + p]
            torch.sum(points * plane[:, :3], dim=1, out=slot)
            slot.sub_(plane[:, 3]).add_(elsewhere)
    rx = points[:, 0] - params[:, 6]
    rz = points[:, 2] - params[:, 7]
    rho = (rx * rx).addcmul_(rz, rz).clamp_(min=1e-20).sqrt_()
    torch.sub(rho, params[:, 8], out=distances[:, faces - 1])
    # argmax by packing the face number into the low bits of -distance (see cast_rays)
    packed = distances.neg_().clamp_(min=0.0).view(torch.int32)
    packed.bitwise_and_(~(2 ** INDEX_BITS - 1))
    packed.bitwise_or_(torch.arange(faces, dtype=torch.int32).view(1, faces, 1, 1))
    face = (packed.amin(dim=1) & (2 ** INDEX_BITS - 1)).long()
    # normals: a table for the flat faces, the radial direction on a cylinder's side
    table = torch.zeros(n, faces, 3)
    table[:, :6] = FACE_NORMALS
    table[:, 6:faces - 1] = scene.clip[..., :3].reshape(n, clipped * planes, 3)
    normal = lookup(table, face, faces)
    side = (face == faces - 1).to(torch.float32).div_(rho)
    normal[:, 0].addcmul_(rx, side)
    normal[:, 2].addcmul_(rz, side)
    return Surface(points=points, primitive=hits.primitive, face=face, normal=normal,
                   hit=hits.hit.unsqueeze(1))


def lighting(cameras: Cameras, normal: torch.Tensor) -> torch.Tensor:
    """Lambertian light intensity with ambient, key (from above the camera) and top lights.

    Args:
        cameras: the cameras.
        normal: ``[N, 3, R, R]`` unit normals.

    Returns:
        ``[N, 1, R, R]`` intensities.
    """
    n = normal.shape[0]
    key = -cameras.forward + 0.7 * cameras.up
    key = key / key.norm(dim=1, keepdim=True)
    key_term = (normal * key.view(n, 3, 1, 1)).sum(1, keepdim=True).clamp_(min=0.0)
    top_term = normal[:, 2:3].clamp(min=0.0)
    return key_term.mul_(KEY_LIGHT).add_(top_term, alpha=TOP_LIGHT).add_(AMBIENT)


def background(cameras: Cameras, directions: torch.Tensor, ground: torch.Tensor,
               shadow: torch.Tensor) -> torch.Tensor:
    """A vertical sky gradient with a soft shadow under the object on an invisible ground.

    Args:
        cameras: the cameras.
        directions: ``[N, 3, R, R]`` ray directions.
        ground: ``[N]`` height of the ground (the object's lowest point).
        shadow: ``[N, 2]`` half-lengths (x, y) of the elliptic shadow.

    Returns:
        ``[N, 3, R, R]`` colours in [0, 1].
    """
    n, _, res, _ = directions.shape
    v = -pixel_coordinates(res)
    blend = ((v + 1.0) / 2.0).view(1, 1, res, 1)
    top = torch.tensor(SKY_TOP).view(1, 3, 1, 1)
    bottom = torch.tensor(SKY_BOTTOM).view(1, 3, 1, 1)
    sky = (bottom + (top - bottom) * blend).expand(n, 3, res, res)
    # where the ray meets the ground plane (only for cameras above it, rays going down)
    height = (cameras.origin[:, 2] - ground).clamp(min=0.0).view(n, 1, 1)
    t = height / (-directions[:, 2]).clamp(min=1e-6)
    gx = (cameras.origin[:, 0].view(n, 1, 1) + t * directions[:, 0]) / shadow[:, 0].view(n, 1, 1)
    gy = (cameras.origin[:, 1].view(n, 1, 1) + t * directions[:, 1]) / shadow[:, 1].view(n, 1, 1)
    darkness = (1.0 - (gx * gx + gy * gy)).clamp_(1e-20, 1.0).sqrt_()
    darkness = darkness * (height > 0).to(torch.float32)
    return sky * (1.0 - 0.45 * darkness).unsqueeze(1)
