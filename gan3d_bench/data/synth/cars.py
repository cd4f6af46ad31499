"""Car-like objects: a body, a cabin with sloped windscreens, four wheels, and lights.

Headlights (warm white) and a dark grille mark the front, red tail lights the back, so the
azimuth of a view is identifiable over the full circle. Dimensions are in metres before the
car is normalised into the unit sphere; the ground is at z = 0 in metres. The painted details
(bumpers, grille, lights, windows, hub caps) are decals: flat shapes floating ``DECAL`` in
front of the surface they decorate, drawn but not voxelised.
"""

from __future__ import annotations

import torch

from gan3d_bench.data.synth.scene import Boxes, Cylinders, Discs, Quads, Scene, merge
from gan3d_bench.data.synth.shapes import Frame, Param, hsv_to_rgb, normalise, unit_values

PARAMS = (
    Param("length", 3.6, 5.0),
    Param("width", 1.6, 2.0),
    Param("body_height", 0.45, 0.8),
    Param("cabin_length", 0.40, 0.65),     # fraction of the length
    Param("cabin_height", 0.35, 0.6),
    Param("cabin_offset", -0.14, 0.04),    # fraction of the length, + towards the front
    Param("wheel_radius", 0.28, 0.40),
    Param("windscreen_slope", 0.15, 0.35),  # fraction of the cabin length
    Param("rear_slope", 0.05, 0.35),
    Param("clearance", 0.12, 0.26),
)
_LENGTH, _WIDTH = (next(k for k, p in enumerate(PARAMS) if p.name == name)
                   for name in ("length", "width"))
DEFAULT_ELEVATION = (0.0, 35.0)
WHEEL_WIDTH = 0.24
WHEEL_OUTSET = 0.03        # the wheels stand out of the body's sides by this much
CABIN_NARROWING = 0.9      # cabin width / body width
DECAL = 0.005              # how far decals float in front of the surface they decorate
WINDOW_MARGIN = 0.07       # frame around the windows
PILLAR = 0.04              # half-width of the pillar between the side windows

# material name -> (albedo, glow); the paint's albedo is the car's colour
MATERIALS = {
    "paint": (None, (0.0, 0.0, 0.0)),
    "bumper": ((0.22, 0.22, 0.24), (0.0, 0.0, 0.0)),
    "grille": ((0.12, 0.12, 0.13), (0.0, 0.0, 0.0)),
    "glass": ((0.10, 0.13, 0.19), (0.0, 0.0, 0.0)),
    "tyre": ((0.07, 0.07, 0.08), (0.0, 0.0, 0.0)),
    "hub": ((0.62, 0.63, 0.66), (0.0, 0.0, 0.0)),
    "headlight": ((1.0, 0.96, 0.78), (0.55, 0.53, 0.43)),
    "taillight": ((0.85, 0.04, 0.04), (0.30, 0.01, 0.01)),
}
PAINT, BUMPER, GRILLE, GLASS, TYRE, HUB, HEADLIGHT, TAILLIGHT = range(len(MATERIALS))
_LOOKS = torch.tensor([(albedo or (0.0, 0.0, 0.0)) + glow
                       for albedo, glow in MATERIALS.values()])[None]  # [1, M, 6], no paint


def sample_colours(n: int, generator: torch.Generator) -> torch.Tensor:
    """Body paint: a quarter greys (white to black), the rest coloured.

    Args:
        n: number of cars.
        generator: torch RNG.

    Returns:
        ``[n, 3]`` RGB in [0, 1].
    """
    u = torch.rand(n, 4, generator=generator)
    grey = u[:, 0] < 0.25
    saturation = torch.where(grey, torch.zeros(n), 0.45 + 0.5 * u[:, 2])
    value = torch.where(grey, 0.12 + 0.83 * u[:, 3], 0.35 + 0.6 * u[:, 3])
    return hsv_to_rgb(torch.stack([u[:, 1], saturation, value], dim=1))


