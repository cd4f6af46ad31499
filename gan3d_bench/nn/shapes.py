"""Helpers for resolution-dependent architectures."""

from __future__ import annotations

import math

from gan3d_bench.errors import UserError


def num_doublings(resolution: int, base: int = 4, *, name: str = "model",
                  allowed: tuple[int, ...] = (32, 64, 128)) -> int:
    """How many stride-2 stages take ``base`` to ``resolution``.

    Args:
        resolution: the output (or input) side.
        base: the side of the smallest feature map.
        name: the component, for the error message.
        allowed: resolutions the component supports.

    Returns:
        ``log2(resolution / base)``.

    Raises:
        UserError: for an unsupported resolution.
    """
    if resolution not in allowed:
        raise UserError(f"{name} does not support resolution {resolution}; "
                        f"use one of {', '.join(map(str, allowed))}")
    return int(math.log2(resolution // base))


def scaled(channels: int, width: float, minimum: int = 4) -> int:
    """A channel count multiplied by a width factor, at least ``minimum``.

    Args:
        channels: the paper's channel count.
        width: the multiplier (1.0 = the paper).
        minimum: the smallest count returned.

    Returns:
        ``max(minimum, round(channels * width))``.
    """
    return max(minimum, round(channels * width))
