"""Image grids and PNG files, with Pillow (no torchvision)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from PIL import Image

from gan3d_bench import atomic
from gan3d_bench.interfaces import to_uint8


def make_grid(images: torch.Tensor, ncols: int | None = None, padding: int = 2,
              pad_value: int = 255) -> torch.Tensor:
    """Tiles a batch of images into one picture.

    Args:
        images: ``[N, C, H, W]`` floats in [-1, 1] (C = 1 or 3) or uint8.
        ncols: images per row (default: a near-square layout).
        padding: pixels between images.
        pad_value: the padding's grey level (0-255).

    Returns:
        A ``[H', W', 3]`` uint8 tensor.
    """
    if images.dtype != torch.uint8:
        images = to_uint8(images)
    images = images.cpu()
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    count, _, height, width = images.shape
    ncols = ncols or math.ceil(math.sqrt(count))
    nrows = math.ceil(count / ncols)
    grid = torch.full((3, nrows * (height + padding) + padding, ncols * (width + padding) +
                       padding), pad_value, dtype=torch.uint8)
    for index in range(count):
        row, col = divmod(index, ncols)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        grid[:, top:top + height, left:left + width] = images[index]
    return grid.permute(1, 2, 0).contiguous()


def to_pil(array: torch.Tensor) -> Image.Image:
    """A ``[H, W, 3]`` uint8 tensor as a Pillow image."""
    return Image.fromarray(array.numpy(), mode="RGB")


def save_png(picture: Image.Image | torch.Tensor, path: Path | str) -> Path:
    """Saves a picture as PNG, atomically.

    Args:
        picture: a Pillow image or a ``[H, W, 3]`` uint8 tensor.
        path: the file to write.

    Returns:
        The path.
    """
    if isinstance(picture, torch.Tensor):
        picture = to_pil(picture)
    atomic.write_with(path, lambda handle: picture.save(handle, format="PNG"))
    return Path(path)


def save_grid(images: torch.Tensor, path: Path | str, ncols: int | None = None) -> Path:
    """Tiles images into a grid and saves it as PNG, atomically.

    Args:
        images: ``[N, C, H, W]`` floats in [-1, 1] or uint8.
        path: the PNG file.
        ncols: images per row.

    Returns:
        The path.
    """
    return save_png(make_grid(images, ncols=ncols), path)
