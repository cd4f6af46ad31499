"""Shading: from what each pixel sees to its colour.

Every primitive has one material (albedo and glow), and a flat face has one normal, so under
directional lights the colour of a flat face is the same at all its pixels: a table per object
gives the colour of every (primitive, face) code, and one gather colours the picture. Only a
cylinder's curved side and the shadows are shaded per pixel. Lambertian shading with two
lights plus an ambient term; both lights are symmetric under the object's left-right mirror (a
key light from above the camera, a fill light from overhead), so a mirrored view of a
symmetric object is exactly the mirrored image. Where no object is hit, a sky gradient with a
soft shadow on the invisible ground shows through.
"""

from __future__ import annotations

import torch

from gan3d_bench.data.synth import raycast
from gan3d_bench.data.synth.camera import (
    Cameras,
    dot,
    linear_coefficients,
    linear_values,
    pixel_coordinates,
)
from gan3d_bench.data.synth.raycast import CODE_MASK, FACE_BITS, INDEX_BITS, Hits
from gan3d_bench.data.synth.scene import Boxes, Cylinders, Discs, Quads, Scene

AMBIENT = 0.38
KEY_LIGHT = 0.55
TOP_LIGHT = 0.22
SKY_TOP = (0.78, 0.83, 0.90)
SKY_BOTTOM = (0.95, 0.95, 0.94)
SHADOW = 0.45
"""How much of the sky's light the shadow under the object takes at its darkest."""

# Face numbers: 0 +x, 1 -x, 2 +y, 3 -y, 4 +z, 5 -z, then a box's cutting planes.
FACE_NORMALS = torch.tensor([[1.0, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1],
                             [0, 0, -1]])
FACES = 2 ** FACE_BITS
CODES = 2 ** (INDEX_BITS + FACE_BITS)


def key_light(cameras: Cameras) -> torch.Tensor:
    """``[N, 3]`` unit direction towards the key light: from behind and above the camera."""
    key = -cameras.forward + 0.7 * cameras.up
    return key / key.norm(dim=1, keepdim=True)


def intensity(normal: torch.Tensor, key: torch.Tensor) -> torch.Tensor:
    """Lambertian light intensity with ambient, key and top lights.

    Args:
        normal: ``[..., 3]`` unit normals.
        key: ``[..., 3]`` key light directions (broadcast against ``normal``).

    Returns:
        ``[...]`` intensities.
    """
    key_term = (normal * key).sum(-1).clamp(min=0.0)
    return AMBIENT + KEY_LIGHT * key_term + TOP_LIGHT * normal[..., 2].clamp(min=0.0)


def decal_normals(decals: Quads | Discs) -> torch.Tensor:
    """``[N, K, 3]`` the unit normals of flat decals (towards their visible side)."""
    if isinstance(decals, Discs):
        return torch.stack([torch.zeros_like(decals.facing), decals.facing,
                            torch.zeros_like(decals.facing)], -1)
    corners = decals.corners
    normal = torch.linalg.cross(corners[:, :, 1] - corners[:, :, 0],
                                corners[:, :, 2] - corners[:, :, 0])
    return normal / normal.norm(dim=-1, keepdim=True)


