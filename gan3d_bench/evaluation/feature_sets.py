"""Features of the real data (cached on disk) and of generated samples (shared per evaluation).

Every metric that needs features asks here, so ``kid`` and ``fid`` with the same extractor
and counts extract the fake samples once per evaluation and the real ones once per machine.

In a distributed run every rank extracts the batches ``i`` with ``i % world_size == rank``;
the per-batch features are gathered and put back in order, so every rank ends with exactly
the features a single process computes for the same samples.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import numpy as np
import torch
from tqdm.auto import tqdm

from gan3d_bench.evaluation.context import EvalContext
from gan3d_bench.evaluation.extractors import extractor_tag
from gan3d_bench.evaluation.feature_cache import cache_key, read_cached, store
from gan3d_bench.interfaces import FeatureExtractor, to_uint8

# The reference set is drawn with this batch size whatever the evaluation batch size, since
# a dataset's batches (and so the samples) depend on it.
REFERENCE_BATCH_SIZE = 100
REFERENCE_SEED = 20_240_601


@torch.no_grad()
def extract_batches(extractor: FeatureExtractor, batches: Iterable[torch.Tensor], total: int,
                    device: torch.device, desc: str,
                    show_progress: bool = True) -> list[np.ndarray]:
    """Runs an extractor over batches of images, keeping the batches apart.

    Args:
        extractor: the extractor.
        batches: ``[b, 3, H, W]`` images, uint8 or float in [-1, 1].
        total: number of images (for the progress bar).
        device: where the extractor runs.
        desc: progress-bar label.
        show_progress: show a progress bar (on a terminal only).

    Returns:
        One ``[b, dim]`` float32 array per batch.
    """
    parts = []
    with tqdm(total=total, desc=desc, unit="img", leave=False, file=sys.stderr,
              disable=None if show_progress else True, dynamic_ncols=True) as bar:
        for images in batches:
            if images.dtype != torch.uint8:
                images = to_uint8(images)
            parts.append(extractor(images.to(device)).float().cpu().numpy())
            bar.update(images.shape[0])
    return parts


def extract(extractor: FeatureExtractor, batches: Iterable[torch.Tensor], total: int,
            device: torch.device, desc: str, show_progress: bool = True) -> np.ndarray:
    """Runs an extractor over batches of images.

    Args:
        extractor: the extractor.
        batches: ``[b, 3, H, W]`` images, uint8 or float in [-1, 1].
        total: number of images (for the progress bar).
        device: where the extractor runs.
        desc: progress-bar label.
        show_progress: show a progress bar (on a terminal only).

    Returns:
        ``[total, dim]`` float32 features.
    """
    parts = extract_batches(extractor, batches, total, device, desc, show_progress)
    if not parts:
        return np.zeros((0, extractor.dim), dtype=np.float32)
    return np.concatenate(parts)


def _gather_in_order(context: EvalContext, mine: list[np.ndarray], dim: int) -> np.ndarray:
    """Gathers every rank's per-batch features and concatenates them in batch order."""
    by_rank = context.gather(mine)
    world = len(by_rank)
    ordered = [by_rank[index % world][index // world]
               for index in range(sum(len(parts) for parts in by_rank))]
    if not ordered:
        return np.zeros((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(ordered), dtype=np.float32)


def _share(count: int, batch_size: int, context: EvalContext) -> int:
    """How many of ``count`` images (in batches of ``batch_size``) this rank extracts."""
    sizes = [min(batch_size, count - start) for start in range(0, count, batch_size)]
    return sum(size for index, size in enumerate(sizes) if context.owns(index))


def real_features(context: EvalContext, extractor: FeatureExtractor, count: int,
                  seed: int = REFERENCE_SEED) -> np.ndarray:
    """Features of a fixed set of ``count`` real images, from the disk cache when there.

    Args:
        context: the evaluation (dataset, device, cache folder, memo, ranks).
        extractor: the extractor.
        count: number of real images.
        seed: the reference set's seed.

    Returns:
        ``[count, dim]`` float32 features (on every rank).
    """
    dataset = context.dataset
    tag = extractor_tag(extractor)
    memo_key = ("real_features", tag, int(count), int(seed))
    if memo_key in context.memo:
        return context.memo[memo_key]
    key = cache_key(dataset.describe(), dataset.resolution, tag, count, seed,
                    REFERENCE_BATCH_SIZE)
    features = read_cached(context.cache_dir, key)
    hit = features is not None
    if context.world_size > 1:  # extraction is collective: every rank must have the file
        hit = all(context.gather(hit))
    if not hit:
        batches = (batch["image"] for index, batch in enumerate(
            dataset.reference_batches(count, REFERENCE_BATCH_SIZE, seed))
            if context.owns(index))
        mine = extract_batches(extractor, batches, _share(count, REFERENCE_BATCH_SIZE, context),
                               context.device, f"real features ({extractor.name})",
                               context.show_progress)
        features = _gather_in_order(context, mine, extractor.dim)
        if context.rank == 0:
            features = store(context.cache_dir, key, features)
    context.memo[memo_key] = features
    context.memo.setdefault("cache_hits", []).append(hit)
    return features


def fake_features(context: EvalContext, extractor: FeatureExtractor, count: int) -> np.ndarray:
    """Features of ``count`` generated images (the evaluation seed's), once per evaluation.

    Args:
        context: the evaluation (generator, seed, batch size, memo, ranks).
        extractor: the extractor.
        count: number of generated images.

    Returns:
        ``[count, dim]`` float32 features (on every rank).
    """
    memo_key = ("fake_features", extractor_tag(extractor), int(count), int(context.seed))
    if memo_key not in context.memo:
        generator = context.generator
        batches = (generator.preview(samples)
                   for samples in context.fake_batches(count, shard=True))
        mine = extract_batches(extractor, batches, _share(count, context.batch_size, context),
                               context.device, f"fake features ({extractor.name})",
                               context.show_progress)
        context.memo[memo_key] = _gather_in_order(context, mine, extractor.dim)
    return context.memo[memo_key]
