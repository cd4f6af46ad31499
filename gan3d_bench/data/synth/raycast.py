"""Visibility by analytic ray casting: which primitive, and which of its faces, each pixel
sees first.

Everything is computed in inverse depth ``s = 1 / t`` along each pixel's ray ``o + t D``. A
plane ``n . x = d`` is crossed at ``s = (n . D) / (d - n . o)``; as ``D`` is a linear
function of the pixel's position, so is ``s`` (``camera.Windows``). A ray enters a convex
primitive at the smallest ``s`` of the planes it must cross to get in (those the camera is
outside of) and leaves it at the largest ``s`` of the planes it crosses to get out; it hits
the primitive when the first is larger. A cylinder's side adds a square root.

Each primitive is cast only over a screen window that covers its projection; the windows of
a group are sorted by size and cast in batches of similar sizes, each padded to its largest
window.
A depth buffer of int32 keys resolves visibility: a key is the bit pattern of the (positive)
inverse depth, whose integer order is the float order, with the primitive number and face
in its 10 low mantissa bits, so one ``scatter_reduce(amax)`` per batch keeps the nearest
surface and says what it is. Per pixel only fast elementwise operations run (no
``torch.where``, no boolean masking, no gathers).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.data.synth.camera import Cameras, Windows, dot, linear_coefficients, take
from gan3d_bench.data.synth.scene import Boxes, Cylinders, Discs, Quads, Scene

INDEX_BITS = 6
"""Bits of a key that hold the primitive number (at most 63 primitives; 0: none)."""
FACE_BITS = 4
"""Bits of a key that hold the face: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z, 6 + p for a box's
cutting plane p, ``CURVED_FACE`` for a cylinder's side."""
CODE_BITS = INDEX_BITS + FACE_BITS
CODE_MASK = 2 ** CODE_BITS - 1
CURVED_FACE = 2 ** FACE_BITS - 1
NEAREST = 1e-3
"""Inverse depths at or below this are misses (every object is a few units away)."""
UNBOUNDED = 1e30
"""The value of a plane slot that does not constrain a ray (the camera is on its far side)."""
CAMERA_ON_PLANE = 1e-6
"""Distances to a plane below this count as the camera being inside its half-space."""
GRAZING = 1e6
"""Weight of the penalty that turns rays passing just outside a cylinder into misses."""
BATCH_COST = 16000
"""What casting one more batch of windows costs, in pixels cast."""
PADDING = 1.5
"""How much larger than its windows a batch may be once padded."""
BATCH_PIXELS = 2 ** 16
"""The most pixels a batch of windows holds (its temporaries stay in the CPU's caches)."""


@dataclass
class CurvedPatch:
    """The pixels of a batch of cylinders' windows, for per-pixel shading of their sides.

    Attributes:
        image: ``[M]`` long image of each window.
        primitive: ``[M]`` long primitive number of each window.
        pixel: ``[M, H, W]`` long indices into the flattened ``[N, R, R]`` key buffer.
        key: ``[M, H, W]`` int32 key the side would have in the buffer where it is visible.
        normal_x: ``[M, H, W]`` x of the side's unit normal there (y is 0).
        normal_z: ``[M, H, W]`` z of the normal.
    """

    image: torch.Tensor
    primitive: torch.Tensor
    pixel: torch.Tensor
    key: torch.Tensor
    normal_x: torch.Tensor
    normal_z: torch.Tensor


