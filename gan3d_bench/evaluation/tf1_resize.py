"""Bilinear resizing as TensorFlow 1.x did it (``tf.image.resize_bilinear``, no corners).

TF1 maps output pixel ``i`` to source coordinate ``i * in / out`` (no half-pixel offset),
interpolates between the two neighbouring source pixels (the upper one clamped to the last
row or column) and never antialiases. The FID Inception graph resizes its input this way, so
the TF-compatible extractor must too; ``torch.nn.functional.interpolate`` differs (half-pixel
centres, and antialiasing in torchmetrics >= 1.8).
"""

from __future__ import annotations

import torch


def _source_coordinates(in_size: int, out_size: int, device: torch.device):
    """Lower and upper source indices and the fractional weight of each output pixel."""
    scale = torch.tensor(in_size / out_size, dtype=torch.float32)
    position = torch.arange(out_size, dtype=torch.float32) * scale
    lower = position.long()  # floor: positions are never negative
    upper = (lower + 1).clamp_max(in_size - 1)
    fraction = position - lower.float()
    return lower.to(device), upper.to(device), fraction.to(device)


def resize_bilinear_tf1(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resizes float images with TF1's legacy bilinear sampling.

    Args:
        images: ``[B, C, H, W]`` floating-point images.
        size: ``(height, width)`` of the output.

    Returns:
        ``[B, C, height, width]`` images of the same dtype.
    """
    if not images.is_floating_point():
        raise TypeError("resize_bilinear_tf1 needs floating-point images")
    out_h, out_w = size
    if images.shape[-2:] == (out_h, out_w):
        return images
    x_lo, x_hi, dx = _source_coordinates(images.shape[-1], out_w, images.device)
    y_lo, y_hi, dy = _source_coordinates(images.shape[-2], out_h, images.device)
    dx = dx.to(images.dtype)
    dy = dy.to(images.dtype)
    # along the width first, for every source row, then along the height: the same
    # arithmetic, in the same order, as the per-pixel formula top + (bottom - top) * dy
    left = images.index_select(-1, x_lo)
    right = images.index_select(-1, x_hi)
    rows = left + (right - left) * dx
    top = rows.index_select(-2, y_lo)
    bottom = rows.index_select(-2, y_hi)
    return top + (bottom - top) * dy.view(-1, 1)
