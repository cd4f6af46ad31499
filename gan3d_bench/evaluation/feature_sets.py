"""Features of the real data (cached on disk) and of generated samples (shared per evaluation).

Every metric that needs features asks here, so ``kid`` and ``fid`` with the same extractor
and counts extract the fake samples once per evaluation and the real ones once per machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

import numpy as np
import torch
from tqdm.auto import tqdm

from gan3d_bench.evaluation.context import EvalContext
from gan3d_bench.evaluation.extractors import extractor_tag
from gan3d_bench.evaluation.feature_cache import cache_key, load_or_compute
from gan3d_bench.interfaces import FeatureExtractor, to_uint8

# The reference set is drawn with this batch size whatever the evaluation batch size, since
# a dataset's batches (and so the samples) depend on it.
REFERENCE_BATCH_SIZE = 100
REFERENCE_SEED = 20_240_601


@torch.no_grad()
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
    parts = []
    with tqdm(total=total, desc=desc, unit="img", leave=False, file=sys.stderr,
              disable=None if show_progress else True, dynamic_ncols=True) as bar:
        for images in batches:
            if images.dtype != torch.uint8:
                images = to_uint8(images)
            parts.append(extractor(images.to(device)).float().cpu())
            bar.update(images.shape[0])
    if not parts:
        return np.zeros((0, extractor.dim), dtype=np.float32)
    return torch.cat(parts).numpy()


def real_features(context: EvalContext, extractor: FeatureExtractor, count: int,
                  seed: int = REFERENCE_SEED) -> np.ndarray:
    """Features of a fixed set of ``count`` real images, from the disk cache when there.

    Args:
        context: the evaluation (dataset, device, cache folder, memo).
        extractor: the extractor.
        count: number of real images.
        seed: the reference set's seed.

    Returns:
        ``[count, dim]`` float32 features.
    """
    dataset = context.dataset
    tag = extractor_tag(extractor)
    memo_key = ("real_features", tag, int(count), int(seed))
    if memo_key in context.memo:
        return context.memo[memo_key]
    key = cache_key(dataset.describe(), dataset.resolution, tag, count, seed,
                    REFERENCE_BATCH_SIZE)

    def compute() -> np.ndarray:
        batches = (batch["image"] for batch in dataset.reference_batches(
            count, REFERENCE_BATCH_SIZE, seed))
        return extract(extractor, batches, count, context.device,
                       f"real features ({extractor.name})", context.show_progress)

    features, hit = load_or_compute(context.cache_dir, key, compute)
    context.memo[memo_key] = features
    context.memo.setdefault("cache_hits", []).append(hit)
    return features


def fake_features(context: EvalContext, extractor: FeatureExtractor, count: int) -> np.ndarray:
    """Features of ``count`` generated images (the evaluation seed's), once per evaluation.

    Args:
        context: the evaluation (generator, seed, batch size, memo).
        extractor: the extractor.
        count: number of generated images.

    Returns:
        ``[count, dim]`` float32 features.
    """
    memo_key = ("fake_features", extractor_tag(extractor), int(count), int(context.seed))
    if memo_key not in context.memo:
        generator = context.generator
        batches = (generator.preview(samples) for samples in context.fake_batches(count))
        context.memo[memo_key] = extract(extractor, batches, count, context.device,
                                         f"fake features ({extractor.name})",
                                         context.show_progress)
    return context.memo[memo_key]