@dataclass
class Hits:
    """What each pixel sees first.

    Attributes:
        key: ``[N, R, R]`` int32: where the ray hits a primitive, the bits of the inverse
            depth with ``primitive << FACE_BITS | face`` in the low bits; where it misses
            every primitive, a number below ``2 ** CODE_BITS``: 0, or with ``sky``, the sky
            code ``sky + row`` of the pixel's row.
        curved: the cylinders' windows, to shade their sides per pixel.
        sky: the first sky code, ``(primitives + 1) << FACE_BITS`` (above every primitive's
            codes), or None where the rows' codes would not fit in ``CODE_BITS``.
    """

    key: torch.Tensor
    curved: list[CurvedPatch]
    sky: int | None = None

    def code(self, images: slice = slice(None)) -> torch.Tensor:
        """``[n, R, R]`` long ``primitive << FACE_BITS | face`` of some images, or where rays
        miss, 0 or the rows' sky codes."""
        return (self.key[images] & CODE_MASK).long()

    def missed(self, key: torch.Tensor) -> torch.Tensor:
        """Where rays miss, from some of ``key``."""
        return key <= CODE_MASK

    def coverage(self) -> torch.Tensor:
        """``[N, 1, R, R]`` float32: 1 where a ray hits the object."""
        return (self.key > CODE_MASK).to(torch.float32).unsqueeze(1)


_CORNERS = torch.tensor([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)],
                        dtype=torch.bool)


