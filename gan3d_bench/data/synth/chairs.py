"""Chairs: a seat on four legs, a backrest that may lean back, and optional arms.

Every part is a box; the backrest is cut by two parallel planes so it can lean. The front of
a chair (the side you sit down from) faces +x, so azimuth 0 looks at the seat with the
backrest behind it. Dimensions are in metres; the floor is at z = 0.
"""

from __future__ import annotations

import torch

from gan3d_bench.data.synth.raycast import Scene
from gan3d_bench.data.synth.shading import Surface
from gan3d_bench.data.synth.shapes import Frame, Param, hsv_to_rgb, normalise, unit_values

PARAMS = (
    Param("seat_width", 0.40, 0.62),
    Param("seat_depth", 0.40, 0.58),
    Param("seat_height", 0.38, 0.52),      # top of the seat above the floor
    Param("seat_thickness", 0.03, 0.10),
    Param("back_height", 0.30, 0.65),      # above the seat
    Param("back_thickness", 0.025, 0.07),
    Param("back_tilt", 0.0, 18.0),         # degrees from vertical
    Param("leg_thickness", 0.03, 0.07),
    Param("arms", 0.0, 1.0),               # the chair has arms when this is above ARMS_ABOVE
    Param("arm_height", 0.16, 0.26),       # above the seat
)
ARMS_ABOVE = 0.6
# Chairs get a wider elevation range than cars (HoloGAN trains its chairs with 160 degrees
# of elevation). From below -20 degrees a chair shows little but the underside of its seat,
# and towards +90 the azimuth of a view becomes ambiguous; -20..70 keeps every view readable.
DEFAULT_ELEVATION = (-20.0, 70.0)
BACK, SEAT = 0, 1          # box numbers (the clipped backrest comes first)
FIRST_LEG, FIRST_ARM = 2, 6
ARM_WIDTH = 0.05
# material name -> (albedo, glow); the chair's colour is the upholstery's
MATERIALS = {
    "upholstery": (None, (0.0, 0.0, 0.0)),
    "frame": (None, (0.0, 0.0, 0.0)),
}
FRAME_SHADE = 0.55


def sample_colours(n: int, generator: torch.Generator) -> torch.Tensor:
    """Chair colours: half wood tones, half any hue.

    Args:
        n: number of chairs.
        generator: torch RNG.

    Returns:
        ``[n, 3]`` RGB in [0, 1].
    """
    u = torch.rand(n, 4, generator=generator)
    wood = u[:, 0] < 0.5
    hue = torch.where(wood, 0.05 + 0.06 * u[:, 1], u[:, 1])
    saturation = torch.where(wood, 0.45 + 0.35 * u[:, 2], 0.25 + 0.65 * u[:, 2])
    value = torch.where(wood, 0.35 + 0.45 * u[:, 3], 0.25 + 0.7 * u[:, 3])
    return hsv_to_rgb(torch.stack([hue, saturation, value], dim=1))


def geometry(shape: torch.Tensor) -> dict[str, torch.Tensor]:
    """Dimensions in metres from ``[N, K]`` parameters in [0, 1]."""
    g = unit_values(shape, PARAMS)
    g["has_arms"] = (shape[:, 8] > ARMS_ABOVE).to(torch.float32)
    g["lean"] = torch.tan(torch.deg2rad(g["back_tilt"]))
    return g


def _box(lo: list, hi: list) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.stack(lo, 1), torch.stack(hi, 1)


