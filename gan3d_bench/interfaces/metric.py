"""The metric interface: a generator (and the real data) -> named values with their protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class MetricValue:
    """One metric's result.

    Attributes:
        mean: the value (for KID, the mean over subsets).
        std: its spread where the metric has one (for KID, the population std over subsets),
            else None.
        protocol: how it was made, as JSON-able values: feature extractor, sample counts,
            subsets, seeds. Two values are comparable only when their protocols are equal.
        extra: anything else worth recording (a chosen mirror convention, say).
    """

    mean: float
    std: float | None = None
    protocol: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The value as a JSON-able dict (keys mean, std, protocol, extra)."""
        return {"mean": self.mean, "std": self.std, "protocol": dict(self.protocol),
                "extra": dict(self.extra)}


class Metric:
    """Base class of every metric.

    ``evaluate`` returns a dict from result names to ``MetricValue``. A result name says which
    feature extractor made it when one did (``kid_synth``, ``fid_inception``), so numbers of
    different extractors never mix. Constructors take keyword arguments only (sample counts,
    extractor name...), configured from gin.
    """

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

    def applies_to(self, generator) -> bool:
        """Whether this metric can score ``generator`` (a pose metric needs a pose-aware one).

        Args:
            generator: the ``Generator`` to be scored.

        Returns:
            True by default.
        """
        return True

    def evaluate(self, context) -> dict[str, MetricValue]:
        """Scores the generator in ``context``.

        Args:
            context: an ``gan3d_bench.evaluation.EvalContext`` (generator, real data, device,
                seeds, feature caches).

        Returns:
            Result names mapped to values.
        """
        raise NotImplementedError
