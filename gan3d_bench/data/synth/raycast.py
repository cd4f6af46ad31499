"""Visibility by analytic ray casting: which primitive, and which of its faces, each pixel
sees first.

Everything is computed in inverse depth ``s = 1 / t`` along each pixel's ray ``o + t D``. A
plane ``n . x = d`` is crossed at ``s = (n . D) / (d - n . o)``; as ``D`` is a linear
function of the pixel's position, so is ``s`` (``camera.linear_coefficients``). A ray enters
a convex primitive at the smallest ``s`` of the planes it must cross to get in (those the
camera is outside of) and leaves it at the largest ``s`` of the planes it crosses to get out;
it hits the primitive when the first is larger. A cylinder's side adds a square root. Only
the planes a window's rays can enter or leave by are cast (``_compact``); windows are grouped
by that pattern.

Each primitive is cast only over a screen window that covers its projection. The windows
are cut into rows of pixels, and rows of one width are cast together, laid out with the rows
last (``camera.Rows``), so every operation runs along thousands of rows.
A depth buffer of int32 keys resolves visibility: a key is the bit pattern of the (positive)
inverse depth, whose integer order is the float order, with the primitive number and face
in its 10 low mantissa bits, so a maximum keeps the nearest surface and says what it is: one
``scatter_reduce(amax)`` per batch, or, for boxes (one window an image, so no two rows of a
batch share a pixel), a row-by-row read, maximum and write. Per pixel only fast elementwise
operations run (no ``torch.where``, no boolean masking, no gathers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gan3d_bench.data.synth.camera import Cameras, RowBatch, Rows, dot, linear_coefficients, take
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
WINDOW_MARGIN = 0.01
"""How far (in pixels) outside the projection of a shape's bounding points a pixel centre may
lie and still be cast: far more than the rounding of the projection and of the ray casting,
whose pixels just outside a shape are misses anyway."""
BATCH_COST = 16000
"""What casting one more batch of rows costs, in pixels cast."""
PADDING = 1.5
"""How much larger than its rows a batch may be once padded to its widest."""
BATCH_PIXELS = 2 ** 16
"""The most pixels a batch holds with one thread (its temporaries stay in the CPU's caches);
with more threads, four times as many: each thread's share then stays in its own cache, and
operations are long enough to be worth splitting."""


def batch_pixels(base: int = BATCH_PIXELS) -> int:
    """The most pixels a batch holds with torch's current number of threads.

    Args:
        base: the most with one thread (four times as many with more).

    Returns:
        A number of pixels.
    """
    return base * (4 if torch.get_num_threads() > 1 else 1)


@dataclass
class CurvedPatch:
    """The pixel rows of a batch of cylinders' windows, for per-pixel shading of their sides
    where they are visible (``cylinder_side`` then gives the side's normal there).

    Attributes:
        image: ``[L]`` long image of each pixel row.
        primitive: ``[L]`` long primitive number of each row.
        start: ``[L]`` long index into ``Hits.flat`` of each row's first pixel; the rows are
            ``width`` pixels long.
        code: ``[L]`` int32 code of the row's cylinder's side.
        v: ``[L]`` vertical coordinate of each row.
        coefficients: ``[3, 3, L]`` of ``beta``, ``dx`` and ``dz`` (``_CylinderCaster``).
        scalars: ``[5, L]``: ``sign(c)``, the side's entry offset, and the normals' terms
            ``1 / (sqrt|c| r)``, ``o'_x / r``, ``o'_z / r``.
    """

    image: torch.Tensor
    primitive: torch.Tensor
    start: torch.Tensor
    width: int
    code: torch.Tensor
    v: torch.Tensor
    coefficients: torch.Tensor
    scalars: torch.Tensor


def cylinder_side(beta: torch.Tensor, dx: torch.Tensor, dz: torch.Tensor, sign: torch.Tensor,
                  offset: torch.Tensor, out: torch.Tensor | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Where rays enter a cylinder's side (see ``_CylinderCaster``); the same operations
    whatever the layout, so the shading recomputes exactly what the ray caster found.

    Args:
        beta, dx, dz: the linear functions along the rays.
        sign: ``sign(c)``, broadcast against them.
        offset: the side's entry offset, likewise.
        out: where to write the inverse depth, or None.

    Returns:
        ``(side, root, discriminant)``: the inverse depth of the entry (+``offset``), and
        ``sqrt(max(d, 0))`` and ``d = beta^2 - a / c``.
    """
    discriminant = dx * dx                      # beta^2 - a / c, a / c = sign (dx^2 + dz^2)
    discriminant.addcmul_(dz, dz).mul_(sign).neg_().addcmul_(beta, beta)
    root = discriminant.clamp(min=0.0).sqrt_()
    return torch.add(beta, root, out=out).add_(offset), root, discriminant


@dataclass
class Hits:
    """What each pixel sees first.

    Attributes:
        key: ``[N, R, R]`` int32: where the ray hits a primitive, the bits of the inverse
            depth with ``primitive << FACE_BITS | face`` in the low bits; where it misses
            every primitive, a number below ``2 ** CODE_BITS``: 0, or with ``sky``, the sky
            code ``sky + row`` of the pixel's row. A view of ``flat``.
        curved: the cylinders' windows, to shade their sides per pixel.
        sky: the first sky code, ``(primitives + 1) << FACE_BITS`` (above every primitive's
            codes), or None where the rows' codes would not fit in ``CODE_BITS``.
        flat: the int32 memory holding the keys: image ``i``'s pixel ``p`` (``row * R +
            column``) at ``i * stride + p``; the pixel indices of ``curved`` point into it.
        stride: elements from one image's keys to the next's (``R * R``, or ``3 * R * R``
            where the keys live in the first channel of the pictures, see ``cast_rays``).
        rows: ``[2, N]`` long: per image, the first row and the last row + 1 that any
            primitive's window covers (the rows outside see only the sky).
    """

    key: torch.Tensor
    curved: list[CurvedPatch]
    sky: int | None = None
    flat: torch.Tensor | None = None
    stride: int = 0
    rows: torch.Tensor | None = None

    def missed(self, key: torch.Tensor) -> torch.Tensor:
        """Where rays miss, from some of ``key``."""
        return key <= CODE_MASK

    def coverage(self) -> torch.Tensor:
        """``[N, 1, R, R]`` float32: 1 where a ray hits the object."""
        return (self.key > CODE_MASK).to(torch.float32).unsqueeze(1)


_CORNERS = torch.tensor([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)],
                        dtype=torch.bool)


def corners(lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """``[M, 8, 3]`` the corners of boxes with corners ``lo`` and ``hi`` (``[M, 3]``)."""
    return torch.where(_CORNERS, hi[:, None], lo[:, None])


def _windows(points: torch.Tensor, cameras: Cameras, resolution: int
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Screen windows covering convex shapes, one per shape: the pixels whose centres lie in
    the bounding rectangle of the projections of points whose convex hull contains the shape,
    widened by ``WINDOW_MARGIN``.

    Args:
        points: ``[M, C, 3]`` points per shape.
        cameras: the camera of each shape.
        resolution: image side.

    Returns:
        ``(row0, col0, height, width)``, each ``[M]`` long; a window with no pixel (off the
        picture, or between two pixel centres) has height and width 0.
    """
    frame = torch.stack([cameras.forward, cameras.right, cameras.up], 2)      # [M, 3, 3]
    seen = torch.bmm(points - cameras.origin[:, None], frame)                 # [M, C, 3]
    depth = seen[..., :1].clamp(min=1e-3)
    scale = cameras.focal * resolution / 2.0
    # (column, row) of every point, in units of pixels with the centres on whole numbers
    pixel = (seen[..., 1:] / depth).mul_(torch.tensor([scale, -scale])).add_(
        resolution / 2.0 - 0.5)
    low, high = torch.aminmax(pixel, dim=1)
    first = low.sub_(WINDOW_MARGIN).ceil_().clamp_(min=0)
    last = high.add_(WINDOW_MARGIN).floor_().clamp_(max=resolution - 1)
    size = (last - first).add_(1.0).clamp_(min=0.0)
    size *= size.amin(1, keepdim=True) > 0                  # nothing where either side is empty
    first, size = first.clamp_(max=resolution - 1).long(), size.long()
    return first[:, 1], first[:, 0], size[:, 1], size[:, 0]


def _batches(width: torch.Tensor) -> list[tuple[int, int, int]]:
    """Cuts rows sorted by width (the widest first) into batches, each padded to its widest.

    A width joins the current batch while the batch's padded area stays within ``PADDING``
    times its rows' own area plus ``BATCH_COST`` (what casting one more batch costs); a batch
    holds at most ``batch_pixels()`` pixels, and rows of one width may be split between batches.

    Args:
        width: ``[L]`` long row widths, in non-increasing order.

    Returns:
        ``(start, stop, width)`` of every batch.
    """
    widths, counts = torch.unique_consecutive(width, return_counts=True)
    batches, start, stop, rows, own, top, limit = [], 0, 0, 0, 0, 0, batch_pixels()
    # a plain loop over the distinct widths (at most the image side)
    for w, count in zip(widths.tolist(), counts.tolist(), strict=True):
        while count:
            if rows and (rows + count) * top > PADDING * (own + count * w) + BATCH_COST:
                batches.append((start, stop, top))
                start, rows, own = stop, 0, 0
            if not rows:
                top = w
            taken = min(count, limit // top - rows)
            rows, own, stop, count = rows + taken, own + taken * w, stop + taken, count - taken
            if count:                                   # the batch is full
                batches.append((start, stop, top))
                start, rows, own = stop, 0, 0
    if rows:
        batches.append((start, stop, top))
    return batches


def pixel_rows(row0: torch.Tensor, height: torch.Tensor, order: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Cuts windows into their rows of pixels.

    Args:
        row0: ``[M]`` long top row of each window.
        height: ``[M]`` long rows of each window.
        order: ``[M']`` long windows to cut, in order.

    Returns:
        ``(window, row)``: ``[L]`` long window and image row of each row, the rows of the
        windows ``order`` one after the other.
    """
    heights = height[order]
    window = order.repeat_interleave(heights)
    first = torch.cumsum(heights, 0) - heights
    return window, row0[window] + torch.arange(len(window)) - first.repeat_interleave(heights)


def stable_order(key: torch.Tensor) -> torch.Tensor:
    """The permutation that sorts non-negative integer keys, equal keys keeping their order:
    numpy's radix sort where the keys fit in 16 bits (on a CPU many times quicker than
    torch's stable sort, which gives the same permutation), torch's otherwise.

    Args:
        key: ``[L]`` long keys, at least 0.

    Returns:
        ``[L]`` long indices.
    """
    if len(key) and int(key.max()) < 2 ** 16:
        return torch.from_numpy(np.argsort(key.numpy().astype(np.uint16), kind="stable"))
    return torch.sort(key, stable=True).indices


def per_row(value: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """``value[..., window]`` for per-window values ``[..., M]`` (selected from a 2-D table,
    far faster than indexing the last axis of a 3-D one).

    Args:
        value: ``[..., M]``.
        window: ``[L]`` long.

    Returns:
        ``[..., L]`` contiguous.
    """
    table = value.reshape(-1, value.shape[-1])
    return table.index_select(1, window).view(*value.shape[:-1], len(window))


def _away_from_zero(g: torch.Tensor, sign: float) -> torch.Tensor:
    """``g`` with values too close to 0 replaced by ``sign * CAMERA_ON_PLANE``."""
    return torch.where(g.abs() < CAMERA_ON_PLANE, torch.full_like(g, sign * CAMERA_ON_PLANE), g)


def _slabs(lo: torch.Tensor, hi: torch.Tensor, origin: torch.Tensor, faces: tuple[int, int]
           ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
                      torch.Tensor, torch.Tensor]:
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
        ``(enter, enter_offset, enter_face, leave, leave_offset, entering, leaving)``: the
        ``[M, A]`` slopes along ``D_k`` and offsets of the entries and their faces; ``[M, 2A]``
        of the exits (upper planes first); whether each entry and exit constrains the ray.
        Slots that do not have slope 0 and offset +-``UNBOUNDED``.
    """
    g_hi = _away_from_zero(hi - origin, 1.0)
    g_lo = _away_from_zero(lo - origin, -1.0)
    above, below = g_hi < 0, g_lo > 0
    zero = torch.zeros_like(g_hi)
    enter = torch.where(above, g_hi.reciprocal(), torch.where(below, g_lo.reciprocal(), zero))
    entering = above | below
    enter_offset = (~entering).to(torch.float32) * UNBOUNDED
    axis = torch.arange(g_hi.shape[1]) * 2
    enter_face = torch.where(above, axis + faces[0], axis + faces[1])
    leave = torch.cat([torch.where(above, zero, g_hi.reciprocal()),
                       torch.where(below, zero, g_lo.reciprocal())], 1)
    outside = torch.cat([above, below], 1)
    leave_offset = outside.to(torch.float32) * -UNBOUNDED
    return enter, enter_offset, enter_face, leave, leave_offset, entering, ~outside


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


def _nearest(enter: torch.Tensor, code: torch.Tensor, leave: list[torch.Tensor],
             scratch: _Scratch) -> torch.Tensor:
    """Keys of the hits of convex primitives, from the inverse depths of their planes.

    Args:
        enter: ``[E, W, L]`` inverse depths where the ray enters the half-spaces the camera
            is outside of (overwritten with their keys).
        code: ``[E, L]`` int32 ``primitive << FACE_BITS | face`` of each entry.
        leave: ``X`` tensors ``[W, L]``: inverse depths where it leaves the others.
        scratch: memory for the results.

    Returns:
        ``[W, L]`` int32 keys, 0 where the ray misses.
    """
    shape = enter.shape[1:]
    packed = enter.view(torch.int32).bitwise_and_(~CODE_MASK).bitwise_or_(code[:, None])
    if packed.shape[0] == 1:
        near = packed[0]
    else:
        near = torch.minimum(packed[0], packed[1], out=scratch.get("near", shape, torch.int32))
        for slot in range(2, packed.shape[0]):
            torch.minimum(near, packed[slot], out=near)
    far = torch.clamp(leave[0], min=NEAREST, out=scratch.get("far", shape))
    for slot in leave[1:]:
        torch.maximum(far, slot, out=far)
    return near.mul_(near.view(torch.float32) > far)


class _Caster:
    """What every caster shares: per-window tensors with the windows last, which ``select``
    gathers (one entry per pixel row, in the end), and a ``pattern`` per window (batches hold
    windows of one pattern only).

    Args:
        group: the primitives, ``[M, 1, ...]``.
        cameras: the camera of each primitive.
        number: ``[M]`` long primitive numbers.
    """

    coefficients: torch.Tensor
    """``[3, S, M]`` linear functions evaluated over each window."""
    code: torch.Tensor
    """``[E, M]`` int32 codes of the entries."""
    pattern: torch.Tensor
    """``[M]`` long: windows of one pattern have the same slots."""

    @staticmethod
    def points(group) -> torch.Tensor:
        """``[M, C, 3]`` points whose convex hull contains each primitive (``group`` is
        ``[M, 1, ...]``)."""
        lo, hi = group.bounds()
        return corners(lo.flatten(0, 1), hi.flatten(0, 1))

    def select(self, rows: torch.Tensor) -> None:
        """Keeps some windows, in a new order, as often as they are named.

        Args:
            rows: ``[M']`` long indices of the windows.
        """
        for name, value in list(vars(self).items()):
            if isinstance(value, torch.Tensor):
                setattr(self, name, per_row(value, rows))


def _compact(coefficients: torch.Tensor, code: torch.Tensor, entering: torch.Tensor,
             leaving: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor,
                                             torch.Tensor]:
    """Moves the planes that constrain each window's rays to the front of its slots.

    A plane the ray neither enters nor leaves by has a constant slot (``+-UNBOUNDED``) that
    never decides a minimum or maximum, so it need not be cast. Each window keeps its active
    entries, then its active exits; a window with no active entry keeps them all, and one
    with no active exit keeps the first (as if they were cast: the results are the same).

    Args:
        coefficients: ``[M, E + X, 3]`` of the candidate entries, then the candidate exits.
        code: ``[M, E]`` codes of the candidate entries.
        entering: ``[M, E]`` bool, the active entries.
        leaving: ``[M, X]`` bool, the active exits.

    Returns:
        ``(coefficients [3, S, M], code [S, M], entries [M], exits [M])``: the slots in their
        new order (a window's first ``entries`` are its entries, its next ``exits`` its
        exits) and the counts.
    """
    entering = entering | ~entering.any(1, keepdim=True)
    leaving = leaving.clone()
    leaving[:, 0] |= ~leaving.any(1)
    # active entries (0), active exits (1), then the rest (2, 3)
    rank = torch.cat([torch.where(entering, 0, 2), torch.where(leaving, 1, 3)], 1)
    order = torch.sort(rank, dim=1, stable=True).indices                      # [M, S]
    slots = coefficients.gather(1, order[..., None].expand(-1, -1, 3))
    full_code = torch.cat([code, torch.zeros_like(leaving, dtype=code.dtype)], 1)
    return (slots.permute(2, 1, 0).contiguous(), full_code.gather(1, order).T.contiguous(),
            entering.sum(1), leaving.sum(1))


class _BoxCaster(_Caster):
    """Casts a group of boxes (cut by their planes): per window, the planes its rays enter
    and leave by (two per axis, one per cutting plane), as linear functions of the pixel."""

    def __init__(self, boxes: Boxes, cameras: Cameras, number: torch.Tensor):
        lo, hi, planes = boxes.lo.flatten(0, 1), boxes.hi.flatten(0, 1), boxes.planes.flatten(0, 1)
        m, p = lo.shape[0], planes.shape[1]
        enter, enter_offset, enter_face, leave, leave_offset, entering, leaving = _slabs(
            lo, hi, cameras.origin, (0, 1))
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
            entering = torch.cat([entering, outside], 1)
            leaving = torch.cat([leaving, ~outside], 1)
        code = ((number[:, None] << FACE_BITS) | enter_face).to(torch.int32)
        coefficients = linear_coefficients(
            cameras, torch.cat([enter_vectors, leave_vectors], 1),
            torch.cat([enter_offset, leave_offset], 1))
        coefficients, code, self.entries, self.exits = _compact(
            coefficients, code, entering, leaving)
        # the slots past the most any window uses are never cast
        self.coefficients = coefficients[:, :int((self.entries + self.exits).max())].contiguous()
        self.code = code[:int(self.entries.max())].contiguous()
        self.pattern = self.entries * 64 + self.exits

    def keys(self, rows: slice, pixels: RowBatch, scratch: _Scratch) -> torch.Tensor:
        """``[W, L]`` int32 keys of the boxes of ``rows`` (one pattern) over ``pixels``."""
        entries, exits = int(self.entries[rows.start]), int(self.exits[rows.start])
        slots = entries + exits
        values = pixels.evaluate(self.coefficients[:, :slots, rows], scratch.get(
            "values", (slots, pixels.width, rows.stop - rows.start)))
        return _nearest(values[:entries], self.code[:entries, rows], values[entries:], scratch)


class _CylinderCaster(_Caster):
    """Casts a group of cylinders with axes along y.

    The side: with ``o' = o - centre`` and ``c = o'_x^2 + o'_z^2 - r^2`` (> 0: the camera is
    outside the infinite cylinder), a ray meets it where ``c s^2 + 2 b s + a = 0``, with
    ``b = o'_x D_x + o'_z D_z`` and ``a = D_x^2 + D_z^2``: at ``s = beta +- sqrt(beta^2 -
    a / c)`` with ``beta = -b / c``; ``beta``, ``D_x`` and ``D_z`` are linear functions of
    the pixel. The caps are the slab along y: the cap the ray enters by (where the camera is
    beyond one) and the caps it leaves by.
    """

    def __init__(self, cylinders: Cylinders, cameras: Cameras, number: torch.Tensor):
        centre, y = cylinders.centre.flatten(0, 1), cylinders.y.flatten(0, 1)
        radius = cylinders.radius.flatten()
        origin = cameras.origin
        ox, oz = origin[:, 0] - centre[:, 0], origin[:, 2] - centre[:, 1]
        c = _away_from_zero(ox * ox + oz * oz - radius * radius, 1.0)
        scale = c.abs().rsqrt()
        zero = torch.zeros_like(c)
        enter, enter_offset, enter_face, leave, leave_offset, entering, leaving = _slabs(
            y[:, :1], y[:, 1:], origin[:, 1:2], (2, 3))
        vectors = torch.stack([
            torch.stack([zero, enter[:, 0], zero], 1),                 # the cap it enters by
            torch.stack([-ox / c, zero, -oz / c], 1),                  # beta
            torch.stack([scale, zero, zero], 1),                       # D_x / sqrt|c|
            torch.stack([zero, zero, scale], 1),                       # D_z / sqrt|c|
            torch.stack([zero, leave[:, 0], zero], 1),                 # the caps it leaves by
            torch.stack([zero, leave[:, 1], zero], 1)], 1)
        offset = torch.stack([enter_offset[:, 0], zero, zero, zero, leave_offset[:, 0],
                              leave_offset[:, 1]], 1)
        # the cap's entry is kept where it is active, or where the camera is inside the
        # infinite cylinder (then the side is no entry: the ray starts inside it)
        always = torch.ones_like(entering).expand(-1, 3)
        self.coefficients, code, kept, self.exits = _compact(
            linear_coefficients(cameras, vectors, offset),
            torch.cat([enter_face, torch.zeros_like(always, dtype=torch.long)], 1).to(
                torch.int32),
            torch.cat([entering | (c < 0)[:, None], always], 1), leaving)
        self.cap = kept - 3
        self.pattern = self.cap * 64 + self.exits
        # per window: sign of c, the side's entry offset, and the normals' terms
        self.scalars = torch.stack([c.sign(), (c < 0).to(torch.float32) * UNBOUNDED,
                                    1.0 / (scale * radius), ox / radius, oz / radius])
        self.code = torch.cat([(number[None] << FACE_BITS) | CURVED_FACE,
                               (number[None] << FACE_BITS) | code[:1]]).to(torch.int32)

    def keys(self, rows: slice, pixels: RowBatch, scratch: _Scratch) -> torch.Tensor:
        """``[W, L]`` int32 keys of the cylinders of ``rows`` (one pattern) over ``pixels``."""
        cap, exits = int(self.cap[rows.start]), int(self.exits[rows.start])
        slots = cap + 3 + exits
        # slot 0 takes the side's inverse depth, the entries follow it
        values = scratch.get("values", (1 + slots, pixels.width, rows.stop - rows.start))
        pixels.evaluate(self.coefficients[:, :slots, rows], values[1:])
        sign, offset = self.scalars[:2, rows]
        beta, dx, dz = values[1 + cap], values[2 + cap], values[3 + cap]
        _, root, discriminant = cylinder_side(beta, dx, dz, sign, offset, out=values[0])
        # camera outside (c > 0): in at beta + root, out at beta - root; inside: out at
        # beta + root. Rays that pass just outside (discriminant < 0) are pushed out.
        beta.addcmul_(root, sign, value=-1.0).add_(discriminant.clamp_(max=0.0), alpha=-GRAZING)
        return _nearest(values[:1 + cap], self.code[:1 + cap, rows], [beta, *values[4 + cap:]],
                        scratch)

    def patch(self, rows: slice, pixels: RowBatch, image: torch.Tensor, primitive: torch.Tensor
              ) -> CurvedPatch:
        """What shading the sides of the cylinders of ``rows`` needs (``CurvedPatch``)."""
        cap = int(self.cap[rows.start])
        return CurvedPatch(image, primitive, pixels.start, pixels.width,
                           self.code[0, rows], pixels.v,
                           self.coefficients[:, cap:cap + 3, rows], self.scalars[:, rows])


def _flat_keys(values: torch.Tensor, code: torch.Tensor, inside: torch.Tensor,
               scratch: _Scratch) -> torch.Tensor:
    """Keys of the hits of flat decals: ``values[0]`` is the inverse depth of their plane
    (overwritten with its keys), ``inside`` < 0 where the ray meets the plane within the
    decal, in front of the camera."""
    packed = values[0].view(torch.int32).bitwise_and_(~CODE_MASK).bitwise_or_(code)
    return torch.mul(packed, inside < 0, out=scratch.get("near", packed.shape, torch.int32))


class _FlatCaster(_Caster):
    """What the casters of flat decals share. A decal seen from behind is hit by no ray, so
    only those ``seen`` are cast."""

    def _finish(self, coefficients: torch.Tensor, number: torch.Tensor) -> None:
        self.coefficients = coefficients.permute(2, 1, 0).contiguous()
        self.code = (number << FACE_BITS).to(torch.int32)
        self.pattern = torch.zeros_like(number)


def _quad_plane(corners: torch.Tensor, origin: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """``([M, 3], [M])``: quadrilaterals' unit normals and ``g = d - n . o`` (< 0: the camera
    sees their front)."""
    normal = torch.linalg.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normal = normal / normal.norm(dim=1, keepdim=True)
    return normal, _away_from_zero(dot(normal, corners[:, 0] - origin), 1.0)


class _QuadCaster(_FlatCaster):
    """Casts a group of flat quadrilaterals: on the plane ``n . x = d``, ``s = (n . D) / g``
    with ``g = d - n . o``; an edge ``m . x <= e`` holds at the ray's point where
    ``m . D - (e - m . o) s <= 0``, a linear function of ``D`` too."""

    @staticmethod
    def seen(quads: Quads, cameras: Cameras) -> torch.Tensor:
        """``[M]`` bool: the quadrilaterals (flattened) whose front the cameras see."""
        return _quad_plane(quads.corners.flatten(0, 1), cameras.origin)[1] < 0

    @staticmethod
    def points(quads: Quads) -> torch.Tensor:
        """``[M, 4, 3]`` the corners."""
        return quads.corners.flatten(0, 1)

    def __init__(self, quads: Quads, cameras: Cameras, number: torch.Tensor):
        corners = quads.corners.flatten(0, 1)                                  # [M, 4, 3]
        origin = cameras.origin[:, None]
        normal, g = _quad_plane(corners, cameras.origin)
        depth = normal / g[:, None]
        edge = torch.linalg.cross(corners.roll(-1, 1) - corners, normal[:, None].expand(-1, 4, -1))
        reach = dot(edge, corners - origin)                                    # [M, 4]
        vectors = torch.cat([depth[:, None], -depth[:, None],
                             edge - reach[..., None] * depth[:, None]], 1)     # [M, 6, 3]
        zero = torch.zeros_like(g)
        back = (g >= 0).to(torch.float32) * UNBOUNDED       # seen from behind: never inside
        offset = torch.stack([zero, zero + NEAREST, back, zero, zero, zero], 1)
        self._finish(linear_coefficients(cameras, vectors, offset), number)

    def keys(self, rows: slice, pixels: RowBatch, scratch: _Scratch) -> torch.Tensor:
        """``[W, L]`` int32 keys of the quadrilaterals of ``rows`` over ``pixels``."""
        values = pixels.evaluate(self.coefficients[..., rows], scratch.get(
            "values", (6, pixels.width, rows.stop - rows.start)))
        inside = torch.maximum(values[1], values[2], out=scratch.get("far", values[0].shape))
        for slot in range(3, 6):
            torch.maximum(inside, values[slot], out=inside)
        return _flat_keys(values, self.code[rows], inside, scratch)


class _DiscCaster(_FlatCaster):
    """Casts a group of flat discs facing along y: on the plane ``y = c_y``,
    ``s = D_y / (c_y - o_y)``, and ``W = (p - c) s = D + (o - c) s`` is linear in ``D``; the
    ray's point is inside where ``W_x^2 + W_z^2 < (r s)^2``."""

    @staticmethod
    def seen(discs: Discs, cameras: Cameras) -> torch.Tensor:
        """``[M]`` bool: the discs (flattened) whose front the cameras see."""
        rel_y = cameras.origin[:, 1] - discs.centre.flatten(0, 1)[:, 1]
        return _away_from_zero(-rel_y * discs.facing.flatten(), 1.0) < 0

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
        self._finish(linear_coefficients(cameras, vectors, offset), number)

    def keys(self, rows: slice, pixels: RowBatch, scratch: _Scratch) -> torch.Tensor:
        """``[W, L]`` int32 keys of the discs of ``rows`` over ``pixels``."""
        values = pixels.evaluate(self.coefficients[..., rows], scratch.get(
            "values", (5, pixels.width, rows.stop - rows.start)))
        inside = torch.mul(values[2], values[2], out=scratch.get("far", values[0].shape))
        inside.addcmul_(values[3], values[3]).addcmul_(values[4], values[4], value=-1.0)
        torch.maximum(inside, values[1], out=inside)
        return _flat_keys(values, self.code[rows], inside, scratch)


_CASTERS = {Boxes: _BoxCaster, Cylinders: _CylinderCaster, Quads: _QuadCaster,
            Discs: _DiscCaster}


def _subset(group, index: torch.Tensor | None):
    """The group's primitives (flattened over objects) ``index``, as ``[M, 1, ...]``."""
    fields = {name: value.flatten(0, 1)[index if index is not None else slice(None), None]
              for name, value in vars(group).items() if isinstance(value, torch.Tensor)}
    return type(group)(**fields, material=group.material)


def cast_rays(scene: Scene, cameras: Cameras, resolution: int,
              pictures: torch.Tensor | None = None) -> Hits:
    """Finds the first primitive and face each pixel's ray hits.

    Args:
        scene: ``N`` objects.
        cameras: ``N`` cameras.
        resolution: image side.
        pictures: ``[N, 3, R, R]`` float32 contiguous memory the keys may live in (in its
            first channel, as int32): the memory of the pictures ``shading.shade`` then
            writes, which saves filling another buffer. Ignored without sky codes.

    Returns:
        The ``Hits``.
    """
    n, side = scene.num_objects, resolution
    if scene.num_primitives >= 2 ** INDEX_BITS:
        raise ValueError(f"at most {2 ** INDEX_BITS - 1} primitives per object, "
                         f"not {scene.num_primitives}")
    sky = (scene.num_primitives + 1) << FACE_BITS
    area = side * side
    if sky + side <= 2 ** CODE_BITS:          # misses keep their rows' sky codes
        rows = torch.arange(sky, sky + side, dtype=torch.int32).repeat_interleave(side)
        if pictures is None:
            flat, stride = torch.empty(n * area, dtype=torch.int32), area
        else:
            flat, stride = pictures.view(-1).view(torch.int32), 3 * area
        flat.view(n, stride)[:, :area].copy_(rows.expand(n, area))
    else:
        sky, flat, stride = None, torch.zeros(n * area, dtype=torch.int32), area
    curved, depth = [], flat.view(torch.float32)
    covered = torch.stack([torch.full((n,), side), torch.zeros(n, dtype=torch.long)])
    scratch = _Scratch(batch_pixels())
    for first, group in scene.numbered():
        k = len(group.material)
        image, number = torch.arange(n * k) // k, torch.arange(n * k) % k + first
        kind = _CASTERS[type(group)]
        kept = None
        if issubclass(kind, _FlatCaster):      # decals seen from behind: no ray hits them
            kept = kind.seen(group, take(cameras, image)).nonzero().view(-1)
            image, number = image[kept], number[kept]
        group, group_cameras = _subset(group, kept), take(cameras, image)
        row0, col0, height, width = _windows(kind.points(group), group_cameras, side)
        covered[0].scatter_reduce_(0, image, row0, "amin")
        covered[1].scatter_reduce_(0, image, row0 + height, "amax")
        caster = kind(group, group_cameras, number)
        # cut the windows into pixel rows: those of one pattern together, the widest first
        order = stable_order(caster.pattern * (side + 1) + (side - width))
        window, row = pixel_rows(row0, height, order)
        rows = Rows(image[window], row, col0[window], side, stride)
        width = width[window]
        caster.select(window)
        patterns = torch.unique_consecutive(caster.pattern, return_counts=True)[1].tolist()
        run = 0
        for count in patterns:
            for start, stop, cols in _batches(width[run:run + count]):
                part = slice(run + start, run + stop)
                pixels = rows.batch(part, cols, scratch)
                if isinstance(caster, _CylinderCaster):
                    curved.append(caster.patch(part, pixels, image[window[part]],
                                               number[window[part]]))
                # keys are non-negative, so their order is that of the floats with their bits
                # (and torch's float maximum is the quicker)
                keys = caster.keys(part, pixels, scratch).view(torch.float32)
                if k == 1:      # one window an image: no two rows of a batch share a pixel,
                    segments = depth.unfold(0, cols, 1)   # so whole rows are read and written
                    start = pixels.start
                    nearest = torch.index_select(segments, 0, start, out=scratch.get(
                        "segments", (len(start), cols)))
                    segments.index_copy_(0, start, torch.maximum(nearest, keys.T, out=nearest))
                else:
                    depth.scatter_reduce_(0, pixels.pixel.view(-1), keys.view(-1), "amax")
            run += count
    return Hits(key=flat.view(n, stride)[:, :area].view(n, side, side), curved=curved,
                sky=sky, flat=flat, stride=stride, rows=covered)
