"""Shared pieces of the object families: parameter ranges, colours, normalising a scene."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.data.synth.raycast import Scene

FIT_RADIUS = 1.0
"""Objects are scaled so that their bounding box fits in a sphere of this radius."""


@dataclass(frozen=True)
class Param:
    """One shape parameter: its name and the physical range its [0, 1] value maps to."""

    name: str
    low: float
    high: float

    def value(self, unit: torch.Tensor) -> torch.Tensor:
        """Maps a [0, 1] value to the physical range."""
        return self.low + (self.high - self.low) * unit


@dataclass
class Frame:
    """How a family's metric model was placed in the normalised object frame.

    ``normalised = (metres - centre) * scale``.

    Attributes:
        centre: ``[N, 3]`` bounding-box centre in metres.
        scale: ``[N]`` metres to object-frame units.
    """

    centre: torch.Tensor
    scale: torch.Tensor

    def to_metres(self, points: torch.Tensor) -> torch.Tensor:
        """``[N, 3, ...]`` object-frame points back to metres."""
        shape = (points.shape[0], 3) + (1,) * (points.dim() - 2)
        return points / self.scale.view(shape[0], *(1,) * (points.dim() - 1)) + \
            self.centre.view(shape)


def unit_values(shape: torch.Tensor, params: tuple[Param, ...]) -> dict[str, torch.Tensor]:
    """Physical values of every parameter, by name.

    Args:
        shape: ``[N, K]`` parameters in [0, 1].
        params: the family's ``K`` parameters.

    Returns:
        name -> ``[N]`` values.
    """
    return {p.name: p.value(shape[:, k]) for k, p in enumerate(params)}


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    """``[N, 3]`` HSV in [0, 1] to RGB in [0, 1]."""
    h, s, v = hsv.unbind(1)
    k = torch.stack([(5.0 + h * 6.0) % 6.0, (3.0 + h * 6.0) % 6.0, (1.0 + h * 6.0) % 6.0], 1)
    weight = torch.minimum(k, 4.0 - k).clamp(0.0, 1.0)
    return v[:, None] - (v * s)[:, None] * weight


def normalise(scene: Scene, lo: torch.Tensor, hi: torch.Tensor) -> tuple[Scene, Frame]:
    """Centres a metric scene on its bounding box and scales it into the unit sphere.

    Args:
        scene: primitives in metres.
        lo: ``[N, 3]`` lower corner of the bounding box.
        hi: ``[N, 3]`` upper corner.

    Returns:
        The scene in the object frame and the ``Frame`` that maps it back.
    """
    centre = 0.5 * (lo + hi)
    scale = FIT_RADIUS / (0.5 * (hi - lo)).norm(dim=1)
    c3, s1 = centre[:, None, :], scale[:, None, None]
    clip = scene.clip.clone()
    if clip.shape[1]:
        # n . (x/s + c) <= d  <=>  n . x <= (d - n . c) * s
        normal = clip[..., :3]
        clip[..., 3] = (clip[..., 3] - (normal * centre[:, None, None, :]).sum(-1)) * \
            scale[:, None, None]
    normalised = Scene(box_lo=(scene.box_lo - c3) * s1, box_hi=(scene.box_hi - c3) * s1,
                       clip=clip,
                       cyl_centre=(scene.cyl_centre - centre[:, None, [0, 2]]) * s1,
                       cyl_radius=scene.cyl_radius * scale[:, None],
                       cyl_y=(scene.cyl_y - centre[:, None, 1:2]) * s1)
    return normalised, Frame(centre=centre, scale=scale)
