"""Analytic ray casting of boxes, clipped boxes and cylinders, batched in torch.

A scene is a fixed number of convex primitives per object, in the object frame:
axis-aligned boxes (the first few of which may be cut by extra planes, e.g. a car's sloped
windscreens) and cylinders whose axis is parallel to y (wheels). Each primitive is tested only
against the rays of a screen window that covers its projection (the same window size for a
whole batch, placed per image), with closed-form slab and quadratic tests on whole tensors; a
depth buffer keeps the nearest hit per pixel. Per ray only arithmetic, min/max and bit
operations are used (``torch.where`` and boolean masks are far slower on a CPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from gan3d_bench.data.synth.camera import Cameras, pixel_coordinates, ray_directions

MISS = 1e8
"""Added to the ray parameter of a ray that misses a primitive."""
MAX_HIT = 1e3
"""Ray parameters above this are misses (the camera is a few units from the object)."""
INDEX_BITS = 5
"""Bits of the depth buffer that hold the primitive index (at most 32 primitives)."""
FACE_BITS = 4
"""Bits of the depth buffer that hold the face hit (at most 16 faces, see ``Hits.face``)."""
_INDEX_MASK = 2 ** INDEX_BITS - 1
_LOW_MASK = 2 ** (INDEX_BITS + FACE_BITS) - 1
_EMPTY = torch.tensor(MISS * 10, dtype=torch.float32).view(torch.int32).item() & ~_LOW_MASK


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
        groups: primitives cast together (one screen-window size for the group); by default
            each primitive alone. A group holds primitives of one type, clipped boxes alone.
    """

    box_lo: torch.Tensor
    box_hi: torch.Tensor
    clip: torch.Tensor
    cyl_centre: torch.Tensor
    cyl_radius: torch.Tensor
    cyl_y: torch.Tensor
    groups: tuple[tuple[int, ...], ...] = field(default=())

    @property
    def num_boxes(self) -> int:
        """Boxes per object."""
        return self.box_lo.shape[1]

    @property
    def num_primitives(self) -> int:
        """Boxes plus cylinders per object."""
        return self.box_lo.shape[1] + self.cyl_radius.shape[1]

    def bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``([N, K, 3], [N, K, 3])`` lower and upper corners of every primitive's box."""
        r = self.cyl_radius[..., None]
        cx, cz = self.cyl_centre[..., :1], self.cyl_centre[..., 1:]
        lo = torch.cat([self.box_lo, torch.cat([cx - r, self.cyl_y[..., :1], cz - r], 2)], 1)
        hi = torch.cat([self.box_hi, torch.cat([cx + r, self.cyl_y[..., 1:], cz + r], 2)], 1)
        return lo, hi

    def cast_groups(self) -> tuple[tuple[int, ...], ...]:
        """The groups to cast (``groups``, or every primitive alone)."""
        return self.groups or tuple((k,) for k in range(self.num_primitives))


@dataclass
class Hits:
    """What each pixel's ray hits first.

    Attributes:
        t: ``[N, R, R]`` ray parameter of the hit (meaningless where ``hit`` is 0).
        primitive: ``[N, R, R]`` long index of the primitive hit.
        face: ``[N, R, R]`` long face of the primitive: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z,
            then ``6 + c * P + p`` for plane ``p`` of clipped box ``c``, then a cylinder's side.
        hit: ``[N, R, R]`` float, 1 where the ray hits the object, else 0.
        directions: ``[N, 3, R, R]`` the rays' directions.
    """

    t: torch.Tensor
    primitive: torch.Tensor
    face: torch.Tensor
    hit: torch.Tensor
    directions: torch.Tensor


