"""The ``kid`` metric: KID between real and generated images, per feature extractor."""

from __future__ import annotations

from collections.abc import Sequence

from gan3d_bench.evaluation.feature_metric import FeatureMetric
from gan3d_bench.evaluation.feature_sets import REFERENCE_SEED
from gan3d_bench.evaluation.kid import kid_from_features
from gan3d_bench.evaluation.subsets import TORCH_FIDELITY_SEED, resolve_subset_size
from gan3d_bench.interfaces import MetricValue


class KID(FeatureMetric):
    """Kernel Inception Distance with torch-fidelity's estimator and subsets.

    Results are ``kid_<extractor>``: the mean over subsets, with the population std over
    subsets. Protocol keys: ``extractor``, ``extractor_version``, ``num_real``, ``num_fake``,
    ``real_seed``, ``subsets``, ``subset_size``, ``degree``, ``gamma``, ``coef0``,
    ``subset_seed``.

    Args:
        features: an extractor name or a list of names.
        num_real: real images (cached reference set).
        num_fake: generated images.
        subsets: number of subsets (torch-fidelity: 100).
        subset_size: samples per subset (torch-fidelity: 1000).
        degree: polynomial kernel degree (3).
        gamma: kernel scale (None: 1 / feature dimension).
        coef0: kernel offset (1).
        subset_seed: seed of the subset draw (torch-fidelity: 2020).
        clamp_subset_size: shrink the subset size to the sample counts instead of failing.
        real_seed: seed of the real reference set.
        every: 0: at every evaluation; N > 0: at multiples of N; -1: only at the end.
    """

    prefix = "kid"

    def __init__(self, features: str | Sequence[str] = "synth", num_real: int = 10000,
                 num_fake: int = 10000, subsets: int = 100, subset_size: int = 1000,
                 degree: int = 3, gamma: float | None = None, coef0: float = 1.0,
                 subset_seed: int = TORCH_FIDELITY_SEED, clamp_subset_size: bool = False,
                 real_seed: int = REFERENCE_SEED, every: int = 0):
        super().__init__(features, num_real, num_fake, real_seed, every)
        self.options = {"subsets": int(subsets), "subset_size": int(subset_size),
                        "degree": int(degree), "gamma": gamma, "coef0": float(coef0),
                        "seed": int(subset_seed), "clamp_subset_size": bool(clamp_subset_size)}
        # fail when the experiment is built, not at the first evaluation hours later
        resolve_subset_size(subset_size, self.num_real, self.num_fake, clamp_subset_size)

    @classmethod
    def contract_kwargs(cls, workdir) -> dict:
        """Small counts for the contract suite."""
        return {"num_real": 40, "num_fake": 32, "subsets": 10, "subset_size": 16}

    def compare(self, real, fake, protocol: dict, context) -> MetricValue:
        """KID of the two feature sets (see ``FeatureMetric.compare``)."""
        result = kid_from_features(real, fake, device=context.device, **self.options)
        protocol.update(subsets=result.subsets, subset_size=result.subset_size,
                        degree=self.options["degree"],
                        gamma="1/d" if self.options["gamma"] is None else self.options["gamma"],
                        coef0=self.options["coef0"], subset_seed=self.options["seed"])
        return MetricValue(mean=result.mean, std=result.std, protocol=protocol,
                           extra={"method": result.method})
