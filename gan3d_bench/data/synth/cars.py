"""Car-like objects: a body, a cabin with sloped windscreens, four wheels, and lights.

Headlights (warm white) and a dark grille mark the front, red tail lights the back, so the
azimuth of a view is identifiable over the full circle. Dimensions are in metres before the
car is normalised into the unit sphere; the ground is at z = 0 in metres.
"""

from __future__ import annotations

import torch

from gan3d_bench.data.synth.raycast import Scene
from gan3d_bench.data.synth.shading import Surface
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
DEFAULT_ELEVATION = (0.0, 35.0)
CLIPPED_BOXES = 1          # the cabin
CABIN, BODY = 0, 1         # box numbers (clipped boxes come first)
FIRST_WHEEL = 2            # primitives 2..5 are the wheels
WHEEL_WIDTH = 0.24
WHEEL_OUTSET = 0.03        # the wheels stand out of the body's sides by this much
CABIN_NARROWING = 0.9      # cabin width / body width

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
    return g


def build(shape: torch.Tensor) -> tuple[Scene, Frame]:
    """The cars' primitives, normalised into the object frame.

    Args:
        shape: ``[N, K]`` parameters in [0, 1].

    Returns:
        The ``Scene`` and the ``Frame`` mapping it back to metres.
    """
    n = shape.shape[0]
    g = geometry(shape)
    zeros = torch.zeros(n)
    half_l, half_w = 0.5 * g["length"], 0.5 * g["width"]
    body_lo = torch.stack([-half_l, -half_w, g["clearance"]], 1)
    body_hi = torch.stack([half_l, half_w, g["belt"]], 1)
    half_cw = 0.5 * g["cabin_width"]
    cabin_lo = torch.stack([g["cabin_back"], -half_cw, g["belt"]], 1)
    cabin_hi = torch.stack([g["cabin_front"], half_cw, g["roof"]], 1)
    # sloped windscreens: planes through the cabin's bottom edges, leaning inwards
    run_front = g["windscreen_slope"] * g["cabin_length"]
    run_back = g["rear_slope"] * g["cabin_length"]
    front_n = torch.stack([g["cabin_height"], zeros, run_front], 1)
    back_n = torch.stack([-g["cabin_height"], zeros, run_back], 1)
    front_n = front_n / front_n.norm(dim=1, keepdim=True)
    back_n = back_n / back_n.norm(dim=1, keepdim=True)
    front_d = front_n[:, 0] * g["cabin_front"] + front_n[:, 2] * g["belt"]
    back_d = back_n[:, 0] * g["cabin_back"] + back_n[:, 2] * g["belt"]
    clip = torch.stack([torch.cat([front_n, front_d[:, None]], 1),
                        torch.cat([back_n, back_d[:, None]], 1)], 1)[:, None]  # [N, 1, 2, 4]
    r = g["wheel_radius"]
    axle = g["axle"]
    centres = torch.stack([torch.stack([axle, r], 1), torch.stack([axle, r], 1),
                           torch.stack([-axle, r], 1), torch.stack([-axle, r], 1)], 1)
    outer = half_w + WHEEL_OUTSET
    inner = outer - WHEEL_WIDTH
    left = torch.stack([inner, outer], 1)
    right = torch.stack([-outer, -inner], 1)
    scene = Scene(box_lo=torch.stack([cabin_lo, body_lo], 1),
                  box_hi=torch.stack([cabin_hi, body_hi], 1),
                  clip=clip, cyl_centre=centres, cyl_radius=r[:, None].expand(n, 4).clone(),
                  cyl_y=torch.stack([left, right, left, right], 1))
    lo = torch.stack([-half_l, -outer, zeros], 1)
    hi = torch.stack([half_l, outer, torch.maximum(g["roof"], 2 * r)], 1)
    return normalise(scene, lo, hi)


def _within(x: torch.Tensor, lo, hi) -> torch.Tensor:
    return (x >= lo) & (x <= hi)