def _windows(lo: torch.Tensor, hi: torch.Tensor, cameras: Cameras, resolution: int
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Screen windows covering boxes, one per box.

    Args:
        lo, hi: ``[M, 3]`` box corners.
        cameras: the camera of each box.
        resolution: image side.

    Returns:
        ``(row0, col0, height, width)``, each ``[M]`` long.
    """
    corners = torch.where(_CORNERS, hi[:, None], lo[:, None])                # [M, 8, 3]
    rel = corners - cameras.origin[:, None]
    depth = dot(rel, cameras.forward[:, None]).clamp(min=1e-3)
    scale = cameras.focal * resolution / 2.0
    centre = resolution / 2.0 - 0.5
    col = dot(rel, cameras.right[:, None]) / depth * scale + centre
    row = dot(rel, cameras.up[:, None]) / depth * -scale + centre
    first_col = (col.amin(1).floor() - 1).clamp(0, resolution - 1)
    first_row = (row.amin(1).floor() - 1).clamp(0, resolution - 1)
    width = (col.amax(1).ceil() + 1).clamp(0, resolution - 1) - first_col + 1
    height = (row.amax(1).ceil() + 1).clamp(0, resolution - 1) - first_row + 1
    return first_row.long(), first_col.long(), height.long(), width.long()


def _batches(height: torch.Tensor, width: torch.Tensor) -> list[tuple[int, int, int, int]]:
    """Cuts windows sorted by size (the largest first) into batches, each to be padded to its
    largest.

    A window joins the current batch while the batch's padded area stays within ``PADDING``
    times its windows' own area plus ``BATCH_COST`` (what casting one more batch costs) and
    within ``BATCH_PIXELS``.

    Args:
        height, width: ``[M]`` window sizes, in order.

    Returns:
        ``(start, stop, height, width)`` of every batch.
    """
    batches, start, rows, cols, area = [], 0, 0, 0, 0
    # a plain loop over Python ints: the windows of a batch of objects number in thousands
    for i, h, w in zip(range(len(height)), height.tolist(), width.tolist(), strict=True):
        new_rows = h if h > rows else rows
        new_cols = w if w > cols else cols
        size = h * w
        padded = (i + 1 - start) * new_rows * new_cols
        if i > start and (padded > PADDING * (area + size) + BATCH_COST
                          or padded > BATCH_PIXELS):
            batches.append((start, i, rows, cols))
            start, rows, cols, area = i, h, w, size
        else:
            rows, cols, area = new_rows, new_cols, area + size
    if len(height):
        batches.append((start, len(height), rows, cols))
    return batches


def _away_from_zero(g: torch.Tensor, sign: float) -> torch.Tensor:
    """``g`` with values too close to 0 replaced by ``sign * CAMERA_ON_PLANE``."""
    return torch.where(g.abs() < CAMERA_ON_PLANE, torch.full_like(g, sign * CAMERA_ON_PLANE), g)


def _slabs(lo: torch.Tensor, hi: torch.Tensor, origin: torch.Tensor, faces: tuple[int, int]
           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The entry and exit planes of slabs ``lo <= x_k <= hi``.

    Along axis k, ``s = D_k / (hi - o_k)`` at the upper plane and ``D_k / (lo - o_k)`` at the
    lower one. A camera above the slab enters through the upper plane and leaves through the
    lower one (and the other way round below it); inside, it may leave through either.

    Args:
        lo, hi: ``[M, A]`` slab bounds along A axes.
        origin: ``[M, A]`` camera coordinates along the same axes.
        faces: face numbers of the upper and lower plane of the first axis (the next axes
            follow, two by two).

    Returns:
        ``(enter, enter_offset, enter_face, leave, leave_offset)``: the ``[M, A]`` slopes
        along ``D_k`` and offsets of the entries and their faces; ``[M, 2A]`` of the exits
        (upper planes first). Unused slots have slope 0 and offset +-``UNBOUNDED``.
    """
    g_hi = _away_from_zero(hi - origin, 1.0)
    g_lo = _away_from_zero(lo - origin, -1.0)
    above, below = g_hi < 0, g_lo > 0
    zero = torch.zeros_like(g_hi)
    enter = torch.where(above, g_hi.reciprocal(), torch.where(below, g_lo.reciprocal(), zero))
    enter_offset = (~(above | below)).to(torch.float32) * UNBOUNDED
    axis = torch.arange(g_hi.shape[1]) * 2
    enter_face = torch.where(above, axis + faces[0], axis + faces[1])
    leave = torch.cat([torch.where(above, zero, g_hi.reciprocal()),
                       torch.where(below, zero, g_lo.reciprocal())], 1)
    leave_offset = torch.cat([above, below], 1).to(torch.float32) * -UNBOUNDED
    return enter, enter_offset, enter_face, leave, leave_offset


class _Scratch:
    """Reusable memory for a batch's temporaries (fresh large allocations cost page faults).

    Args:
        size: elements of every buffer.
    """

    def __init__(self, size: int):
        self.size, self.buffers = size, {}

    def get(self, name: str, shape: tuple[int, ...], dtype=torch.float32) -> torch.Tensor:
        """A tensor of ``shape`` in buffer ``name`` (its previous contents are lost)."""
        count = 1
        for dim in shape:
            count *= dim
        buffer = self.buffers.get((name, dtype))
        if buffer is None or buffer.numel() < count:
            buffer = self.buffers[(name, dtype)] = torch.empty(max(count, self.size), dtype=dtype)
        return buffer[:count].view(shape)


def _nearest(enter: torch.Tensor, code: torch.Tensor, leave: torch.Tensor,
             scratch: _Scratch) -> torch.Tensor:
    """Keys of the hits of convex primitives, from the inverse depths of their planes.

    Args:
        enter: ``[M, E, H, W]`` inverse depths where the ray enters the half-spaces the camera
            is outside of (overwritten with their keys).
        code: ``[M, E]`` int32 ``primitive << FACE_BITS | face`` of each entry.
        leave: ``[M, X, H, W]`` inverse depths where it leaves the others.
        scratch: memory for the results.

    Returns:
        ``[M, H, W]`` int32 keys, 0 where the ray misses.
    """
    shape = enter[:, 0].shape
    packed = enter.view(torch.int32).bitwise_and_(~CODE_MASK).bitwise_or_(code[..., None, None])
    near = torch.minimum(packed[:, 0], packed[:, 1], out=scratch.get("near", shape, torch.int32))
    for slot in range(2, packed.shape[1]):
        torch.minimum(near, packed[:, slot], out=near)
    far = torch.clamp(leave[:, 0], min=NEAREST, out=scratch.get("far", shape))
    for slot in range(1, leave.shape[1]):
        torch.maximum(far, leave[:, slot], out=far)
    return near.mul_(near.view(torch.float32) > far)


class _BoxCaster:
    """Casts a group of boxes (cut by their planes): per window, 3 + P entry and 6 + P exit
    planes, as linear functions of the pixel.

    Args:
        boxes: the group.
        cameras: the camera of each box (``boxes`` flattened to ``[M]``, in this order).
        number: ``[M]`` long primitive numbers.
    """

    def __init__(self, boxes: Boxes, cameras: Cameras, number: torch.Tensor):
        lo, hi, planes = boxes.lo.flatten(0, 1), boxes.hi.flatten(0, 1), boxes.planes.flatten(0, 1)
        m, p = lo.shape[0], planes.shape[1]
        enter, enter_offset, enter_face, leave, leave_offset = _slabs(lo, hi, cameras.origin,
                                                                      (0, 1))
        eye = torch.eye(3)
        enter_vectors = enter[..., None] * eye                                  # [M, 3, 3]
        leave_vectors = leave[..., None] * torch.cat([eye, eye])                # [M, 6, 3]
        if p:
            normal = planes[..., :3]
            g = _away_from_zero(planes[..., 3] - dot(normal, cameras.origin[:, None]), 1.0)
            outside = g < 0                                                     # [M, P]
            slope = normal / g[..., None]
            enter_vectors = torch.cat([enter_vectors, slope * outside[..., None]], 1)
            leave_vectors = torch.cat([leave_vectors, slope * ~outside[..., None]], 1)
            enter_offset = torch.cat([enter_offset, (~outside).to(torch.float32) * UNBOUNDED], 1)
            leave_offset = torch.cat([leave_offset, outside.to(torch.float32) * -UNBOUNDED], 1)
            enter_face = torch.cat([enter_face, (torch.arange(p) + 6).expand(m, p)], 1)
        self.entries = 3 + p
        self.code = ((number[:, None] << FACE_BITS) | enter_face).to(torch.int32)
        self.coefficients = linear_coefficients(
            cameras, torch.cat([enter_vectors, leave_vectors], 1),
            torch.cat([enter_offset, leave_offset], 1))

    def keys(self, rows: slice, windows: Windows, scratch: _Scratch) -> torch.Tensor:
        """``[M', H, W]`` int32 keys of the boxes ``rows`` over their ``windows``."""
        values = windows.evaluate(self.coefficients[rows], scratch.get(
            "values", (rows.stop - rows.start, self.coefficients.shape[1], windows.height,
                       windows.width)))
        return _nearest(values[:, :self.entries], self.code[rows], values[:, self.entries:],
                        scratch)


class _CylinderCaster:
    """Casts a group of cylinders with axes along y.

    The side: with ``o' = o - centre`` and ``c = o'_x^2 + o'_z^2 - r^2`` (> 0: the camera is
    outside the infinite cylinder), a ray meets it where ``c s^2 + 2 b s + a = 0``, with
    ``b = o'_x D_x + o'_z D_z`` and ``a = D_x^2 + D_z^2``: at ``s = beta +- sqrt(beta^2 -
    a / c)`` with ``beta = -b / c``; ``beta``, ``D_x`` and ``D_z`` are linear functions of
    the pixel. The caps are the slab along y.

    Args:
        cylinders: the group.
        cameras: the camera of each cylinder (``cylinders`` flattened to ``[M]``).
        number: ``[M]`` long primitive numbers.
    """

    def __init__(self, cylinders: Cylinders, cameras: Cameras, number: torch.Tensor):
        centre, y = cylinders.centre.flatten(0, 1), cylinders.y.flatten(0, 1)
        radius = cylinders.radius.flatten()
        origin = cameras.origin
        ox, oz = origin[:, 0] - centre[:, 0], origin[:, 2] - centre[:, 1]
        c = _away_from_zero(ox * ox + oz * oz - radius * radius, 1.0)
        scale = c.abs().rsqrt()
        zero = torch.zeros_like(c)
        enter, enter_offset, enter_face, leave, leave_offset = _slabs(
            y[:, :1], y[:, 1:], origin[:, 1:2], (2, 3))
        vectors = torch.stack([
            torch.stack([-ox / c, zero, -oz / c], 1),                  # beta
            torch.stack([scale, zero, zero], 1),                       # D_x / sqrt|c|
            torch.stack([zero, zero, scale], 1),                       # D_z / sqrt|c|
            torch.stack([zero, enter[:, 0], zero], 1),                 # the cap it enters by
            torch.stack([zero, leave[:, 0], zero], 1),                 # the caps it leaves by
            torch.stack([zero, leave[:, 1], zero], 1)], 1)
        offset = torch.stack([zero, zero, zero, enter_offset[:, 0], leave_offset[:, 0],
                              leave_offset[:, 1]], 1)
        self.coefficients = linear_coefficients(cameras, vectors, offset)
        # per window: sign of c, the side's entry offset (camera inside: the ray starts in
        # the infinite cylinder, so the side is only an exit), and the normals' terms
        self.scalars = torch.stack([c.sign(), (c < 0).to(torch.float32) * UNBOUNDED,
                                    1.0 / (scale * radius), ox / radius, oz / radius], 1)
        self.code = ((number[:, None] << FACE_BITS) | torch.stack(
            [torch.full_like(number, CURVED_FACE), enter_face[:, 0]], 1)).to(torch.int32)

    def keys(self, rows: slice, windows: Windows, scratch: _Scratch
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Keys of the cylinders ``rows`` over their ``windows``; also the side's keys and
        the x and z of the side's normals where rays enter it (all ``[M', H, W]``)."""
        values = windows.evaluate(self.coefficients[rows], scratch.get(
            "values", (rows.stop - rows.start, 6, windows.height, windows.width)))
        sign, offset, step, nx, nz = self.scalars[rows, :, None, None].unbind(1)
        beta, dx, dz = values[:, 0], values[:, 1], values[:, 2]
        discriminant = dx * dx                      # beta^2 - a / c, a / c = sign (dx^2 + dz^2)
        discriminant.addcmul_(dz, dz).mul_(sign).neg_().addcmul_(beta, beta)
        root = discriminant.clamp(min=0.0).sqrt_()
        # camera outside (c > 0): in at beta + root, out at beta - root; inside: out at
        # beta + root. Rays that pass just outside (discriminant < 0) are pushed out.
        side = torch.add(beta, root).add_(offset)
        values[:, 0].addcmul_(root, sign, value=-1.0).add_(discriminant.clamp_(max=0.0),
                                                           alpha=-GRAZING)
        inv = side.clamp(min=NEAREST).reciprocal_()
        normal_x = (dx * inv).mul_(step).add_(nx)
        normal_z = (dz * inv).mul_(step).add_(nz)
        entries = torch.stack([side, values[:, 3]], 1)
        keys = _nearest(entries, self.code[rows], values[:, [0, 4, 5]], scratch)
        return keys, entries[:, 0], normal_x, normal_z


def _flat_keys(values: torch.Tensor, code: torch.Tensor, inside: torch.Tensor,
               scratch: _Scratch) -> torch.Tensor:
    """Keys of the hits of flat decals: ``values[:, 0]`` is the inverse depth of their plane
    (overwritten with its keys), ``inside`` < 0 where the ray meets the plane within the
    decal, in front of the camera."""
    packed = values[:, 0].view(torch.int32).bitwise_and_(~CODE_MASK).bitwise_or_(
        code.view(-1, 1, 1))
    return torch.mul(packed, inside < 0, out=scratch.get("near", packed.shape, torch.int32))


class _FlatCaster:
    """What the casters of flat decals share: ``seen``, ``[M]`` bool, is False for decals
    seen from behind, which no ray hits (their windows need not be cast)."""

    coefficients: torch.Tensor
    code: torch.Tensor
    seen: torch.Tensor

    def select(self, rows: torch.Tensor) -> None:
        """Keeps only some decals.

        Args:
            rows: ``[M']`` long indices of the decals to keep, in their new order.
        """
        self.coefficients, self.code = self.coefficients[rows], self.code[rows]
        self.seen = self.seen[rows]


def _front(g: torch.Tensor) -> torch.Tensor:
    """Where the camera sees the front of a plane (``g = d - n . o < 0``)."""
    return _away_from_zero(g, 1.0) < 0


class _QuadCaster(_FlatCaster):
    """Casts a group of flat quadrilaterals: on the plane ``n . x = d``, ``s = (n . D) / g``
    with ``g = d - n . o``; an edge ``m . x <= e`` holds at the ray's point where
    ``m . D - (e - m . o) s <= 0``, a linear function of ``D`` too.

    Args:
        quads: the group.
        cameras: the camera of each quadrilateral (``quads`` flattened to ``[M]``).
        number: ``[M]`` long primitive numbers.
    """

    def __init__(self, quads: Quads, cameras: Cameras, number: torch.Tensor):
        corners = quads.corners.flatten(0, 1)                                  # [M, 4, 3]
        origin = cameras.origin[:, None]
        normal = torch.linalg.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        normal = normal / normal.norm(dim=1, keepdim=True)
        g = _away_from_zero(dot(normal, corners[:, 0] - cameras.origin), 1.0)   # [M]
        depth = normal / g[:, None]
        edge = torch.linalg.cross(corners.roll(-1, 1) - corners, normal[:, None].expand(-1, 4, -1))
        reach = dot(edge, corners - origin)                                    # [M, 4]
        vectors = torch.cat([depth[:, None], -depth[:, None],
                             edge - reach[..., None] * depth[:, None]], 1)     # [M, 6, 3]
        zero = torch.zeros_like(g)
        back = (g >= 0).to(torch.float32) * UNBOUNDED       # seen from behind: never inside
        offset = torch.stack([zero, zero + NEAREST, back, zero, zero, zero], 1)
        self.coefficients = linear_coefficients(cameras, vectors, offset)
        self.code = (number << FACE_BITS).to(torch.int32)
        self.seen = g < 0

    def keys(self, rows: slice, windows: Windows, scratch: _Scratch) -> torch.Tensor:
        """``[M', H, W]`` int32 keys of the quadrilaterals ``rows`` over their ``windows``."""
        values = windows.evaluate(self.coefficients[rows], scratch.get(
            "values", (rows.stop - rows.start, 6, windows.height, windows.width)))
        inside = torch.maximum(values[:, 1], values[:, 2], out=scratch.get(
            "far", values[:, 0].shape))
        for slot in range(3, 6):
            torch.maximum(inside, values[:, slot], out=inside)
        return _flat_keys(values, self.code[rows], inside, scratch)


class _DiscCaster(_FlatCaster):
    """Casts a group of flat discs facing along y: on the plane ``y = c_y``,
    ``s = D_y / (c_y - o_y)``, and ``W = (p - c) s = D + (o - c) s`` is linear in ``D``; the
    ray's point is inside where ``W_x^2 + W_z^2 < (r s)^2``.

    Args:
        discs: the group.
        cameras: the camera of each disc (``discs`` flattened to ``[M]``).
        number: ``[M]`` long primitive numbers.
    """

    def __init__(self, discs: Discs, cameras: Cameras, number: torch.Tensor):
        centre, radius = discs.centre.flatten(0, 1), discs.radius.flatten()
        facing = discs.facing.flatten()
        rel = cameras.origin - centre
        g = _away_from_zero(-rel[:, 1] * facing, 1.0)          # d - n . o, n = (0, f, 0)
        depth = 1.0 / -rel[:, 1]                                 # s = D_y * depth
        zero, one = torch.zeros_like(g), torch.ones_like(g)
        vectors = torch.stack([
            torch.stack([zero, depth, zero], 1),                               # s
            torch.stack([zero, -depth, zero], 1),                              # NEAREST - s
            torch.stack([one, rel[:, 0] * depth, zero], 1),                    # W_x
            torch.stack([zero, rel[:, 2] * depth, one], 1),                    # W_z
            torch.stack([zero, radius * depth, zero], 1)], 1)                  # r s
        back = (g >= 0).to(torch.float32) * UNBOUNDED       # seen from behind: never inside
        offset = torch.stack([zero, back + NEAREST, zero, zero, zero], 1)
        self.coefficients = linear_coefficients(cameras, vectors, offset)
        self.code = (number << FACE_BITS).to(torch.int32)
        self.seen = g < 0

    def keys(self, rows: slice, windows: Windows, scratch: _Scratch) -> torch.Tensor:
        """``[M', H, W]`` int32 keys of the discs ``rows`` over their ``windows``."""
        values = windows.evaluate(self.coefficients[rows], scratch.get(
            "values", (rows.stop - rows.start, 5, windows.height, windows.width)))
        inside = torch.mul(values[:, 2], values[:, 2], out=scratch.get("far", values[:, 0].shape))
        inside.addcmul_(values[:, 3], values[:, 3]).addcmul_(values[:, 4], values[:, 4],
                                                             value=-1.0)
        torch.maximum(inside, values[:, 1], out=inside)
        return _flat_keys(values, self.code[rows], inside, scratch)


_CASTERS = {Boxes: _BoxCaster, Cylinders: _CylinderCaster, Quads: _QuadCaster,
            Discs: _DiscCaster}


def cast_rays(scene: Scene, cameras: Cameras, resolution: int) -> Hits:
    """Finds the first primitive and face each pixel's ray hits.

    Args:
        scene: ``N`` objects.
        cameras: ``N`` cameras.
        resolution: image side.

    Returns:
        The ``Hits``.
    """
    n, side = scene.num_objects, resolution
    if scene.num_primitives >= 2 ** INDEX_BITS:
        raise ValueError(f"at most {2 ** INDEX_BITS - 1} primitives per object, "
                         f"not {scene.num_primitives}")
    sky = (scene.num_primitives + 1) << FACE_BITS
    if sky + side <= 2 ** CODE_BITS:          # misses keep their rows' sky codes
        rows = torch.arange(sky, sky + side, dtype=torch.int32).repeat_interleave(side)
        buffer = rows.repeat(n)
    else:
        sky, buffer = None, torch.zeros(n * side * side, dtype=torch.int32)
    curved = []
    scratch = _Scratch(BATCH_PIXELS)
    for first, group in scene.numbered():
        lo, hi = group.bounds()
        k = lo.shape[1]
        row0, col0, height, width = _windows(
            lo.flatten(0, 1), hi.flatten(0, 1), take(cameras, torch.arange(n * k) // k), side)
        order = torch.argsort(height * width, descending=True)
        image, number = order // k, order % k + first
        group_cameras = take(cameras, image)
        caster = _CASTERS[type(group)](_reorder(group, order), group_cameras, number)
        if isinstance(caster, _FlatCaster) and not bool(caster.seen.all()):
            kept = caster.seen.nonzero().view(-1)          # decals seen from behind: no hits
            caster.select(kept)
            order, image, number = order[kept], image[kept], number[kept]
        batches = _batches(height[order], width[order])
        row0, col0 = row0[order], col0[order]
        for start, stop, rows, cols in batches:
            part = slice(start, stop)
            windows = Windows(row0[part], col0[part], rows, cols, side)
            pixel = windows.pixels(image[part])
            if isinstance(caster, _CylinderCaster):
                keys, side_keys, normal_x, normal_z = caster.keys(part, windows, scratch)
                curved.append(CurvedPatch(image[part], number[part], pixel,
                                          side_keys.view(torch.int32), normal_x, normal_z))
            else:
                keys = caster.keys(part, windows, scratch)
            buffer.scatter_reduce_(0, pixel.view(-1), keys.view(-1), "amax")
    return Hits(key=buffer.view(n, side, side), curved=curved, sky=sky)


def _reorder(group, order: torch.Tensor):
    """The group's primitives as ``[M, 1, ...]`` tensors in ``order`` (indices into the
    flattened ``N * K``)."""
    fields = {name: value.flatten(0, 1)[order, None] for name, value in vars(group).items()
              if isinstance(value, torch.Tensor)}
    return type(group)(**fields, material=group.material)
