"""The dataset interface: deterministic, random-access batches of real samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import torch

Batch = dict[str, torch.Tensor]


class Dataset:
    """Base class of every dataset.

    A batch is a dict of CPU tensors. It always holds the key named by ``modality``:
    ``"image"`` -> ``[B, 3, R, R]`` float32 in [-1, 1]; ``"voxels"`` -> ``[B, 1, R, R, R]``
    float32 in [0, 1]. Datasets with ground truth add keys of their own, documented by them:
    ``"pose"`` ``[B, 2]`` (azimuth, elevation in degrees), ``"label"`` ``[B]`` long class
    labels (when ``num_classes`` > 0), shape parameters, colours.

    Batches are addressed by index, so that training is reproducible, resumable and shardable
    without iterator state: ``batch(i, batch_size, seed)`` is a pure function of its arguments
    (on one machine): it draws from its own ``torch.Generator`` seeded from ``(seed, index)``,
    never from the global RNGs, since the loop may call it from a background thread while
    training draws from them. An endless dataset draws fresh samples for every index; a finite one
    walks through its ``num_samples`` items in an order shuffled per epoch by ``seed``.

    Attributes set by a subclass:
        resolution: side of the samples.
        modality: ``"image"`` or ``"voxels"``.
        num_classes: number of class labels in ``"label"`` (0 when there are none).
        num_samples: size of a finite dataset, None for an endless one.
        has_pose: True when batches carry ground-truth ``"pose"``.
    """

    resolution: int = 64
    modality: str = "image"
    num_classes: int = 0
    num_samples: int | None = None
    has_pose: bool = False

    @classmethod
    def contract_kwargs(cls, workdir: Path) -> dict:
        """Keyword arguments the contract suite constructs this component with.

        Override when the component cannot be built from its defaults alone (a folder of
        images, a weights file, an inner network); ``workdir`` is an empty temporary folder
        to create such things in.

        Args:
            workdir: a temporary folder.

        Returns:
            Constructor keyword arguments (empty by default).
        """
        return {}

    def batch(self, index: int, batch_size: int, seed: int) -> Batch:
        """Returns the ``index``-th batch of the stream defined by ``seed``.

        Args:
            index: batch number, from 0.
            batch_size: samples per batch.
            seed: the stream's seed.

        Returns:
            A ``Batch`` of ``batch_size`` samples.
        """
        raise NotImplementedError

    def describe(self) -> dict:
        """Everything that changes this dataset's samples, as JSON-able values.

        Used in run records and in the keys of cached reference features, so it must name
        the dataset and every option that alters its content (resolution, pose ranges, root
        folder, crop...).

        Returns:
            A flat dict, e.g. ``{"name": "synth_cars", "resolution": 64, ...}``.
        """
        raise NotImplementedError

    def reference_batches(self, n: int, batch_size: int, seed: int) -> Iterator[Batch]:
        """Yields a fixed set of ``n`` samples, for metrics' reference statistics.

        Args:
            n: number of samples in all.
            batch_size: samples per yielded batch (the last may be smaller).
            seed: which fixed set.

        Returns:
            An iterator of batches whose sizes add up to ``n``.
        """
        index = 0
        remaining = n
        while remaining > 0:
            batch = self.batch(index, batch_size, seed)
            take = min(batch_size, remaining)
            yield {key: value[:take] for key, value in batch.items()}
            remaining -= take
            index += 1
