"""An on-disk cache of a finite dataset's pictures, as one uint8 array per dataset.

Rendering an image costs about a millisecond of CPU; reading it back from a memory-mapped
array costs microseconds. A finite dataset with ``cache`` set renders its N pictures once
(with a progress bar), writes them atomically to ``<folder>/<key>.npy`` and from then on
reads them from there. The key is a digest of the dataset's ``describe()``, so any option
that changes the pictures selects another file. Cached pictures are quantised to 8 bits, as
image files are.

Folder, first match wins: the ``cache`` argument when it is a path, ``$GAN3D_BENCH_CACHE/data``,
``$XDG_CACHE_HOME/gan3d_bench/data`` (default ``~/.cache/gan3d_bench/data``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from gan3d_bench.atomic import describe_os_error
from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import to_uint8

CACHE_ROOT_ENV = "GAN3D_BENCH_CACHE"
CHUNK = 256


def cache_folder(cache: bool | str | os.PathLike) -> Path:
    """The folder a ``cache`` option points to (see the module docstring)."""
    if not isinstance(cache, bool):
        return Path(cache).expanduser()
    if os.environ.get(CACHE_ROOT_ENV):
        return Path(os.environ[CACHE_ROOT_ENV]).expanduser() / "data"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(base).expanduser() / "gan3d_bench" / "data"


def cache_file(folder: Path, description: dict) -> Path:
    """The file of a dataset's pictures: a digest of its ``describe()``."""
    digest = hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()
    return folder / f"{description.get('name', 'data')}-{digest[:16]}.npy"


def cached_pictures(folder: Path, description: dict, count: int,
                    render: Callable[[slice], torch.Tensor]) -> np.ndarray:
    """A memory map of a dataset's pictures, rendered and written first if needed.

    Args:
        folder: the cache folder.
        description: the dataset's ``describe()``.
        count: number of pictures.
        render: renders the pictures of a slice of items, ``[n, 3, R, R]`` in [-1, 1].

    Returns:
        A read-only ``[count, 3, R, R]`` uint8 array.

    Raises:
        UserError: the folder cannot be written.
    """
    path = cache_file(folder, description)
    if path.exists():
        try:
            array = np.load(path, mmap_mode="r")
            if array.shape[0] == count and array.dtype == np.uint8:
                return array
        except (OSError, ValueError):
            pass  # unreadable or cut short: render again
    tmp_name = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        first = render(slice(0, min(CHUNK, count)))
        array = np.lib.format.open_memmap(tmp_name, mode="w+", dtype=np.uint8,
                                          shape=(count, *first.shape[1:]))
        array[:first.shape[0]] = to_uint8(first).numpy()
        starts = range(first.shape[0], count, CHUNK)
        for start in tqdm(starts, desc=f"caching {description.get('name', 'data')}",
                          unit="batch", disable=len(starts) < 2, file=sys.stderr, leave=False):
            stop = min(start + CHUNK, count)
            array[start:stop] = to_uint8(render(slice(start, stop))).numpy()
        array.flush()
        del array
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as error:
        raise UserError(f"data cache: {describe_os_error(error, path)} (or set the dataset's "
                        f"cache option to False)") from error
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return np.load(path, mmap_mode="r")


def to_images(pixels: np.ndarray) -> torch.Tensor:
    """uint8 pictures to float32 images in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(pixels)).to(torch.float32).div_(127.5).sub_(1.0)