def build(shape: torch.Tensor) -> tuple[Scene, Frame]:
    """The chairs' primitives, normalised into the object frame.

    Args:
        shape: ``[N, K]`` parameters in [0, 1].

    Returns:
        The ``Scene`` and the ``Frame`` mapping it back to metres.
    """
    n = shape.shape[0]
    g = geometry(shape)
    zeros = torch.zeros(n)
    hd, hw = 0.5 * g["seat_depth"], 0.5 * g["seat_width"]
    top, bottom = g["seat_height"], g["seat_height"] - g["seat_thickness"]
    lean, tb = g["lean"], g["back_thickness"]
    back_top = top + g["back_height"]
    boxes = [
        _box([-hd - g["back_height"] * lean, -hw, top], [-hd + tb, hw, back_top]),   # back
        _box([-hd, -hw, bottom], [hd, hw, top]),                                     # seat
    ]
    tl = g["leg_thickness"]
    for x_lo in (-hd, hd - tl):
        for y_lo in (-hw, hw - tl):
            boxes.append(_box([x_lo, y_lo, zeros], [x_lo + tl, y_lo + tl, bottom]))
    # arms: a rest and a front post on each side; absent arms are empty boxes in the seat
    arm_top = top + g["arm_height"]
    has = g["has_arms"]
    for side in (-1.0, 1.0):
        y_out = side * hw
        y_in = side * (hw - ARM_WIDTH)
        y_lo, y_hi = torch.minimum(y_out, y_in), torch.maximum(y_out, y_in)
        rest = _box([-hd + tb, y_lo, arm_top - 0.04], [hd, y_hi, arm_top])
        post = _box([hd - 0.06, y_lo, top], [hd - 0.01, y_hi, arm_top - 0.04])
        for lo, hi in (rest, post):
            centre = torch.stack([zeros, zeros, bottom + 0.5 * g["seat_thickness"]], 1)
            keep = has[:, None]
            boxes.append((keep * lo + (1 - keep) * centre, keep * hi + (1 - keep) * centre))
    # the backrest's front and rear faces lean back by back_tilt
    norm = torch.sqrt(1.0 + lean * lean)
    front = torch.stack([1.0 / norm, zeros, lean / norm, (-hd + tb + top * lean) / norm], 1)
    rear = torch.stack([-1.0 / norm, zeros, -lean / norm, (hd - top * lean) / norm], 1)
    scene = Scene(box_lo=torch.stack([lo for lo, _ in boxes], 1),
                  box_hi=torch.stack([hi for _, hi in boxes], 1),
                  clip=torch.stack([front, rear], 1)[:, None],
                  cyl_centre=torch.zeros(n, 0, 2), cyl_radius=torch.zeros(n, 0),
                  cyl_y=torch.zeros(n, 0, 2))
    lo = torch.stack([-hd - g["back_height"] * lean, -hw, zeros], 1)
    hi = torch.stack([hd, hw, torch.maximum(back_top, arm_top)], 1)
    return normalise(scene, lo, hi)


def palette(colour: torch.Tensor) -> torch.Tensor:
    """Per-chair materials: upholstery in the chair's colour, a darker frame.

    Args:
        colour: ``[N, 3]`` the chair's colour.

    Returns:
        ``[N, 2, 6]`` albedo and glow per material.
    """
    table = torch.zeros(colour.shape[0], len(MATERIALS), 6)
    table[:, 0, :3] = colour
    table[:, 1, :3] = colour * FRAME_SHADE
    return table


def paint(surface: Surface, frame: Frame, shape: torch.Tensor) -> torch.Tensor:
    """Seat and backrest in the chair's colour, legs and arms darker.

    Args:
        surface: what every pixel sees.
        frame: the chairs' placement (unused: materials follow the parts).
        shape: ``[N, K]`` parameters.

    Returns:
        ``[N, R, R]`` long indices into ``MATERIALS``.
    """
    return (surface.primitive >= FIRST_LEG).long()


def shadow(shape: torch.Tensor, frame: Frame) -> tuple[torch.Tensor, torch.Tensor]:
    """The floor's height and the shadow's half-axes (x, y), in the object frame."""
    g = geometry(shape)
    ground = -frame.centre[:, 2] * frame.scale
    axes = torch.stack([0.75 * g["seat_depth"], 0.75 * g["seat_width"]], 1)
    return ground, axes * frame.scale[:, None]


