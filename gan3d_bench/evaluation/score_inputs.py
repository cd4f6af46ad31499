"""Reading what ``gan3d-bench score`` compares: image folders or ``.npy`` feature files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from gan3d_bench.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


def list_images(folder: Path) -> list[Path]:
    """The image files under a folder (recursively), in sorted path order.

    Args:
        folder: the folder.

    Returns:
        The files, sorted by their path relative to ``folder``.

    Raises:
        UserError: no image files.
    """
    files = sorted((p for p in folder.rglob("*") if p.is_file()
                    and p.suffix.lower() in IMAGE_SUFFIXES),
                   key=lambda p: p.relative_to(folder).as_posix())
    if not files:
        raise UserError(f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return files


def read_image(path: Path) -> torch.Tensor:
    """One image as a ``[3, H, W]`` uint8 tensor (greyscale and alpha converted to RGB)."""
    try:
        with Image.open(path) as image:
            array = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as error:
        raise UserError(f"cannot read image {path}: {error}") from None
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def image_batches(files: list[Path], batch_size: int) -> Iterator[torch.Tensor]:
    """Batches of consecutive images of equal size, in file order.

    Args:
        files: image files.
        batch_size: at most this many per batch.

    Yields:
        ``[b, 3, H, W]`` uint8 tensors.
    """
    pending: list[torch.Tensor] = []
    for path in files:
        image = read_image(path)
        if pending and (image.shape != pending[0].shape or len(pending) == batch_size):
            yield torch.stack(pending)
            pending = []
        pending.append(image)
    if pending:
        yield torch.stack(pending)


def read_feature_file(path: Path) -> np.ndarray:
    """An ``N x d`` float array from a ``.npy`` file.

    Raises:
        UserError: unreadable, not 2-D, not numeric, or not finite.
    """
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read features {path}: {error}") from None
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number):
        raise UserError(f"{path} must hold an N x d numeric array, got shape {array.shape} "
                        f"of {array.dtype}")
    if not np.isfinite(array).all():
        raise UserError(f"{path} holds NaN or infinite values")
    return array.astype(np.float32)


def load_side(path: Path, extract: Callable[[list[Path]], np.ndarray],
              side: str) -> tuple[np.ndarray, str]:
    """Features of one side: read from a ``.npy`` file, or extracted from an image folder.

    Args:
        path: a folder of images or a ``.npy`` file.
        extract: turns a list of image files into features.
        side: ``"--real"`` or ``"--fake"``, for messages.

    Returns:
        ``(features, kind)`` with kind ``"features"`` or ``"images"``.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        return extract(list_images(path)), "images"
    if path.is_file() and path.suffix == ".npy":
        return read_feature_file(path), "features"
    if path.exists():
        raise UserError(f"{side} {path}: give a folder of images or an N x d .npy feature file")
    raise UserError(f"{side} {path}: no such folder or file")
