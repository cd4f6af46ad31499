"""The common part of metrics that compare real and generated features (KID, FID)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.context import EvalContext
from gan3d_bench.evaluation.extractors import extractor_tag, resolve_extractor
from gan3d_bench.evaluation.feature_sets import REFERENCE_SEED, fake_features, real_features
from gan3d_bench.interfaces import FeatureExtractor, Metric


def extractor_specs(features) -> list:
    """Normalises a ``features`` setting: one name or instance, or a list of them."""
    specs = [features] if isinstance(features, (str, FeatureExtractor)) else list(features)
    if not specs:
        raise UserError("a feature metric needs at least one extractor in 'features'")
    return specs


class FeatureMetric(Metric):
    """Compares features of real and generated images, once per extractor.

    Result names are ``<prefix>_<extractor>`` (``kid_synth``, ``fid_inception``), so numbers
    of different extractors never mix.

    Args:
        features: an extractor name (``"synth"``, ``"inception"``), or a list of names.
        num_real: real images (a fixed set, cached on disk per dataset and extractor).
        num_fake: generated images (drawn from the evaluation seed).
        real_seed: seed of the real reference set.
        every: 0 evaluates at every evaluation (``Experiment.eval_every``); N > 0 only at
            steps that are multiples of N; -1 only at the end. The final evaluation always
            runs it.
    """

    prefix = "feature"

    def __init__(self, features: str | Sequence[str] = "synth", num_real: int = 10000,
                 num_fake: int = 10000, real_seed: int = REFERENCE_SEED, every: int = 0):
        self.features = extractor_specs(features)
        self.num_real = int(num_real)
        self.num_fake = int(num_fake)
        self.real_seed = int(real_seed)
        self.every = int(every)
        for key in ("num_real", "num_fake"):
            if getattr(self, key) < 2:
                raise UserError(f"{self.prefix}.{key} must be at least 2, not "
                                f"{getattr(self, key)}")

    @classmethod
    def contract_kwargs(cls, workdir) -> dict:
        """Small counts for the contract suite."""
        return {"num_real": 40, "num_fake": 32}

    def applies_to(self, generator) -> bool:
        """Image generators only (voxel generators have no real images to compare with)."""
        return getattr(generator, "modality", "image") == "image"

    def evaluate(self, context: EvalContext) -> dict:
        """Scores the generator with every configured extractor.

        Args:
            context: the evaluation.

        Returns:
            ``{"<prefix>_<extractor>": MetricValue}``.
        """
        results = {}
        for spec in self.features:
            extractor = resolve_extractor(spec, context.device, context.memo)
            real = real_features(context, extractor, self.num_real, self.real_seed)
            fake = fake_features(context, extractor, self.num_fake)
            protocol = {"extractor": extractor.name,
                        "extractor_version": extractor_tag(extractor),
                        "num_real": self.num_real, "num_fake": self.num_fake,
                        "real_seed": self.real_seed}
            # computed once, on rank 0, and shared (every rank holds the same features)
            value = self.compare(real, fake, protocol, context) if context.rank == 0 else None
            if context.world_size > 1:
                value = context.gather(value)[0]
            results[f"{self.prefix}_{extractor.name}"] = value
        return results

    def compare(self, real: np.ndarray, fake: np.ndarray, protocol: dict, context):
        """Turns the two feature sets into a ``MetricValue`` (subclasses implement it).

        Args:
            real: ``[num_real, d]`` real features.
            fake: ``[num_fake, d]`` fake features.
            protocol: the shared protocol entries, to be extended.
            context: the evaluation.

        Returns:
            A ``MetricValue``.
        """
        raise NotImplementedError
