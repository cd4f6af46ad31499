"""Our pose convention, the paper's view parameters, and pose sampling: all in one place.

Our convention (the whole suite's, ``gan3d_bench.data.synth``): a pose is (azimuth,
elevation) in degrees; azimuth 0 puts the camera in front of the object and grows
anticlockwise seen from above; elevation 0 puts the camera at the object's height, positive
above it.

The paper's code describes a view by ``[azimuth, elevation, scale, tx, ty, tz]`` in radians,
sampled as ``azimuth = deg`` and ``elevation = 90 - deg`` (so its "elevation degrees" are a
polar angle). Its rigid transform rotates the feature volume by ``R_Z(elevation) ·
R_Y(azimuth - 90°)`` (``gan3d_hologan.rotation``), and the projection shows rows = -y,
columns = +z and folds the x axis (depth) into channels. A right-handed camera with
right = +z and up = +y looks along +x, so small x is the near side, and:

* ``R_Y(a)`` turns the object clockwise seen from above for a > 0, that is, the camera goes
  anticlockwise around it, as our azimuth does;
* ``R_Z(e)`` with e > 0 tilts the object's top towards +x (away from the camera), so a camera
  above the object is a *negative* paper elevation.

Hence the mapping, used by the generator and nowhere else:

    paper azimuth   = radians(our azimuth + 90)   (so the effective turn R_Y(a) has a = ours)
    paper elevation = radians(-our elevation)      (paper "elevation degrees" = 90 + ours)

What the network learns decides which object direction faces the camera at azimuth 0 (an
unsupervised GAN has no reason to agree with the data's zero) and, in principle, which end of
the depth axis is near (the projection unit is learned). The asymmetric elevation ranges of
cars and chairs (camera above only) favour the near side assumed here, and with it our
direction of azimuth; a learned mirror image would turn the other way.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gan3d_bench.errors import UserError

PAPER_AZIMUTH_OFFSET_DEG = 90.0


@dataclass
class View:
    """A batch of views in the paper's parametrisation.

    Attributes:
        azimuth: ``[B]`` radians (the code's ``view_in[:, 0]``).
        elevation: ``[B]`` radians (``view_in[:, 1]``).
        scale: ``[B]`` isotropic scale of the volume (1 = none).
        translation: ``[B, 3]`` shift in voxels along the volume's (x, y, z) axes after
            rotation and scale (0 = none).
    """

    azimuth: torch.Tensor
    elevation: torch.Tensor
    scale: torch.Tensor
    translation: torch.Tensor


def paper_view(pose: torch.Tensor) -> View:
    """Converts our poses to the paper's view parameters.

    Args:
        pose: ``[B, 2]`` (azimuth, elevation) in degrees, or ``[B, 6]`` with scale and a
            translation (tx, ty, tz, in voxels) appended.

    Returns:
        The ``View``.

    Raises:
        ValueError: a pose of another shape.
    """
    if pose is None or pose.dim() != 2 or pose.shape[1] not in (2, 6):
        shape = None if pose is None else tuple(pose.shape)
        raise ValueError(f"a HoloGAN pose is [B, 2] (azimuth, elevation in degrees) or [B, 6] "
                         f"(with scale, tx, ty, tz); got {shape}")
    pose = pose.float()
    azimuth = torch.deg2rad(pose[:, 0] + PAPER_AZIMUTH_OFFSET_DEG)
    elevation = torch.deg2rad(-pose[:, 1])
    if pose.shape[1] == 6:
        scale, translation = pose[:, 2], pose[:, 3:6]
    else:
        scale = torch.ones_like(azimuth)
        translation = pose.new_zeros(pose.shape[0], 3)
    return View(azimuth, elevation, scale, translation)


def check_range(name: str, bounds, integer: bool) -> tuple[float, float]:
    """Validates a ``[low, high)`` range of a generator setting.

    Args:
        name: the gin parameter, for the message.
        bounds: two numbers.
        integer: whether the bounds must be whole numbers (integer-degree sampling).

    Returns:
        ``(low, high)`` as floats.

    Raises:
        UserError: not two numbers, ``low > high``, or fractional bounds with integer sampling.
    """
    try:
        low, high = (float(value) for value in bounds)
    except (TypeError, ValueError):
        raise UserError(f"hologan_generator.{name} must be two numbers (low, high), "
                        f"not {bounds!r}") from None
    if low > high:
        raise UserError(f"hologan_generator.{name} = {bounds!r}: low is above high")
    if integer and not (low.is_integer() and high.is_integer()):
        raise UserError(f"hologan_generator.{name} = {bounds!r}: integer-degree sampling needs "
                        f"whole-number bounds; round them or set "
                        f"hologan_generator.integer_degrees = False")
    return low, high


def sample_uniform(n: int, bounds: tuple[float, float], integer: bool,
                   generator: torch.Generator | None) -> torch.Tensor:
    """Draws ``n`` values uniformly from ``[low, high)``.

    Args:
        n: how many.
        bounds: ``(low, high)``.
        integer: draw whole numbers ``low, low + 1, ..., high - 1`` (the paper's
            ``np.random.randint``); a range of width 0 gives ``low``.
        generator: optional CPU RNG.

    Returns:
        A ``[n]`` float tensor on the CPU.
    """
    low, high = bounds
    u = torch.rand(n, generator=generator, dtype=torch.float64)
    if integer:
        return (low + torch.floor(u * (high - low))).float()
    return (low + u * (high - low)).float()
