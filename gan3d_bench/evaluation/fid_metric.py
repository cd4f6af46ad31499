"""The ``fid`` metric: Fréchet distance between real and generated features, per extractor."""

from __future__ import annotations

from gan3d_bench.evaluation.feature_metric import FeatureMetric
from gan3d_bench.evaluation.fid import fid_from_features
from gan3d_bench.interfaces import MetricValue


class FID(FeatureMetric):
    """Fréchet Inception Distance (``fid_<extractor>``), from the same features as ``kid``.

    With the same extractor and counts as ``kid``, the features are extracted once per
    evaluation for both. Protocol keys: ``extractor``, ``extractor_version``, ``num_real``,
    ``num_fake``, ``real_seed``. FID is biased by the sample count, so only values with equal
    counts compare.

    Args: as ``FeatureMetric``.
    """

    prefix = "fid"

    def compare(self, real, fake, protocol: dict, context) -> MetricValue:
        """FID of the two feature sets (see ``FeatureMetric.compare``)."""
        result = fid_from_features(real, fake)
        extra = {}
        if result.offset:
            extra["sqrtm_offset"] = result.offset
        if result.imaginary > 1e-3:
            extra["sqrtm_imaginary"] = result.imaginary
        return MetricValue(mean=result.value, std=None, protocol=protocol, extra=extra)
