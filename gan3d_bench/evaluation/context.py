"""What a metric gets to work with, and the function that runs a list of metrics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from gan3d_bench.interfaces import Dataset, Generator, Metric, MetricValue


@dataclass
class EvalContext:
    """A generator to score, the real data to compare with, and where to compute.

    Attributes:
        generator: the generator (metrics switch it to eval mode while sampling).
        dataset: the real data.
        device: where to compute.
        step: the training step being evaluated (0 outside training).
        seed: the evaluation seed: fake samples are drawn from it, so every evaluation of a
            run scores the same z.
        batch_size: samples per forward pass.
        rank: this process's rank in distributed evaluation.
        world_size: number of processes.
        cache_dir: where reference features are cached (None: the default cache, see
            ``gan3d_bench.evaluation.feature_cache``).
        memo: per-evaluation cache shared by metrics (extractors, fake and real features),
            so ``kid`` and ``fid`` extract the same samples once.
        final: True for the evaluation at the end of training (metrics with an ``every``
            interval always run then).
        show_progress: show progress bars while extracting features.
    """

    generator: Generator
    dataset: Dataset
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    step: int = 0
    seed: int = 12345
    batch_size: int = 64
    rank: int = 0
    world_size: int = 1
    cache_dir: Path | None = None
    memo: dict = field(default_factory=dict)
    final: bool = False
    show_progress: bool = True

    def owns(self, index: int) -> bool:
        """Whether batch ``index`` of a sharded evaluation is this rank's."""
        return index % self.world_size == self.rank

    def gather(self, obj) -> list:
        """Collects a picklable object from every rank (``[obj]`` in a single process).

        Args:
            obj: this rank's object.

        Returns:
            The objects, by rank.
        """
        from gan3d_bench.distributed import DistInfo, gather_objects

        return gather_objects(obj, DistInfo(rank=self.rank, world_size=self.world_size))

    @torch.no_grad()
    def fake_batches(self, n: int, seed: int | None = None,
                     shard: bool = False) -> Iterator[torch.Tensor]:
        """Generates ``n`` samples in batches, reproducibly for a seed.

        Args:
            n: number of samples.
            seed: defaults to ``self.seed``.
            shard: generate only this rank's batches (``owns``); the inputs of every batch
                are still drawn, so each batch holds the same samples whatever the ranks.

        Yields:
            ``[b, ...]`` generator outputs (images in [-1, 1] or voxels), on ``device``.
        """
        rng = torch.Generator().manual_seed(self.seed if seed is None else seed)
        generator = self.generator
        was_training = generator.training
        generator.eval()
        try:
            remaining, index = n, 0
            while remaining > 0:
                size = min(self.batch_size, remaining)
                inputs = generator.sample_inputs(size, generator=rng)
                if not shard or self.owns(index):
                    yield generator(**inputs)
                remaining -= size
                index += 1
        finally:
            generator.train(was_training)


def is_due(metric: Metric, context: EvalContext) -> bool:
    """Whether a metric runs at this evaluation.

    A metric's optional ``every`` attribute: 0 (or absent) runs it at every evaluation; a
    positive value only at steps that are multiples of it; a negative value only at the
    final evaluation. Every metric runs at the final evaluation.

    Args:
        metric: the metric.
        context: the evaluation.

    Returns:
        True when it should run.
    """
    every = int(getattr(metric, "every", 0) or 0)
    if every == 0 or context.final:
        return True
    return every > 0 and context.step % every == 0


def evaluate_metrics(metrics: list[Metric], context: EvalContext) -> dict[str, MetricValue]:
    """Runs every metric that applies to the generator and is due at this step.

    Args:
        metrics: the metrics.
        context: the evaluation context.

    Returns:
        All results, by result name.
    """
    results: dict[str, MetricValue] = {}
    for metric in metrics:
        if metric.applies_to(context.generator) and is_due(metric, context):
            results.update(metric.evaluate(context))
    return results
