"""Procedural 3D objects with ground truth: cars and chairs, rendered and voxelised in torch.

The Python API shared across gan3d-bench:

* ``sample_shapes(kind, n, generator)`` draws ``n`` objects of a family (``"cars"`` or
  ``"chairs"``): ``{"shape": [n, K] parameters in [0, 1], "colour": [n, 3] RGB in [0, 1]}``.
* ``render(kind, shapes, pose, resolution)`` renders them at poses ``[n, 2]`` (azimuth,
  elevation in degrees) to ``[n, 3, R, R]`` images in [-1, 1].
* ``voxelize(kind, shapes, resolution)`` gives their occupancy, ``[n, 1, R, R, R]`` in {0, 1}.

Frames and conventions (see ``camera.py``): the object frame has x to the object's front,
y to its left, z up, the origin at the centre of its bounding box, and the object inside the
unit sphere. Azimuth 0 looks at the front (a car's headlights); azimuth grows anticlockwise
seen from above; elevation > 0 looks down on the object. Voxel ``[..., i, j, k]`` is the cube
centred at ``(x, y, z) = (c(k), c(j), c(i))`` with ``c(m) = -1 + (m + 0.5) * 2 / R``: the
layout of ``torch.nn.functional.grid_sample`` with ``align_corners=False``, so a grid of
object-frame points samples the voxels directly.
"""

from __future__ import annotations

from types import ModuleType

import torch
import torch.nn.functional as F

from gan3d_bench.data.synth import cars, chairs
from gan3d_bench.data.synth.camera import cameras_from_pose
from gan3d_bench.data.synth.raycast import cast_rays
from gan3d_bench.data.synth.shading import finished, shade
from gan3d_bench.data.synth.voxels import occupancy

FAMILIES: dict[str, ModuleType] = {"cars": cars, "chairs": chairs}
KINDS = tuple(FAMILIES)
PIXELS_PER_CHUNK = 2 ** 23
"""Pixels rendered at a time: bounds the memory a call to ``render`` takes (about 6 bytes a
pixel besides the pictures)."""


def family(kind: str) -> ModuleType:
    """The module that defines an object family.

    Args:
        kind: ``"cars"`` or ``"chairs"``.

    Returns:
        The family's module (``PARAMS``, ``DEFAULT_ELEVATION``, ``build``, ``paint``...).

    Raises:
        ValueError: an unknown kind.
    """
    try:
        return FAMILIES[kind]
    except KeyError:
        raise ValueError(f"unknown object kind {kind!r}; kinds are {', '.join(KINDS)}") from None


def shape_names(kind: str) -> tuple[str, ...]:
    """Names of the columns of a family's ``"shape"`` parameters.

    Args:
        kind: ``"cars"`` or ``"chairs"``.

    Returns:
        ``K`` names.
    """
    return tuple(p.name for p in family(kind).PARAMS)


def sample_shapes(kind: str, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Draws random objects of a family.

    Args:
        kind: ``"cars"`` or ``"chairs"``.
        n: number of objects.
        generator: torch RNG (CPU); the global RNG is never used.

    Returns:
        ``{"shape": [n, K] float32 in [0, 1], "colour": [n, 3] float32 in [0, 1]}``.
    """
    module = family(kind)
    shape = torch.rand(n, len(module.PARAMS), generator=generator)
    return {"shape": shape, "colour": module.sample_colours(n, generator)}


@torch.no_grad()
def render(kind: str, shapes: dict[str, torch.Tensor], pose: torch.Tensor, resolution: int,
           antialias: int = 1, return_mask: bool = False):
    """Renders objects at given poses.

    Args:
        kind: ``"cars"`` or ``"chairs"``.
        shapes: ``{"shape": [n, K], "colour": [n, 3]}`` from ``sample_shapes``.
        pose: ``[n, 2]`` (azimuth, elevation) in degrees.
        resolution: image side (32 to 128 is the tested range).
        antialias: render at ``antialias`` times the resolution and average down.
        return_mask: also return the objects' coverage.

    Returns:
        ``[n, 3, R, R]`` float32 images in [-1, 1]; with ``return_mask``, also
        ``[n, 1, R, R]`` coverage in [0, 1].
    """
    module = family(kind)
    shape = shapes["shape"].to(torch.float32)
    colour = shapes["colour"].to(torch.float32)
    pose = pose.to(torch.float32)
    n = shape.shape[0]
    if pose.shape != (n, 2) or colour.shape != (n, 3):
        raise ValueError(f"render: {n} shapes need pose [{n}, 2] and colour [{n}, 3], not "
                         f"{list(pose.shape)} and {list(colour.shape)}")
    side = int(resolution) * int(antialias)
    chunk = max(1, PIXELS_PER_CHUNK // (side * side))
    images = torch.empty(n, 3, resolution, resolution)
    masks = torch.empty(n, 1, resolution, resolution)
    for start in range(0, n, chunk):
        part = slice(start, min(start + chunk, n))
        scene, frame = module.build(shape[part])
        cameras = cameras_from_pose(pose[part])
        # without supersampling the keys live in the pictures' memory (shade overwrites them)
        hits = cast_rays(scene, cameras, side, images[part] if antialias == 1 else None)
        if return_mask:
            mask = hits.coverage()
            masks[part] = F.avg_pool2d(mask, antialias) if antialias > 1 else mask
        looks, shadow = module.palette(colour[part]), module.shadow(shape[part], frame)
        if antialias > 1:   # colours are averaged before they are clamped
            image = shade(scene, cameras, hits, looks, *shadow)
            images[part] = finished(F.avg_pool2d(image, antialias))
        else:
            shade(scene, cameras, hits, looks, *shadow, out=images[part], finish=True)
    return (images, masks) if return_mask else images


@torch.no_grad()
def voxelize(kind: str, shapes: dict[str, torch.Tensor], resolution: int) -> torch.Tensor:
    """Occupancy grids of objects, aligned with the rendering's object frame.

    The grid spans the cube [-1, 1]^3 of the object frame; cell ``[z, y, x]`` is occupied
    when its centre lies inside a part (parts thinner than a cell are widened to one cell).

    Args:
        kind: ``"cars"`` or ``"chairs"``.
        shapes: ``{"shape": [n, K], ...}`` from ``sample_shapes``.
        resolution: cells per side (32 and 64 are the usual sizes).

    Returns:
        ``[n, 1, R, R, R]`` float32 in {0, 1}.
    """
    scene, _ = family(kind).build(shapes["shape"].to(torch.float32), decals=False)
    return occupancy(scene, int(resolution))
