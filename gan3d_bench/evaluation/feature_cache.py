"""On-disk cache of reference features, shared by every evaluation and run on the machine.

A file is keyed by everything that changes its content: the dataset's ``describe()`` (name
and every option), the resolution, the extractor and its weights, the number of samples, the
seed and batch size of the reference stream, and a format version. Files are written
atomically (temp file + rename), so concurrent runs never read a half-written file; the
worst case is that two runs compute the same features once each.

Location, first match wins: ``EvalContext.cache_dir``, the environment variable
``GAN3D_BENCH_FEATURE_CACHE`` (the folder itself), ``$GAN3D_BENCH_CACHE/features`` (the
suite's cache root), ``$XDG_CACHE_HOME/gan3d_bench/features`` (default
``~/.cache/gan3d_bench/features``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gan3d_bench import atomic
from gan3d_bench.errors import UserError

CACHE_ENV = "GAN3D_BENCH_FEATURE_CACHE"
CACHE_ROOT_ENV = "GAN3D_BENCH_CACHE"
CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """The cache folder when none is given (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if os.environ.get(CACHE_ROOT_ENV):
        return Path(os.environ[CACHE_ROOT_ENV]).expanduser() / "features"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(base).expanduser() / "gan3d_bench" / "features"


def cache_key(dataset: dict, resolution: int, extractor: str, count: int, seed: int,
              batch_size: int) -> dict:
    """The description of one set of reference features.

    Args:
        dataset: the dataset's ``describe()``.
        resolution: the image side the dataset produces.
        extractor: the extractor's name and weights tag (``synth-3f2a...``).
        count: number of samples.
        seed: the reference stream's seed.
        batch_size: the reference stream's batch size (batches are drawn by index).

    Returns:
        A JSON-able dict.
    """
    return {"format": CACHE_FORMAT, "dataset": dataset, "resolution": int(resolution),
            "extractor": extractor, "count": int(count), "seed": int(seed),
            "batch_size": int(batch_size)}


def cache_path(cache_dir: Path, key: dict) -> Path:
    """The file holding the features for ``key``."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()
    name = str(key["dataset"].get("name", "data")) if isinstance(key["dataset"], dict) else "data"
    extractor = str(key["extractor"]).split("-")[0]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{name}-{extractor}-n{key['count']}")
    return Path(cache_dir) / f"{stem}-{digest[:20]}.npy"


def _read(path: Path, count: int) -> np.ndarray | None:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing, or damaged: recompute
    if array.ndim != 2 or array.shape[0] != count or not np.isfinite(array).all():
        return None
    return array.astype(np.float32, copy=False)


def read_cached(cache_dir: Path | None, key: dict) -> np.ndarray | None:
    """Cached features for a key, or None when missing or damaged.

    Args:
        cache_dir: the cache folder (None: ``default_cache_dir()``).
        key: from ``cache_key``.

    Returns:
        ``[count, d]`` float32 features, or None.
    """
    path = cache_path(Path(cache_dir) if cache_dir is not None else default_cache_dir(), key)
    return _read(path, key["count"])


def store(cache_dir: Path | None, key: dict, features: np.ndarray) -> np.ndarray:
    """Writes features to the cache atomically; an unwritable cache is a warning.

    Args:
        cache_dir: the cache folder (None: ``default_cache_dir()``).
        key: from ``cache_key``.
        features: ``[count, d]`` features.

    Returns:
        The features as contiguous float32.
    """
    path = cache_path(Path(cache_dir) if cache_dir is not None else default_cache_dir(), key)
    features = np.ascontiguousarray(features, dtype=np.float32)
    buffer = io.BytesIO()
    np.save(buffer, features, allow_pickle=False)
    try:
        atomic.write_bytes(path, buffer.getvalue())
        atomic.write_json(path.with_suffix(".json"), key)
    except UserError as error:  # an unwritable cache costs time, not the evaluation
        print(f"gan3d-bench: warning: reference features not cached: {error}",
              file=sys.stderr)
    return features


def load_or_compute(cache_dir: Path | None, key: dict,
                    compute: Callable[[], np.ndarray]) -> tuple[np.ndarray, bool]:
    """Returns cached features, computing and storing them on a miss.

    Args:
        cache_dir: the cache folder (None: ``default_cache_dir()``).
        key: from ``cache_key``.
        compute: makes the ``[count, d]`` features.

    Returns:
        ``(features, hit)``; ``hit`` is True when they came from the cache.
    """
    cached = read_cached(cache_dir, key)
    if cached is not None:
        return cached, True
    return store(cache_dir, key, compute()), False
