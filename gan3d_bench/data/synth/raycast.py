"""Analytic ray casting of boxes, clipped boxes and cylinders, batched in torch.

A scene is a fixed number of convex primitives per object, in the object frame:
axis-aligned boxes (the first few of which may be cut by extra planes, e.g. a car's sloped
windscreens) and cylinders whose axis is parallel to y (wheels). Every pixel's ray is tested
against every primitive with closed-form slab and quadratic tests on whole image tensors, and
a depth buffer keeps the nearest hit. Only arithmetic, min/max and bit operations are used
per pixel (no ``torch.where``/boolean masks, which are an order of magnitude slower on a CPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.data.synth.camera import Cameras, ray_directions

MISS = 1e8
"""Added to the ray parameter of a ray that misses a primitive."""
MAX_HIT = 1e3
"""Ray parameters above this are misses (the camera is a few units from the object)."""
INDEX_BITS = 5
"""Low mantissa bits of the depth buffer that hold the primitive index (<= 32 primitives)."""


@dataclass
class Scene:
    """A batch of objects made of convex primitives, in the object frame.

    Primitive ``k`` of an object is box ``k`` for ``k < num_boxes`` and cylinder
    ``k - num_boxes`` after that.

    Attributes:
        box_lo: ``[N, B, 3]`` lower corners of the boxes.
        box_hi: ``[N, B, 3]`` upper corners (a box with ``lo == hi`` is absent).
        clip: ``[N, C, P, 4]`` planes ``(nx, ny, nz, d)`` (unit normal) that cut the first
            ``C`` boxes to ``n . x <= d``; ``C`` may be 0.
        cyl_centre: ``[N, W, 2]`` (x, z) of the cylinders' axes.
        cyl_radius: ``[N, W]`` radii.
        cyl_y: ``[N, W, 2]`` (y_low, y_high) extents along the axis.
    """

    box_lo: torch.Tensor
    box_hi: torch.Tensor
    clip: torch.Tensor
    cyl_centre: torch.Tensor
    cyl_radius: torch.Tensor
    cyl_y: torch.Tensor

    @property
    def num_boxes(self) -> int:
        """Boxes per object."""
        return self.box_lo.shape[1]

    @property
    def num_primitives(self) -> int:
        """Boxes plus cylinders per object."""
        return self.box_lo.shape[1] + self.cyl_radius.shape[1]

    def index(self, rows) -> Scene:
        """The objects selected by ``rows`` (a slice or an index tensor)."""
        return Scene(self.box_lo[rows], self.box_hi[rows], self.clip[rows],
                     self.cyl_centre[rows], self.cyl_radius[rows], self.cyl_y[rows])


@dataclass
class Hits:
    """What each pixel's ray hits first.

    Attributes:
        t: ``[N, R, R]`` ray parameter of the hit (meaningless where ``hit`` is 0).
        primitive: ``[N, R, R]`` long index of the primitive hit.
        hit: ``[N, R, R]`` float, 1 where the ray hits the object, else 0.
        directions: ``[N, 3, R, R]`` the rays' directions.
    """

    t: torch.Tensor
    primitive: torch.Tensor
    hit: torch.Tensor
    directions: torch.Tensor


def _box_depths(scene: Scene, origin: torch.Tensor, directions: torch.Tensor,
                inv_dir: torch.Tensor, abs_inv_dir: torch.Tensor) -> torch.Tensor:
    """Entry ray parameter per box (plus ``MISS`` where the ray misses), ``[N, B, R, R]``."""
    lo = scene.box_lo - origin[:, None, :]
    hi = scene.box_hi - origin[:, None, :]
    mid = (0.5 * (lo + hi))[..., None, None]     # [N, B, 3, 1, 1]
    half = (0.5 * (hi - lo))[..., None, None]
    t_near = t_far = None
    for axis in range(3):
        centre = inv_dir[:, None, axis] * mid[:, :, axis]       # [N, B, R, R]
        spread = abs_inv_dir[:, None, axis] * half[:, :, axis]
        if t_near is None:
            t_near = centre - spread
            t_far = centre.add_(spread)
        else:
            torch.maximum(t_near, centre - spread, out=t_near)
            torch.minimum(t_far, centre.add_(spread), out=t_far)
    num_clipped = scene.clip.shape[1]
    if num_clipped:
        _clip(scene.clip, origin, directions, t_near[:, :num_clipped], t_far[:, :num_clipped])
    # a miss has t_near > t_far: push it beyond MAX_HIT
    t_far.sub_(t_near).neg_().clamp_(min=0.0)
    return t_near.add_(t_far, alpha=MISS)


def _clip(planes: torch.Tensor, origin: torch.Tensor, directions: torch.Tensor,
          t_near: torch.Tensor, t_far: torch.Tensor) -> None:
    """Narrows ``[t_near, t_far]`` (in place) to the half-spaces ``n . x <= d``."""
    normal = planes[..., :3]                                      # [N, C, P, 3]
    # distance of the camera outside the plane: > 0 means the ray can only enter there
    outside = (normal * origin[:, None, None, :]).sum(-1) - planes[..., 3]   # [N, C, P]
    for p in range(planes.shape[2]):
        n = normal[:, :, p] / (-outside[:, :, p, None])           # [N, C, 3]
        # s = (n . D) / (d - n . o) is 1/t at the plane; s <= 0 means never crossing it
        s = (n[..., 0, None, None] * directions[:, None, 0])
        s.addcmul_(n[..., 1, None, None], directions[:, None, 1])
        s.addcmul_(n[..., 2, None, None], directions[:, None, 2])
        t = s.clamp_(min=1.0 / MISS).reciprocal_()
        # the camera outside the plane: the ray enters there (t_near); inside: it leaves
        entering = (outside[:, :, p] > 0).to(t.dtype)[..., None, None]
        torch.maximum(t_near, t * entering, out=t_near)
        torch.minimum(t_far, t + entering * MISS, out=t_far)


def _cylinder_depths(scene: Scene, origin: torch.Tensor, directions: torch.Tensor,
                     inv_dir: torch.Tensor, abs_inv_dir: torch.Tensor) -> torch.Tensor:
    """Entry ray parameter per cylinder (plus ``MISS`` on a miss), ``[N, W, R, R]``."""
    dx, dz = directions[:, None, 0], directions[:, None, 2]       # [N, 1, R, R]
    a = dx * dx
    a.addcmul_(dz, dz)
    inv_a = a.reciprocal()
    ox = (origin[:, None, 0] - scene.cyl_centre[..., 0])[..., None, None]   # [N, W, 1, 1]
    oz = (origin[:, None, 2] - scene.cyl_centre[..., 1])[..., None, None]
    c = ox * ox + oz * oz - (scene.cyl_radius ** 2)[..., None, None]
    b = dx * ox
    b.addcmul_(dz, oz)                                             # [N, W, R, R]
    disc = b * b
    disc.addcmul_(a, c, value=-1.0)
    miss = (-disc).clamp_(min=0.0)
    root = disc.clamp_(min=1e-20).sqrt_()  # sqrt is slow on zeros and denormals
    t_side_near = (b + root).mul_(inv_a).neg_()
    t_side_far = (root - b).mul_(inv_a)
    y_lo = (scene.cyl_y[..., 0] - origin[:, None, 1])[..., None, None]
    y_hi = (scene.cyl_y[..., 1] - origin[:, None, 1])[..., None, None]
    mid, half = 0.5 * (y_lo + y_hi), 0.5 * (y_hi - y_lo)
    centre = inv_dir[:, None, 1] * mid
    spread = abs_inv_dir[:, None, 1] * half
    t_near = torch.maximum(t_side_near, centre - spread)
    t_far = torch.minimum(t_side_far, centre.add_(spread))
    t_far.sub_(t_near).neg_().clamp_(min=0.0).add_(miss)
    return t_near.add_(t_far, alpha=MISS)


def cast_rays(scene: Scene, cameras: Cameras, resolution: int) -> Hits:
    """Finds the first primitive each pixel's ray hits.

    Args:
        scene: ``N`` objects.
        cameras: ``N`` cameras.
        resolution: image side.

    Returns:
        The ``Hits``.
    """
    directions = ray_directions(cameras, resolution)
    origin = cameras.origin
    inv_dir = directions.reciprocal()
    abs_inv_dir = inv_dir.abs()
    parts = [_box_depths(scene, origin, directions, inv_dir, abs_inv_dir)]
    if scene.cyl_radius.shape[1]:
        parts.append(_cylinder_depths(scene, origin, directions, inv_dir, abs_inv_dir))
    depths = torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]
    count = depths.shape[1]
    if count > 2 ** INDEX_BITS:
        raise ValueError(f"at most {2 ** INDEX_BITS} primitives per object, not {count}")
    # Depth buffer: the primitive index replaces the low mantissa bits of the (positive)
    # depth, so one integer min over primitives yields both the nearest depth and its index.
    torch.nan_to_num_(depths, nan=MISS, posinf=MISS, neginf=MISS).clamp_(min=0.0)
    packed = depths.view(torch.int32)
    packed.bitwise_and_(~(2 ** INDEX_BITS - 1))
    packed.bitwise_or_(torch.arange(count, dtype=torch.int32).view(1, count, 1, 1))
    nearest = packed.amin(dim=1)
    primitive = (nearest & (2 ** INDEX_BITS - 1)).long()
    t = (nearest & ~(2 ** INDEX_BITS - 1)).view(torch.float32)
    hit = (t < MAX_HIT).to(torch.float32)
    return Hits(t=t, primitive=primitive, hit=hit, directions=directions)