def _windows(lo: torch.Tensor, hi: torch.Tensor, origin: torch.Tensor, cameras: Cameras,
             resolution: int) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """Screen windows covering boxes: per box a top-left pixel, one size for all.

    Args:
        lo, hi: ``[M, 3]`` box corners.
        origin, cameras: the camera of each box (``[M, 3]`` and ``Cameras`` rows).
        resolution: image side.

    Returns:
        ``(row0 [M], col0 [M], height, width)``.
    """
    corners = torch.stack([torch.where(torch.tensor(bits, dtype=torch.bool), hi, lo)
                           for bits in _CORNER_BITS], 1)                 # [M, 8, 3]
    rel = corners - origin[:, None]
    depth = (rel * cameras.forward[:, None]).sum(-1).clamp(min=1e-3)
    scale = cameras.focal * resolution / 2.0
    col = (rel * cameras.right[:, None]).sum(-1) / depth * scale + (resolution / 2.0 - 0.5)
    row = (rel * cameras.up[:, None]).sum(-1) / depth * -scale + (resolution / 2.0 - 0.5)
    first_col = col.amin(1).floor().clamp(0, resolution - 1) - 1
    first_row = row.amin(1).floor().clamp(0, resolution - 1) - 1
    width = int((col.amax(1).ceil() + 1 - first_col).max().clamp(1, resolution))
    height = int((row.amax(1).ceil() + 1 - first_row).max().clamp(1, resolution))
    col0 = first_col.clamp(0, resolution - width).long()
    row0 = first_row.clamp(0, resolution - height).long()
    return row0, col0, height, width


_CORNER_BITS = [(x, y, z) for x in (0, 1) for y in (0, 1) for z in (0, 1)]


def _window_rays(cameras: Cameras, resolution: int, row0: torch.Tensor, col0: torch.Tensor,
                 height: int, width: int) -> torch.Tensor:
    """Ray directions of the pixels of each window, ``[M, 3, height, width]``, computed
    exactly as ``ray_directions`` computes them for the whole image."""
    m = row0.shape[0]
    coords = pixel_coordinates(resolution)
    u = coords[col0[:, None] + torch.arange(width)]                        # [M, W]
    v = (-coords)[row0[:, None] + torch.arange(height)]                    # [M, H]
    row = (cameras.focal * cameras.forward).view(m, 3, 1, 1) + \
        cameras.up.view(m, 3, 1, 1) * v.view(m, 1, height, 1)
    return torch.addcmul(row, cameras.right.view(m, 3, 1, 1), u.view(m, 1, 1, width))


def _entry_face(candidates: torch.Tensor, t_near: torch.Tensor,
                directions: torch.Tensor) -> torch.Tensor:
    """The face through which each ray enters a box: the axis whose slab it enters last,
    on the side it comes from (``[M, H, W]`` int32)."""
    on_y = (candidates[:, 1] == t_near).to(torch.int32)
    on_z = (candidates[:, 2] == t_near).to(torch.int32)
    axis = on_y + on_z * (2 - on_y)                              # z wins ties, then y
    positive = (directions > 0).to(torch.int32)                  # entering through lo: odd
    side = torch.gather(positive, 1, axis.unsqueeze(1).long()).squeeze(1)
    return axis * 2 + side


