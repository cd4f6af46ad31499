"""Random generators derived from (seed, index) pairs, never from the global RNG."""

from __future__ import annotations

import torch

_MASK = (1 << 63) - 1


def derived_seed(*parts: int) -> int:
    """Mixes integers into one 63-bit seed (a splitmix64-style hash).

    Args:
        parts: integers (seed, batch index, stream number...).

    Returns:
        A non-negative seed; different inputs give unrelated seeds.
    """
    value = 0x9E3779B97F4A7C15
    for part in parts:
        value = (value ^ (int(part) & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9
        value &= 0xFFFFFFFFFFFFFFFF
        value ^= value >> 31
        value = (value * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        value ^= value >> 29
    return value & _MASK


def rng(*parts: int) -> torch.Generator:
    """A CPU ``torch.Generator`` seeded from ``derived_seed(*parts)``."""
    return torch.Generator().manual_seed(derived_seed(*parts))


def epoch_positions(index: int, batch_size: int, size: int, seed: int) -> torch.Tensor:
    """Items of a finite dataset in batch ``index``: the data walked epoch by epoch, each
    epoch in its own order shuffled by ``seed``.

    Args:
        index: batch number.
        batch_size: items per batch.
        size: number of items.
        seed: the stream's seed.

    Returns:
        ``[batch_size]`` long item numbers.
    """
    positions = torch.arange(index * batch_size, (index + 1) * batch_size)
    epochs = positions // size
    items = torch.empty(batch_size, dtype=torch.long)
    for epoch in torch.unique(epochs).tolist():
        chosen = epochs == epoch
        order = torch.randperm(size, generator=rng(seed, epoch, 0x5EED))
        items[chosen] = order[positions[chosen] % size]
    return items
