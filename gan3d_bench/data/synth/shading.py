"""Deferred shading: from the first hit of every ray to a colour.

Once the depth buffer knows which primitive and face each pixel sees, the hit point and its
normal are found per pixel (not per primitive), the object's painter gives
the surface colour there (body paint, windows, lights...), and Lambertian shading with two
lights plus an ambient term gives the final colour. Both lights are symmetric under the
object's left-right mirror (a key light from above the camera, a fill light from overhead),
so a mirrored view of a symmetric object is exactly the mirrored image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.data.synth.camera import Cameras, pixel_coordinates
from gan3d_bench.data.synth.raycast import Hits, Scene

AMBIENT = 0.38
KEY_LIGHT = 0.55
TOP_LIGHT = 0.22
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


def lookup(table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Per-pixel rows of a per-object table.

    Args:
        table: ``[N, K, C]`` values per object and index.
        index: ``[N, R, R]`` long indices in ``[0, K)``.

    Returns:
        ``[N, C, R, R]`` values.
    """
    n, res = index.shape[0], index.shape[-1]
    columns = table.shape[2]
    spread = index.view(n, 1, -1).expand(n, columns, res * res)
    return torch.gather(table.transpose(1, 2), 2, spread).view(n, columns, res, res)


def surface(scene: Scene, cameras: Cameras, hits: Hits) -> Surface:
    """Hit points and normals of every pixel.

    Args:
        scene: the objects.
        cameras: the cameras.
        hits: the result of ``cast_rays``.

    Returns:
        The ``Surface``.
    """
    n = hits.directions.shape[0]
    points = torch.addcmul(cameras.origin.view(n, 3, 1, 1), hits.t.unsqueeze(1),
                           hits.directions)
    clipped, planes = scene.clip.shape[1], scene.clip.shape[2]
    faces = 6 + clipped * planes + 1
    table = torch.zeros(n, faces, 3)
    table[:, :6] = FACE_NORMALS
    table[:, 6:faces - 1] = scene.clip[..., :3].reshape(n, clipped * planes, 3)
    normal = lookup(table, hits.face)
    cylinders = scene.cyl_radius.shape[1]
    if cylinders:
        # on a cylinder's side the normal points away from its axis
        axis = lookup(torch.cat([scene.cyl_centre, scene.cyl_radius[..., None]], 2),
                      (hits.primitive - scene.num_boxes).clamp_(min=0))
        side = (hits.face == faces - 1).to(torch.float32).div_(axis[:, 2].clamp(min=1e-6))
        normal[:, 0].addcmul_(points[:, 0] - axis[:, 0], side)
        normal[:, 2].addcmul_(points[:, 2] - axis[:, 1], side)
    return Surface(points=points, primitive=hits.primitive, face=hits.face, normal=normal,
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