def palette(colour: torch.Tensor) -> torch.Tensor:
    """Per-car materials: albedo (3) and glow (3) of each ``MATERIALS`` entry.

    Args:
        colour: ``[N, 3]`` body paint.

    Returns:
        ``[N, M, 6]``.
    """
    n = colour.shape[0]
    table = torch.zeros(n, len(MATERIALS), 6)
    for k, (albedo, glow) in enumerate(MATERIALS.values()):
        if albedo is not None:
            table[:, k, :3] = torch.tensor(albedo)
        table[:, k, 3:] = torch.tensor(glow)
    table[:, 0, :3] = colour
    return table


def paint(surface: Surface, frame: Frame, shape: torch.Tensor) -> torch.Tensor:
    """Which material every pixel shows: paint, glass, tyres and hubs, grille, bumpers, lights.

    Args:
        surface: what every pixel sees.
        frame: the placement of the cars in the object frame.
        shape: ``[N, K]`` parameters.

    Returns:
        ``[N, R, R]`` long indices into ``MATERIALS`` (later entries win).
    """
    n = surface.points.shape[0]
    g = {k: v.view(n, 1, 1) for k, v in geometry(shape).items()}
    p = frame.to_metres(surface.points)
    x, y, z = p[:, 0], p[:, 1], p[:, 2]
    ay = y.abs()
    body, cabin = surface.primitive == BODY, surface.primitive == CABIN
    face = surface.face
    wheel = surface.primitive >= FIRST_WHEEL
    height = (z - g["clearance"]) / g["body_height"]     # 0 at the sill, 1 at the belt line
    half_w = 0.5 * g["width"]
    front, back = body & (face == 0), body & (face == 1)
    lamp_rows = _within(height, 0.55, 0.85)
    # the lamps wrap around the corners, so side views show which end is the front
    flank = body & ((face == 2) | (face == 3)) & lamp_rows
    half_l = 0.5 * g["length"]
    # windows: the cabin's sides and windscreens, inside a frame of pillars
    margin = 0.07
    rise = ((z - g["belt"]) / g["cabin_height"]).clamp(0.0, 1.0)
    front_edge = g["cabin_front"] - g["windscreen_slope"] * g["cabin_length"] * rise
    back_edge = g["cabin_back"] + g["rear_slope"] * g["cabin_length"] * rise
    rows = _within(z, g["belt"] + 0.05, g["roof"] - margin)
    pillar = (x - 0.5 * (front_edge + back_edge)).abs() < 0.04
    side_window = cabin & ((face == 2) | (face == 3)) & rows & \
        _within(x, back_edge + margin, front_edge - margin) & ~pillar
    screen = cabin & (face >= 6) & rows & (ay < 0.5 * g["cabin_width"] - margin)
    axle = torch.where(x > 0, g["axle"], -g["axle"])
    hub = wheel & ((face == 2) | (face == 3)) & (
        (x - axle) ** 2 + (z - g["wheel_radius"]) ** 2 < (0.55 * g["wheel_radius"]) ** 2)
    masks = {
        "bumper": (front | back) & (height < 0.22),
        "grille": front & _within(height, 0.35, 0.8) & (ay < 0.42 * half_w),
        "glass": side_window | screen,
        "tyre": wheel,
        "hub": hub,
        "headlight": (front & lamp_rows & _within(ay, 0.55 * half_w, 0.9 * half_w))
        | (flank & (x > half_l - 0.22)),
        "taillight": (back & lamp_rows & _within(ay, 0.5 * half_w, 0.92 * half_w))
        | (flank & (x < 0.18 - half_l)),
    }
    material = torch.zeros(surface.primitive.shape, dtype=torch.uint8)
    for k, name in enumerate(MATERIALS):
        if name in masks:
            material.masked_fill_(masks[name], k)
    return material.long()


def shadow(shape: torch.Tensor, frame: Frame) -> tuple[torch.Tensor, torch.Tensor]:
    """The ground's height and the shadow's half-axes (x, y), in the object frame.

    Args:
        shape: ``[N, K]`` parameters.
        frame: the cars' placement.

    Returns:
        ``([N], [N, 2])``.
    """
    g = geometry(shape)
    ground = -frame.centre[:, 2] * frame.scale
    axes = torch.stack([0.56 * g["length"], 0.62 * g["width"]], 1) * frame.scale[:, None]
    return ground, axes