def _box_depths(lo: torch.Tensor, hi: torch.Tensor, clip: torch.Tensor | None,
                origin: torch.Tensor, directions: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Entry ray parameter of each ray into its box (plus ``MISS`` on a miss), and the face.

    Args:
        lo, hi: ``[M, 3]`` box corners.
        clip: ``[M, P, 4]`` planes cutting the boxes to ``n . x <= d``, or None.
        origin: ``[M, 3]`` ray origins.
        directions: ``[M, 3, H, W]`` ray directions.

    Returns:
        ``[M, H, W]`` depths and ``[M, H, W]`` int32 faces.
    """
    m = lo.shape[0]
    inv_dir = directions.reciprocal()
    mid = (0.5 * (lo + hi) - origin).view(m, 3, 1, 1)
    half = (0.5 * (hi - lo)).view(m, 3, 1, 1)
    centre = inv_dir * mid                                       # [M, 3, H, W]
    spread = inv_dir.abs_().mul_(half)
    candidates = centre - spread
    t_near = candidates.amax(1)
    face = _entry_face(candidates, t_near, directions)
    t_far = centre.add_(spread).amin(1)
    if clip is not None:
        _clip(clip, origin, directions, t_near, t_far, face)
    # a miss has t_near > t_far: push it beyond MAX_HIT
    t_far.sub_(t_near).neg_().clamp_(min=0.0)
    return t_near.add_(t_far, alpha=MISS), face


def _clip(planes: torch.Tensor, origin: torch.Tensor, directions: torch.Tensor,
          t_near: torch.Tensor, t_far: torch.Tensor, face: torch.Tensor) -> None:
    """Narrows ``[t_near, t_far]`` (in place) to the half-spaces ``n . x <= d``; where a
    plane becomes the entry, ``face`` becomes ``6 + p``."""
    m = planes.shape[0]
    normal = planes[..., :3]                                               # [M, P, 3]
    # how far the camera is outside each plane: > 0 means a ray can only enter there
    outside = (normal * origin[:, None, :]).sum(-1) - planes[..., 3]       # [M, P]
    for p in range(planes.shape[1]):
        n = (normal[:, p] / -outside[:, p, None]).view(m, 3, 1, 1)
        # s = (n . D) / (d - n . o) is 1/t at the plane; s <= 0 means never crossing it
        s = (n * directions).sum(1)
        t = s.clamp_(min=1.0 / MISS).reciprocal_()
        entering = (outside[:, p] > 0).to(t.dtype).view(m, 1, 1)
        t_enter = t * entering
        through = (t_enter > t_near).to(torch.int32)
        face.add_(through * (6 + p - face))
        torch.maximum(t_near, t_enter, out=t_near)
        torch.minimum(t_far, t + entering * MISS, out=t_far)


def _cylinder_depths(centre: torch.Tensor, radius: torch.Tensor, y_range: torch.Tensor,
                     origin: torch.Tensor, directions: torch.Tensor, side_face: int
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """Entry ray parameter into cylinders along y (plus ``MISS`` on a miss), and the face.

    Args:
        centre: ``[M, 2]`` (x, z) of the axes.
        radius: ``[M]`` radii.
        y_range: ``[M, 2]`` extents along y.
        origin: ``[M, 3]`` ray origins.
        directions: ``[M, 3, H, W]`` ray directions.
        side_face: the face number of the curved side (the caps are faces 2 and 3).

    Returns:
        ``[M, H, W]`` depths and ``[M, H, W]`` int32 faces.
    """
    m = radius.shape[0]
    dx, dy, dz = directions.unbind(1)
    a = dx * dx
    a.addcmul_(dz, dz)
    inv_a = a.reciprocal()
    ox = (origin[:, 0] - centre[:, 0]).view(m, 1, 1)
    oz = (origin[:, 2] - centre[:, 1]).view(m, 1, 1)
    c = ox * ox + oz * oz - (radius * radius).view(m, 1, 1)
    b = dx * ox
    b.addcmul_(dz, oz)
    disc = b * b
    disc.addcmul_(a, c, value=-1.0)
    miss = (-disc).clamp_(min=0.0)
    root = disc.clamp_(min=1e-20).sqrt_()  # sqrt is slow on zeros and denormals
    t_side_near = (b + root).mul_(inv_a).neg_()
    t_side_far = root.sub_(b).mul_(inv_a)
    inv_dy = dy.reciprocal()
    y_lo = (y_range[:, 0] - origin[:, 1]).view(m, 1, 1)
    y_hi = (y_range[:, 1] - origin[:, 1]).view(m, 1, 1)
    mid_y, half_y = 0.5 * (y_lo + y_hi), 0.5 * (y_hi - y_lo)
    centre_t = inv_dy * mid_y
    spread = inv_dy.abs_().mul_(half_y)
    t_cap = centre_t - spread
    cap = (t_cap > t_side_near).to(torch.int32)
    face = cap * (2 + (dy > 0).to(torch.int32) - side_face) + side_face
    t_near = torch.maximum(t_side_near, t_cap)
    t_far = torch.minimum(t_side_far, centre_t.add_(spread))
    t_far.sub_(t_near).neg_().clamp_(min=0.0).add_(miss)
    return t_near.add_(t_far, alpha=MISS), face


def _take(cameras: Cameras, rows: torch.Tensor) -> Cameras:
    return Cameras(origin=cameras.origin[rows], forward=cameras.forward[rows],
                   right=cameras.right[rows], up=cameras.up[rows], focal=cameras.focal)


def cast_rays(scene: Scene, cameras: Cameras, resolution: int) -> Hits:
    """Finds the first primitive each pixel's ray hits.

    Args:
        scene: ``N`` objects.
        cameras: ``N`` cameras.
        resolution: image side.

    Returns:
        The ``Hits``.
    """
    n, count = scene.box_lo.shape[0], scene.num_primitives
    if count > 2 ** INDEX_BITS:
        raise ValueError(f"at most {2 ** INDEX_BITS} primitives per object, not {count}")
    lo, hi = scene.bounds()
    # Depth buffer: the primitive index replaces the low mantissa bits of the (positive)
    # depth, so an integer min yields both the nearest depth and its primitive.
    buffer = torch.full((n * resolution * resolution,), _EMPTY, dtype=torch.int32)
    clipped = scene.clip.shape[1]
    side_face = 6 + clipped * scene.clip.shape[2]
    if side_face >= 2 ** FACE_BITS:
        raise ValueError(f"at most {2 ** FACE_BITS - 7} clip planes in all, not {side_face - 6}")
    for group in scene.cast_groups():
        size = len(group)
        index = torch.tensor(group)
        image = torch.arange(n).repeat_interleave(size)                   # [M]
        slot = index.repeat(n)
        cams = _take(cameras, image)
        g_lo, g_hi = lo[image, slot], hi[image, slot]
        row0, col0, height, width = _windows(g_lo, g_hi, cams.origin, cams, resolution)
        directions = _window_rays(cams, resolution, row0, col0, height, width)
        if group[0] < scene.num_boxes:
            planes = scene.clip[image, slot] if group[0] < clipped else None
            depth, face = _box_depths(g_lo, g_hi, planes, cams.origin, directions)
        else:
            cyl = slot - scene.num_boxes
            depth, face = _cylinder_depths(
                scene.cyl_centre[image, cyl], scene.cyl_radius[image, cyl],
                scene.cyl_y[image, cyl], cams.origin, directions, side_face)
        torch.nan_to_num_(depth, nan=MISS, posinf=MISS, neginf=MISS).clamp_(min=0.0)
        packed = depth.view(torch.int32)
        packed.bitwise_and_(~_LOW_MASK).bitwise_or_(slot.to(torch.int32).view(-1, 1, 1))
        packed.bitwise_or_(face.bitwise_left_shift_(INDEX_BITS))
        pixel = (row0.view(-1, 1, 1) + torch.arange(height).view(1, -1, 1)) * resolution + \
            (col0.view(-1, 1, 1) + torch.arange(width).view(1, 1, -1))
        pixel += (image * (resolution * resolution)).view(-1, 1, 1)
        buffer.scatter_reduce_(0, pixel.view(-1), packed.view(-1), "amin")
    buffer = buffer.view(n, resolution, resolution)
    primitive = (buffer & _INDEX_MASK).long()
    face = ((buffer & _LOW_MASK) >> INDEX_BITS).long()
    t = (buffer & ~_LOW_MASK).view(torch.float32)
    hit = (t < MAX_HIT).to(torch.float32)
    return Hits(t=t, primitive=primitive, face=face, hit=hit,
                directions=ray_directions(cameras, resolution))


