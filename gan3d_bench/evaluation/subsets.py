"""The KID subsets, drawn exactly as torch-fidelity draws them.

torch-fidelity seeds ``numpy.random.RandomState(2020)`` and, for each subset in turn, calls
``choice(n_real, m, replace=False)`` and then ``choice(n_fake, m, replace=False)``. Drawing
the same calls in the same order gives the same subsets, so that KID values agree with it to
rounding on identical features.
"""

from __future__ import annotations

import numpy as np

from gan3d_bench.errors import UserError

TORCH_FIDELITY_SEED = 2020


def resolve_subset_size(subset_size: int, n_real: int, n_fake: int,
                        clamp: bool = False) -> int:
    """Checks the subset size against the sample counts.

    Args:
        subset_size: the requested size m.
        n_real: number of real feature vectors.
        n_fake: number of fake feature vectors.
        clamp: shrink m to ``min(n_real, n_fake)`` instead of failing (clean-fid's habit).

    Returns:
        The subset size to use.

    Raises:
        UserError: m larger than a sample count (without ``clamp``), or m < 2.
    """
    subset_size = int(subset_size)
    smallest = min(n_real, n_fake)
    if subset_size > smallest:
        if not clamp:
            raise UserError(
                f"KID subset size {subset_size} is larger than the number of samples "
                f"(real: {n_real}, fake: {n_fake}); lower it to at most {smallest} "
                f"(gin kid.subset_size, score --subset-size), give more samples, or allow "
                f"clamping (kid.clamp_subset_size = True, score --clamp-subset-size)")
        subset_size = smallest
    if subset_size < 2:
        raise UserError(f"KID needs subsets of at least 2 samples, got {subset_size} "
                        f"(real: {n_real}, fake: {n_fake}); give more samples")
    return subset_size


def draw_subsets(n_real: int, n_fake: int, subsets: int, subset_size: int,
                 seed: int = TORCH_FIDELITY_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Draws the KID subsets in torch-fidelity's order.

    Args:
        n_real: number of real feature vectors.
        n_fake: number of fake feature vectors.
        subsets: number of subsets S.
        subset_size: samples per subset m (at most both counts).
        seed: the ``RandomState`` seed (torch-fidelity: 2020).

    Returns:
        ``(real_index, fake_index)``, two ``[S, m]`` int64 arrays.
    """
    if subsets < 1:
        raise UserError(f"KID needs at least one subset, got {subsets} (kid.subsets)")
    rng = np.random.RandomState(seed)
    real_index = np.empty((subsets, subset_size), dtype=np.int64)
    fake_index = np.empty((subsets, subset_size), dtype=np.int64)
    for s in range(subsets):
        real_index[s] = rng.choice(n_real, subset_size, replace=False)
        fake_index[s] = rng.choice(n_fake, subset_size, replace=False)
    return real_index, fake_index
