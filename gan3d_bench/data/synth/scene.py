"""What the renderer draws: groups of boxes (optionally cut by planes), cylinders, and flat
decals.

An object is a fixed list of convex primitives in its object frame. Primitives of one type
(and, for boxes, one number of cutting planes) form a group, batched over the objects, so the
ray caster handles a whole group with one set of tensor operations. Every primitive has one
material (an index into its family's ``MATERIALS``); painted details such as lights and
windows are decals: flat quadrilaterals and discs floating just in front of the surface they
decorate, drawn but not voxelised.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Boxes:
    """Axis-aligned boxes, each optionally cut by planes: ``K`` boxes per object.

    Attributes:
        lo: ``[N, K, 3]`` lower corners (a box with ``lo == hi`` is absent).
        hi: ``[N, K, 3]`` upper corners.
        planes: ``[N, K, P, 4]`` planes ``(nx, ny, nz, d)`` with unit normals that cut the
            boxes to ``n . x <= d``; ``P`` may be 0.
        material: ``K`` material numbers.
    """

    lo: torch.Tensor
    hi: torch.Tensor
    planes: torch.Tensor
    material: tuple[int, ...]

    def bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``([N, K, 3], [N, K, 3])`` corners of boxes that contain the primitives."""
        return self.lo, self.hi

    def placed(self, centre: torch.Tensor, scale: torch.Tensor) -> Boxes:
        """The boxes moved to ``(x - centre) * scale``.

        Args:
            centre: ``[N, 3]``.
            scale: ``[N]``.

        Returns:
            New ``Boxes``.
        """
        c, s = centre[:, None, :], scale[:, None, None]
        normal = self.planes[..., :3]
        # n . x <= d  <=>  n . (x - c) * s <= (d - n . c) * s
        d = (self.planes[..., 3] - (normal * centre[:, None, None, :]).sum(-1)) * s
        return Boxes(lo=(self.lo - c) * s, hi=(self.hi - c) * s,
                     planes=torch.cat([normal, d[..., None]], -1), material=self.material)


@dataclass
class Cylinders:
    """Cylinders with axes parallel to y: ``K`` per object.

    Attributes:
        centre: ``[N, K, 2]`` (x, z) of the axes.
        radius: ``[N, K]`` radii.
        y: ``[N, K, 2]`` (low, high) extents along the axis.
        material: ``K`` material numbers.
    """

    centre: torch.Tensor
    radius: torch.Tensor
    y: torch.Tensor
    material: tuple[int, ...]

    def bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``([N, K, 3], [N, K, 3])`` corners of boxes that contain the cylinders."""
        r = self.radius[..., None]
        x, z = self.centre[..., :1], self.centre[..., 1:]
        lo = torch.cat([x - r, self.y[..., :1], z - r], -1)
        hi = torch.cat([x + r, self.y[..., 1:], z + r], -1)
        return lo, hi

    def placed(self, centre: torch.Tensor, scale: torch.Tensor) -> Cylinders:
        """The cylinders moved to ``(x - centre) * scale`` (see ``Boxes.placed``)."""
        s = scale[:, None, None]
        return Cylinders(centre=(self.centre - centre[:, None, [0, 2]]) * s,
                         radius=self.radius * scale[:, None],
                         y=(self.y - centre[:, None, 1:2]) * s, material=self.material)


@dataclass
class Quads:
    """Flat convex quadrilaterals, seen only from the side their corners turn anticlockwise
    on: ``K`` per object.

    Attributes:
        corners: ``[N, K, 4, 3]`` corners, anticlockwise seen from the front.
        material: ``K`` material numbers.
    """

    corners: torch.Tensor
    material: tuple[int, ...]

    def bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``([N, K, 3], [N, K, 3])`` corners of boxes that contain the quadrilaterals."""
        return self.corners.amin(2), self.corners.amax(2)

    def placed(self, centre: torch.Tensor, scale: torch.Tensor) -> Quads:
        """The quadrilaterals moved to ``(x - centre) * scale`` (see ``Boxes.placed``)."""
        return Quads(corners=(self.corners - centre[:, None, None]) * scale[:, None, None, None],
                     material=self.material)


@dataclass
class Discs:
    """Flat discs facing along +y or -y: ``K`` per object.

    Attributes:
        centre: ``[N, K, 3]`` centres.
        radius: ``[N, K]`` radii.
        facing: ``[N, K]`` +1 (facing +y) or -1.
        material: ``K`` material numbers.
    """

    centre: torch.Tensor
    radius: torch.Tensor
    facing: torch.Tensor
    material: tuple[int, ...]

    def bounds(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``([N, K, 3], [N, K, 3])`` corners of boxes that contain the discs."""
        r = self.radius[..., None] * torch.tensor([1.0, 0.0, 1.0])
        return self.centre - r, self.centre + r

    def placed(self, centre: torch.Tensor, scale: torch.Tensor) -> Discs:
        """The discs moved to ``(x - centre) * scale`` (see ``Boxes.placed``)."""
        return Discs(centre=(self.centre - centre[:, None]) * scale[:, None, None],
                     radius=self.radius * scale[:, None], facing=self.facing,
                     material=self.material)


Group = Boxes | Cylinders | Quads | Discs


def _kind(group: Group) -> tuple:
    return (type(group),) + ((group.planes.shape[2],) if isinstance(group, Boxes) else ())


def _join(parts: list[Group]) -> Group:
    """One group from groups of the same kind (their tensors joined along K)."""
    first = parts[0]
    fields = {name: torch.cat([getattr(part, name) for part in parts], 1)
              for name, value in vars(first).items() if isinstance(value, torch.Tensor)}
    fields["material"] = sum((part.material for part in parts), ())
    return type(first)(**fields)


def merge(groups: list[Group]) -> tuple[Group, ...]:
    """Joins groups of the same type (and, for boxes, as many planes), in order of first
    appearance, so that the ray caster handles fewer, larger groups.

    Args:
        groups: groups of the same objects.

    Returns:
        One group per kind.
    """
    kinds: dict[tuple, list[Group]] = {}
    for group in groups:
        kinds.setdefault(_kind(group), []).append(group)
    return tuple(_join(parts) if len(parts) > 1 else parts[0] for parts in kinds.values())


@dataclass
class Scene:
    """A batch of objects: groups of primitives, numbered in order from 1.

    Attributes:
        groups: the groups; primitive numbers run through them in order (the first group's
            ``K`` primitives are 1..K, and so on; 0 means no primitive).
    """

    groups: tuple[Group, ...]

    @property
    def num_objects(self) -> int:
        """Objects in the batch."""
        return self.groups[0].bounds()[0].shape[0]

    @property
    def num_primitives(self) -> int:
        """Primitives per object."""
        return sum(len(group.material) for group in self.groups)

    def numbered(self):
        """Yields ``(first primitive number, group)`` for every group."""
        first = 1
        for group in self.groups:
            yield first, group
            first += len(group.material)

    def placed(self, centre: torch.Tensor, scale: torch.Tensor) -> Scene:
        """Every group moved to ``(x - centre) * scale``.

        Args:
            centre: ``[N, 3]``.
            scale: ``[N]``.

        Returns:
            The new ``Scene``.
        """
        return Scene(tuple(group.placed(centre, scale) for group in self.groups))
