"""Image grids and PNG files, with Pillow (no torchvision)."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont

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


def add_header(picture: Image.Image, column_labels: list[str] | None = None,
               title: str | None = None, cell_width: int = 0, padding: int = 2) -> Image.Image:
    """Adds a white strip above a grid with a title line and a label centred on each column.

    Args:
        picture: the grid.
        column_labels: one text per column, or None.
        title: a line of text, or None.
        cell_width: width of one image of the grid (for the column labels).
        padding: the grid's padding between images.

    Returns:
        A new picture (the grid itself when there is nothing to add).
    """
    lines = [line for line in (title, column_labels) if line]
    if not lines:
        return picture
    font = ImageFont.load_default()
    line_height = 14
    canvas = Image.new("RGB", (picture.width, picture.height + line_height * len(lines) + 2),
                       (255, 255, 255))
    canvas.paste(picture, (0, canvas.height - picture.height))
    draw = ImageDraw.Draw(canvas)
    top = 2
    if title:
        draw.text((padding, top), title, fill=(0, 0, 0), font=font)
        top += line_height
    for index, label in enumerate(column_labels or []):
        left, _, right, _ = draw.textbbox((0, 0), label, font=font)
        centre = padding + index * (cell_width + padding) + cell_width / 2
        draw.text((centre - (right - left) / 2, top), label, fill=(0, 0, 0), font=font)
    return canvas


def save_grid(images: torch.Tensor, path: Path | str, ncols: int | None = None,
              column_labels: list[str] | None = None, title: str | None = None) -> Path:
    """Tiles images into a grid and saves it as PNG, atomically.

    Args:
        images: ``[N, C, H, W]`` floats in [-1, 1] or uint8.
        path: the PNG file.
        ncols: images per row.
        column_labels: optional text above each column (e.g. the pose of a sweep).
        title: optional line of text above the grid.

    Returns:
        The path.
    """
    grid = to_pil(make_grid(images, ncols=ncols))
    return save_png(add_header(grid, column_labels, title, cell_width=images.shape[-1]), path)