def _materials(scene: Scene) -> torch.Tensor:
    """``[CODES >> FACE_BITS]`` long material of every primitive number (0 for none)."""
    numbers = torch.zeros(CODES // FACES, dtype=torch.long)
    for first, group in scene.numbered():
        numbers[first:first + len(group.material)] = torch.tensor(group.material)
    return numbers


def colour_table(scene: Scene, cameras: Cameras, palette: torch.Tensor, extra: int = 0
                 ) -> torch.Tensor:
    """The colour of every flat (primitive, face) code of every object.

    Only the faces a primitive has are lit: a box's six and its cutting planes, a
    cylinder's caps, a decal's front.

    Args:
        scene: the objects.
        cameras: their cameras.
        palette: ``[N, M, 6]`` albedo (3) and glow (3) of the family's materials.
        extra: columns to leave after the codes' (for the sky's colours), left at 0.

    Returns:
        ``[N, 3, C + extra]`` colours of the codes below ``C = (primitives + 1) * FACES``; 0
        for code 0 (no primitive), unused codes and curved faces.
    """
    n = palette.shape[0]
    codes, normals, materials = [], [], []
    for first, group in scene.numbered():
        k = len(group.material)
        if isinstance(group, Boxes):
            faces = torch.arange(6 + group.planes.shape[2])
            normal = torch.cat([FACE_NORMALS.expand(n, k, 6, 3), group.planes[..., :3]], 2)
        elif isinstance(group, Cylinders):
            faces = torch.arange(2, 4)
            normal = FACE_NORMALS[2:4].expand(n, k, 2, 3)
        else:
            faces = torch.zeros(1, dtype=torch.long)
            normal = decal_normals(group)[:, :, None]
        numbers = torch.arange(first, first + k)
        codes.append(((numbers[:, None] << FACE_BITS) | faces).view(-1))
        normals.append(normal.reshape(n, -1, 3))
        materials.append(torch.tensor(group.material).repeat_interleave(len(faces)))
    light = intensity(torch.cat(normals, 1), key_light(cameras).view(n, 1, 3))  # [N, U]
    looks = palette[:, torch.cat(materials)]                                   # [N, U, 6]
    colours = (looks[..., :3] * light[..., None]).add_(looks[..., 3:])
    table = torch.zeros(n, 3, (scene.num_primitives + 1) * FACES + extra)
    table[:, :, torch.cat(codes)] = colours.transpose(1, 2)
    return table


SHADE_PIXELS = 2 ** 17
"""Pixels shaded at a time (their temporaries stay in the CPU's caches)."""


def finished(colour: torch.Tensor) -> torch.Tensor:
    """Colours in [0, 1] (clamped) mapped to [-1, 1], the pictures' final range (in place)."""
    return colour.clamp_(0.0, 1.0).mul_(2.0).sub_(1.0)


def shade(scene: Scene, cameras: Cameras, hits: Hits, palette: torch.Tensor,
          ground: torch.Tensor, axes: torch.Tensor, out: torch.Tensor | None = None,
          finish: bool = False) -> torch.Tensor:
    """The pictures: the objects' colours over the sky and the shadow.

    The shadow: where a ray going down meets the ground plane (at ``t = h / -D_z``, ``h``
    the camera's height above it), the point's offsets from the shadow's centre in units of
    its half-axes are ``g = (o h' + h D) / (a h')`` with ``h' = -D_z``: linear functions of
    the ray direction, divided. The sky light reaching it is ``1 - SHADOW * sqrt(1 - g^2)``.

    Colours are computed once per flat face (a table), per visible pixel of a curved side
    and per row of sky; ``finish`` maps them to their final values there, which gives the
    same numbers as mapping the whole picture afterwards, in fewer passes. The table is
    gathered only over the rows some primitive's window covers; the others get the sky's
    colours. The sky light is exactly 1 in float32 away from the shadow's ellipse, so it is
    only computed where rays miss inside it (``_sky``).

    Args:
        scene: ``N`` objects.
        cameras: their cameras.
        hits: what every pixel sees (``raycast.cast_rays``).
        palette: ``[N, M, 6]`` albedo and glow of the family's materials.
        ground: ``[N]`` height of the ground (the object's lowest point).
        axes: ``[N, 2]`` half-lengths (x, y) of the elliptic shadow.
        out: ``[N, 3, R, R]`` tensor to write the pictures into, or None.
        finish: clamp the colours to [0, 1] and map them to [-1, 1] (``finished``).

    Returns:
        ``[N, 3, R, R]`` colours: in [0, 1] but not clamped, or with ``finish`` in [-1, 1].
    """
    n, side = hits.key.shape[0], hits.key.shape[-1]
    final = finished if finish else (lambda colour: colour)
    coded = (scene.num_primitives + 1) * FACES
    table = colour_table(scene, cameras, palette, 0 if hits.sky is None else side)
    final(table[:, :, :coded])
    blue = final(sky(side)).view(1, 3, side, 1)
    if hits.sky is not None:                    # misses show their row's bare sky
        table[:, :, coded:] = blue.view(1, 3, side)
    image = torch.empty(n, 3, side, side) if out is None else out
    # the sides of cylinders and the shadows, found while the keys are there (they may live
    # in the pictures' memory, which the table's colours then overwrite), painted afterwards
    painted = []
    if hits.curved:
        painted.append(_shade_curved(hits, key_light(cameras), palette, _materials(scene),
                                     final))
    if hits.sky is not None:
        painted += _sky(hits, cameras, ground, axes, finish)
    step = max(1, raycast.batch_pixels(SHADE_PIXELS) // (side * side))
    codes = torch.empty(min(step, n) * side * side, dtype=torch.long)
    for start in range(0, n, step):
        part = slice(start, min(start + step, n))
        m, picture = part.stop - part.start, image[part]
        # rows no window covers see the sky: their colours are the sky's (the table's, too)
        r0, r1 = 0, side
        if hits.sky is not None:
            r0, r1 = int(hits.rows[0, part].min()), max(int(hits.rows[1, part].max()), 0)
            r0 = min(r0, r1)
            picture[:, :, :r0] = blue[:, :, :r0]
            picture[:, :, r1:] = blue[:, :, r1:]
        area = (r1 - r0) * side
        code = torch.bitwise_and(hits.key[part, r0:r1].reshape(m, 1, area), CODE_MASK,
                                 out=codes[:m * area].view(m, 1, area)).expand(m, 3, area)
        torch.gather(table[part], 2, code, out=picture[:, :, r0:r1].view(m, 3, area))
    pictures = image.view(-1)
    for at, colour in painted:
        pictures.put_(at, colour)
    if hits.sky is None:
        _whole_sky(image, hits, cameras, ground, axes, finish)
    return image


def _shade_curved(hits: Hits, key: torch.Tensor, palette: torch.Tensor,
                  material: torch.Tensor, final) -> tuple[torch.Tensor, torch.Tensor]:
    """The colours of the visible pixels of the cylinders' sides.

    Args:
        hits: what every pixel sees, with the cylinders' windows (``hits.curved``).
        key: ``[N, 3]`` key light directions.
        palette: ``[N, M, 6]`` albedo and glow of the family's materials.
        material: material of every primitive number.
        final: what maps colours to the pictures' values.

    Returns:
        ``(at, colour)``: ``[3, S]`` indices into the flattened ``[N, 3, R, R]`` pictures,
        and their colours.
    """
    side, keys = hits.key.shape[-1], hits.flat
    coords = pixel_coordinates(side)
    points, rows = [], []
    for patch in hits.curved:       # the visible pixels of each batch, and their rows
        segments = keys.unfold(0, patch.width, 1).index_select(0, patch.start)     # [L, W]
        row, column = ((segments & CODE_MASK) == patch.code[:, None]).nonzero(as_tuple=True)
        points.append(patch.start[row] + column)
        rows.append(torch.cat([torch.stack([patch.image[row], patch.primitive[row]]).to(
            torch.float32), patch.v[None, row], patch.coefficients[:, :, row].reshape(9, -1),
            patch.scalars[:, row]]))
    pixel, rows = torch.cat(points), torch.cat(rows, 1)
    which, primitive = rows[:2].long()
    pixel -= which * hits.stride                     # the pixel's row * R + column
    v, coefficients, (sign, offset, step, nx, nz) = rows[2], rows[3:12].view(3, 3, -1), rows[12:]
    # the ray caster's values at these pixels, computed the same way
    beta, dx, dz = linear_values(coefficients, v, coords[pixel % side])
    side_depth = raycast.cylinder_side(beta, dx, dz, sign, offset)[0]
    inv = side_depth.clamp_(min=raycast.NEAREST).reciprocal_()
    normal_x = (dx * inv).mul_(step).add_(nx)
    normal_z = (dz * inv).mul_(step).add_(nz)
    towards = key[which]
    light = normal_x * towards[:, 0]
    light.add_(normal_z * towards[:, 2]).clamp_(min=0.0)
    light.mul_(KEY_LIGHT).add_(AMBIENT).add_(normal_z.clamp(min=0.0), alpha=TOP_LIGHT)
    looks = palette[which, material[primitive]]
    colour = final((light[:, None] * looks[:, :3]).add_(looks[:, 3:]))        # [S, 3]
    channel = (which[:, None] * 3 + torch.arange(3)) * (side * side)           # [S, 3]
    return (pixel[:, None] + channel).T, colour.T


def _shadow_functions(cameras: Cameras, ground: torch.Tensor, axes: torch.Tensor
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """The linear functions of the ray direction behind the shadow (see ``shade``).

    Returns:
        ``[N, 3, 3]`` coefficients of ``(h', g_x h', g_y h')`` and ``[N]`` the shadow's
        strength (0 for a camera at or below the ground).
    """
    n = ground.shape[0]
    origin = cameras.origin
    height = (origin[:, 2] - ground).clamp(min=0.0)
    zero = torch.zeros(n)
    vectors = torch.stack([
        torch.stack([zero, zero, -torch.ones(n)], 1),                           # h' = -D_z
        torch.stack([height, zero, -origin[:, 0]], 1) / axes[:, :1],           # g_x h'
        torch.stack([zero, height, -origin[:, 1]], 1) / axes[:, 1:]], 1)       # g_y h'
    return linear_coefficients(cameras, vectors), (height > 0).to(torch.float32) * SHADOW


SHADOW_IMAGES = 256
"""Images whose sky is painted at a time where ``Hits`` have no sky codes."""


def _shadow_windows(cameras: Cameras, ground: torch.Tensor, axes: torch.Tensor, side: int
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Screen windows covering the shadows (from the four corners of their bounding
    rectangles): ``(first row, first column, last row + 1, last column + 1)``, each ``[N]``
    long; the whole picture where a corner comes near the camera's plane."""
    lo = torch.stack([-axes[:, 0], -axes[:, 1], ground], 1)
    hi = torch.stack([axes[:, 0], axes[:, 1], ground], 1)
    corners = torch.stack([lo, hi, torch.stack([lo[:, 0], hi[:, 1], ground], 1),
                           torch.stack([hi[:, 0], lo[:, 1], ground], 1)], 1)
    row0, col0, height, width = raycast._windows(corners, cameras, side)
    near = (dot(corners - cameras.origin[:, None], cameras.forward[:, None]) < 0.1).any(1)
    return (row0.masked_fill(near, 0), col0.masked_fill(near, 0),
            (row0 + height).masked_fill(near, side), (col0 + width).masked_fill(near, side))


SHADOW_MARGIN = 1e-3
"""How much wider than the shadow's ellipse the rows searched for its pixels reach (the
rounding of the exact light is far smaller)."""


def _shadow_rows(shadow: torch.Tensor, image: torch.Tensor, row: torch.Tensor,
                 first: torch.Tensor, stop: torch.Tensor, side: int
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Narrows rows of the shadows' windows to the columns inside the shadows' ellipses.

    Along a row the functions of ``_shadow_functions`` are linear in the horizontal
    coordinate ``u``, so a ray inside the ellipse, ``(g_x h')^2 + (g_y h')^2 < h'^2`` (with
    ``SHADOW_MARGIN``), lies between the roots of a quadratic in ``u``. Rows where the
    quadratic opens downwards (near the horizon) are kept whole; one more column is kept on
    each side.

    Args:
        shadow: ``[N, 3, 3]`` from ``_shadow_functions``.
        image, row: ``[L]`` long image and image row of each row.
        first, stop: ``[L]`` long first column and last column + 1 of each row.
        side: image side.

    Returns:
        ``(first, stop)`` narrowed (``first >= stop``: nothing to paint).
    """
    table = shadow.reshape(-1, 9).T.to(torch.float64).index_select(1, image).view(3, 3, -1)
    v = pixel_coordinates(side).neg().to(torch.float64).index_select(0, row)
    offset, slope = table[:, 1] * v + table[:, 0], table[:, 2]        # per function, [3, L]
    weight = torch.tensor([-1.0 - SHADOW_MARGIN, 1.0, 1.0], dtype=torch.float64)[:, None]
    a = (weight * slope * slope).sum(0)
    b = (weight * offset * slope).sum(0) * 2.0
    c = (weight * offset * offset).sum(0)
    root = (b * b - 4.0 * a * c).clamp(min=0.0).sqrt()
    # u = (column + 0.5) 2 / R - 1
    low = ((-b - root) / (2.0 * a) + 1.0) * (side / 2.0) - 1.5
    high = ((-b + root) / (2.0 * a) + 1.0) * (side / 2.0) + 0.5
    bounded = a > 0
    inside = bounded & (b * b - 4.0 * a * c > 0)
    low = torch.where(inside, low.floor().clamp(-1.0, side), torch.where(bounded, side, -1.0))
    high = torch.where(inside, high.ceil().clamp(-1.0, side), torch.where(bounded, -1.0, side))
    return (torch.maximum(first, low.long()), torch.minimum(stop, high.long() + 1))


def _sky(hits: Hits, cameras: Cameras, ground: torch.Tensor, axes: torch.Tensor,
         finish: bool) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The colours of the shadows on the sky where rays miss (see ``shade``), for ``Hits``
    with sky codes.

    The table already gives the bare sky where rays miss, and the sky light is exactly 1
    away from the shadow's ellipse, so only rays that miss inside the ellipse are painted:
    the shadows' windows are cut into rows, each row narrowed to the ellipse
    (``_shadow_rows``), the misses found in the keys, and the light computed there.

    Args:
        hits: what every pixel sees.
        cameras: the cameras.
        ground: ``[N]`` height of the ground.
        axes: ``[N, 2]`` half-axes of the shadows.
        finish: map the colours to [-1, 1] (``finished``).

    Returns:
        ``(at, colour)`` pairs: ``[3, P]`` indices into the flattened ``[N, 3, R, R]``
        pictures, and their colours.
    """
    side, painted = hits.key.shape[-1], []
    shadow, strength = _shadow_functions(cameras, ground, axes)
    blue = sky(side).view(3, side) * (2.0 if finish else 1.0)   # see _whole_sky
    first_row, first_col, stop_row, stop_col = _shadow_windows(cameras, ground, axes, side)
    shaded = (strength > 0).nonzero().view(-1)
    which, row = raycast.pixel_rows(first_row, stop_row - first_row, shaded)
    first, stop = _shadow_rows(shadow, which, row, first_col[which], stop_col[which], side)
    width = stop - first
    order = raycast.stable_order(side - width.clamp(0, side))[:int((width > 0).sum())]
    which, row, first, width = which[order], row[order], first[order], width[order]
    # per row: the coefficients of the three functions, and the row's vertical coordinate
    coefficients = shadow.reshape(-1, 9).T.contiguous().index_select(1, which)   # [9, L]
    v = pixel_coordinates(side).neg().index_select(0, row)
    keys, coords = hits.flat, pixel_coordinates(side)
    channels = torch.arange(3)[:, None] * (side * side)
    for start, stop, cols in raycast._batches(width):
        first_cols = first[start:stop].clamp(max=side - cols)
        segments = keys.unfold(0, cols, 1).index_select(
            0, which[start:stop] * hits.stride + row[start:stop] * side + first_cols)  # [L, W]
        # misses, in the row's own columns (not in the padding of the batch)
        columns = torch.arange(cols)
        inside = hits.missed(segments)
        inside &= columns >= (first[start:stop] - first_cols)[:, None]
        inside &= columns < (first[start:stop] + width[start:stop] - first_cols)[:, None]
        lines, col = inside.nonzero(as_tuple=True)
        col += first_cols.index_select(0, lines)
        lines += start
        image_of, row_of = which.index_select(0, lines), row.index_select(0, lines)
        values = linear_values(coefficients.index_select(1, lines).view(3, 3, -1).transpose(0, 1),
                               v.index_select(0, lines), coords.index_select(0, col))
        # where the light is exactly 1 this paints the sky that is already there
        colour = blue.index_select(1, row_of).mul_(
            _light(values, strength.index_select(0, image_of)))
        if finish:
            colour.sub_(1.0)
        at = (image_of * (3 * side) + row_of) * side + col
        painted.append((at + channels, colour))
    return painted


def _whole_sky(image: torch.Tensor, hits: Hits, cameras: Cameras, ground: torch.Tensor,
               axes: torch.Tensor, finish: bool) -> None:
    """Paints the sky, with its shadows, wherever rays miss (for ``Hits`` without sky
    codes): over whole pictures, some at a time (arguments as ``_sky``)."""
    n, side = image.shape[0], image.shape[-1]
    shadow, strength = _shadow_functions(cameras, ground, axes)
    # sky * light lies in [0.5, 0.95], so clamping it changes nothing, and doubling the sky
    # first doubles the product exactly: (2 sky) light - 1 is finished(sky * light)
    blue = sky(side) * (2.0 if finish else 1.0)
    coords = pixel_coordinates(side)
    for start in range(0, n, SHADOW_IMAGES):
        part = slice(start, min(start + SHADOW_IMAGES, n))
        m = part.stop - part.start
        values = linear_values(shadow[part].permute(2, 1, 0)[..., None, None],   # [3, m, R, R]
                               coords.neg()[:, None], coords.expand(side, side))
        light = _light(values, strength[part].view(m, 1, 1)).unsqueeze(1)
        colour = torch.mul(blue, light)
        if finish:
            colour.sub_(1.0)
        picture = image[part]
        torch.where(hits.missed(hits.key[part]).unsqueeze(1), colour, picture, out=picture)


def _light(values: torch.Tensor, strength: torch.Tensor) -> torch.Tensor:
    """The sky light reaching the ground along some rays.

    Args:
        values: ``[3, ...]`` the functions of ``_shadow_functions`` along the rays
            (overwritten).
        strength: the shadows' strengths, broadcast against ``values[0]``.

    Returns:
        ``values[0]``'s shape: the light, exactly 1 away from the shadows' ellipses.
    """
    inv = values[0].clamp_(min=1e-6).reciprocal_()
    gx, gy = values[1].mul_(inv), values[2].mul_(inv)
    inside = gx.mul_(gx).addcmul_(gy, gy).neg_().add_(1.0)
    darkness = inside.clamp_(1e-20, 1.0).sqrt_()
    return darkness.mul_(strength.neg()).add_(1.0)


def sky(resolution: int) -> torch.Tensor:
    """``[1, 3, R, 1]`` the sky's vertical gradient."""
    blend = ((1.0 - pixel_coordinates(resolution)) / 2.0).view(1, 1, resolution, 1)
    top = torch.tensor(SKY_TOP).view(1, 3, 1, 1)
    bottom = torch.tensor(SKY_BOTTOM).view(1, 3, 1, 1)
    return bottom + (top - bottom) * blend