def geometry(shape: torch.Tensor) -> dict[str, torch.Tensor]:
    """Derived dimensions in metres, from ``[N, K]`` parameters in [0, 1]."""
    g = unit_values(shape, PARAMS)
    g["cabin_length"] = g["cabin_length"] * g["length"]
    g["cabin_offset"] = g["cabin_offset"] * g["length"]
    g["belt"] = g["clearance"] + g["body_height"]
    g["roof"] = g["belt"] + g["cabin_height"]
    g["cabin_front"] = g["cabin_offset"] + 0.5 * g["cabin_length"]
    g["cabin_back"] = g["cabin_offset"] - 0.5 * g["cabin_length"]
    g["axle"] = 0.5 * g["length"] - 1.55 * g["wheel_radius"]
    g["cabin_width"] = CABIN_NARROWING * g["width"]
    # the windscreens' run per metre of height
    g["front_slope"] = g["windscreen_slope"] * g["cabin_length"] / g["cabin_height"]
    g["back_slope"] = g["rear_slope"] * g["cabin_length"] / g["cabin_height"]
    return g


def _box(x: tuple, y: tuple, z: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    """``([N, 3], [N, 3])`` corners of boxes from ``(low, high)`` ranges along each axis."""
    return torch.stack([x[0], y[0], z[0]], 1), torch.stack([x[1], y[1], z[1]], 1)


def _plane(nx: torch.Tensor, nz: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """``[N, 4]`` the half-space ``nx x + nz z <= d``, scaled to a unit normal."""
    norm = torch.sqrt(nx * nx + nz * nz)
    return torch.stack([nx, torch.zeros_like(nx), nz, d], 1) / norm[:, None]


def _boxes(parts: list, material: tuple[int, ...], planes: list | None = None) -> Boxes:
    """A group of boxes from ``(lo, hi)`` pairs and, per box, a list of ``[N, 4]`` planes."""
    lo = torch.stack([lo for lo, _ in parts], 1)
    cuts = (torch.stack([torch.stack(box, 1) for box in planes], 1) if planes
            else lo.new_zeros(lo.shape[0], len(parts), 0, 4))
    return Boxes(lo=lo, hi=torch.stack([hi for _, hi in parts], 1), planes=cuts,
                 material=material)


def build(shape: torch.Tensor, decals: bool = True) -> tuple[Scene, Frame]:
    """The cars' primitives, normalised into the object frame.

    Args:
        shape: ``[N, K]`` parameters in [0, 1].
        decals: include the painted details (False: only the solid parts, for voxels).

    Returns:
        The ``Scene`` and the ``Frame`` mapping it back to metres.
    """
    n = shape.shape[0]
    g = geometry(shape)
    half_l, half_w, half_cw = 0.5 * g["length"], 0.5 * g["width"], 0.5 * g["cabin_width"]
    belt, roof = g["belt"], g["roof"]
    body = _box((-half_l, half_l), (-half_w, half_w), (g["clearance"], belt))
    cabin = _box((g["cabin_back"], g["cabin_front"]), (-half_cw, half_cw), (belt, roof))
    # sloped windscreens: planes through the cabin's bottom edges, leaning inwards
    ones = torch.ones(n)
    windscreen = _plane(ones, g["front_slope"], g["cabin_front"] + g["front_slope"] * belt)
    rear_screen = _plane(-ones, g["back_slope"], g["back_slope"] * belt - g["cabin_back"])
    r = g["wheel_radius"]
    outer = half_w + WHEEL_OUTSET
    inner = outer - WHEEL_WIDTH
    front_axle = torch.stack([g["axle"], r], 1)
    back_axle = torch.stack([-g["axle"], r], 1)
    centres = torch.stack([front_axle, front_axle, back_axle, back_axle], 1)
    sides = torch.stack([torch.stack([inner, outer], 1), torch.stack([-outer, -inner], 1)], 1)
    groups = [_boxes([cabin], (PAINT,), [[windscreen, rear_screen]]),
              _boxes([body], (PAINT,)),
              Cylinders(centre=centres, radius=r[:, None].expand(n, 4).clone(),
                        y=sides.repeat(1, 2, 1), material=(TYRE,) * 4)]
    if decals:
        groups += _decals(g, windscreen, rear_screen, centres, sides)
    lo = torch.stack([-half_l, -outer, torch.zeros(n)], 1)
    hi = torch.stack([half_l, outer, torch.maximum(roof, 2 * r)], 1)
    return normalise(Scene(merge(groups)), lo, hi)


def _quad(corners: list[torch.Tensor], facing: torch.Tensor) -> torch.Tensor:
    """``[N, 4, 3]`` a flat quadrilateral from four ``[N, 3]`` corners in order around it,
    turned to be seen from the side ``facing`` (``[N, 3]`` or ``[3]``) points to."""
    quad = torch.stack(corners, 1)
    normal = torch.linalg.cross(quad[:, 1] - quad[:, 0], quad[:, 2] - quad[:, 0])
    backwards = ((normal * facing).sum(-1) < 0)[:, None, None]
    return torch.where(backwards, quad.flip(1), quad)


def _panels(axis: int, at: list, first: list, second: list) -> torch.Tensor:
    """``[N, P, 4, 3]`` rectangles on the planes ``x_axis = at`` (0 or 1), facing away from
    the car's centre, spanning ``first`` and ``second`` along the next two axes (cyclically):
    lists of ``P`` tensors ``[N]`` and pairs of them, all built at once."""
    at = torch.stack(at, 1)                                                   # [N, P]
    low, high = (torch.stack(ends, 1) for ends in zip(*first, strict=True))
    bottom, top = (torch.stack(ends, 1) for ends in zip(*second, strict=True))
    a = torch.stack([low, high, high, low], 2)                                # [N, P, 4]
    b = torch.stack([bottom, bottom, top, top], 2)
    level = at[..., None].expand_as(a)
    return _outwards(torch.stack([level, a, b] if axis == 0 else [b, level, a], 3), axis,
                     at.sign())


def _outwards(quad: torch.Tensor, axis: int, sign: torch.Tensor) -> torch.Tensor:
    """``[N, P, 4, 3]`` quadrilaterals on planes across ``axis``, their corners turned so that
    they are seen from the side ``sign`` (``[N, P]`` or ``[N, 1]``, +-1) of the axis."""
    normal = torch.linalg.cross(quad[:, :, 1] - quad[:, :, 0], quad[:, :, 2] - quad[:, :, 0])
    backwards = (normal[..., axis] * sign < 0)[..., None, None]
    return torch.where(backwards, quad.flip(2), quad)


def _decals(g: dict, windscreen: torch.Tensor, rear_screen: torch.Tensor,
            centres: torch.Tensor, sides: torch.Tensor) -> list:
    """The painted details: flat quadrilaterals and discs ``DECAL`` in front of the faces
    they decorate (bumpers, grille, lights, windows, hub caps)."""
    e = DECAL
    half_l, half_w, half_cw = 0.5 * g["length"], 0.5 * g["width"], 0.5 * g["cabin_width"]
    belt, roof = g["belt"], g["roof"]

    def rows(low: float, high: float) -> tuple:
        """Heights as fractions of the body's, from the sill (0) to the belt line (1)."""
        return (g["clearance"] + low * g["body_height"], g["clearance"] + high * g["body_height"])

    nose, tail = half_l + e, -half_l - e
    lamps = rows(0.55, 0.85)
    width = (-half_w, half_w)

    def pair(low: float, high: float) -> list:
        """The two lamps at |y| in [low, high] times the half-width, on a face at x."""
        return [(low * half_w, high * half_w), (-high * half_w, -low * half_w)]

    # on the nose and the tail: bumpers, the grille, the lamps
    ends = _panels(0, [nose, tail, nose, nose, nose, tail, tail],
                   [width, width, (-0.42 * half_w, 0.42 * half_w), *pair(0.55, 0.9),
                    *pair(0.5, 0.92)],
                   [rows(0.0, 0.22)] * 2 + [rows(0.35, 0.8)] + [lamps] * 4)
    # the lamps wrap around the corners, so side views show which end is the front
    flank = [(half_w + e, HEADLIGHT, (half_l - 0.22, half_l)),
             (-half_w - e, HEADLIGHT, (half_l - 0.22, half_l)),
             (half_w + e, TAILLIGHT, (-half_l, 0.18 - half_l)),
             (-half_w - e, TAILLIGHT, (-half_l, 0.18 - half_l))]
    corners = _panels(1, [y for y, _, _ in flank], [lamps] * 4, [x for _, _, x in flank])
    body_material = ((BUMPER, BUMPER, GRILLE) + (HEADLIGHT,) * 2 + (TAILLIGHT,) * 2
                     + tuple(material for _, material, _ in flank))
    # windows: on the cabin's sides inside a frame, split by a pillar; and the windscreens.
    # A window edge or the pillar at height z lies at x = x0 + slope * (z - belt).
    m = WINDOW_MARGIN
    front, back = g["cabin_front"], g["cabin_back"]
    middle = 0.5 * (front + back)
    lean = 0.5 * (g["back_slope"] - g["front_slope"])
    bottom, top = belt + 0.05, roof - m

    def at(x0: torch.Tensor, slope: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return x0 + slope * (z - belt.view(-1, *(1,) * (z.dim() - 1)))

    def point(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return torch.stack([x, y, z], 1)

    # the side windows: [N, 2, 4] x of the corners (bottom, top of the edge, top, bottom of
    # the pillar), the same on both sides
    z = torch.stack([bottom, top, top, bottom], 1)[:, None].expand(-1, 2, -1)   # [N, 2, 4]
    x0 = torch.stack([torch.stack([front - m, front - m, middle + PILLAR, middle + PILLAR], 1),
                      torch.stack([back + m, back + m, middle - PILLAR, middle - PILLAR], 1)], 1)
    slopes = torch.stack([torch.stack([-g["front_slope"]] * 2 + [lean] * 2, 1),
                          torch.stack([g["back_slope"]] * 2 + [lean] * 2, 1)], 1)
    x = at(x0, slopes, z)
    panes = [_outwards(torch.stack([x, y[:, None, None].expand_as(x), z], 3), 1,
                       y.sign()[:, None])
             for y in (half_cw + e, -half_cw - e)]                             # [N, 2, 4, 3]
    screens = []
    across = half_cw - m
    for plane, x0, slope in ((windscreen, front, -g["front_slope"]),
                             (rear_screen, back, g["back_slope"])):
        out = e * plane[:, :3]
        screens.append(_quad([point(at(x0, slope, z), y, z) + out
                              for z, y in ((bottom, -across), (bottom, across), (top, across),
                                           (top, -across))], plane[:, :3]))
    quads = Quads(corners=torch.cat([ends, corners, *panes, torch.stack(screens, 1)], 1),
                  material=body_material + (GLASS,) * 6)
    # hub caps on both sides of every wheel: first the caps facing +y, then those facing -y
    wheel_y = sides.repeat(1, 2, 1)                                            # [N, 4, 2]
    x, z = centres[..., 0].repeat(1, 2), centres[..., 1].repeat(1, 2)
    hub_y = torch.cat([wheel_y[..., 1] + e, wheel_y[..., 0] - e], 1)
    facing = torch.cat([torch.ones_like(wheel_y[..., 0]), -torch.ones_like(wheel_y[..., 0])], 1)
    hubs = Discs(centre=torch.stack([x, hub_y, z], 2),
                 radius=0.55 * g["wheel_radius"][:, None].expand(-1, 8), facing=facing,
                 material=(HUB,) * 8)
    return [quads, hubs]


def palette(colour: torch.Tensor) -> torch.Tensor:
    """Per-car materials: albedo (3) and glow (3) of each ``MATERIALS`` entry.

    Args:
        colour: ``[N, 3]`` body paint.

    Returns:
        ``[N, M, 6]``.
    """
    table = _LOOKS.expand(colour.shape[0], -1, -1).clone()
    table[:, 0, :3] = colour
    return table


def shadow(shape: torch.Tensor, frame: Frame) -> tuple[torch.Tensor, torch.Tensor]:
    """The ground's height and the shadow's half-axes (x, y), in the object frame.

    Args:
        shape: ``[N, K]`` parameters.
        frame: the cars' placement.

    Returns:
        ``([N], [N, 2])``.
    """
    length, width = (PARAMS[k].value(shape[:, k]) for k in (_LENGTH, _WIDTH))
    ground = -frame.centre[:, 2] * frame.scale
    axes = torch.stack([0.56 * length, 0.62 * width], 1) * frame.scale[:, None]
    return ground, axes
