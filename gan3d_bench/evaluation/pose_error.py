"""The ``pose_error`` metric: does turning the camera by Δ turn the generated object by Δ?

Each z is rendered at azimuth θ and θ + Δ (elevation at the middle of the generator's range);
the ``synth`` extractor's pose head reads both azimuths, and the error is the circular
difference between the change it sees and Δ, in degrees, averaged over z and over several
Δ. Only the change is compared, so a generator whose azimuth 0 is another side of the object
is not penalised. A generator may also have learnt the opposite sense of rotation (a mirror
convention); one global flip (Δ -> -Δ) is allowed, the better of the two is reported, and
which one is recorded in ``extra["mirrored"]``. A generator that ignores its pose input
sees no change and scores the mean |Δ| (79 degrees with the default Δs); random pose
readings score about 90.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.extractors import extractor_tag
from gan3d_bench.evaluation.synth_net import angle_difference
from gan3d_bench.evaluation.views import (
    applies_to_pose_aware,
    labels_for,
    pose_reader,
    render_views,
)
from gan3d_bench.interfaces import Metric, MetricValue

SEED_OFFSET = 31_337


class PoseError(Metric):
    """Circular mean absolute error (degrees) of the azimuth change, ``pose_error_<extractor>``.

    Protocol keys: ``extractor``, ``extractor_version``, ``num_real`` (0), ``num_fake``,
    ``num_samples``, ``deltas``.

    Args:
        features: an extractor with a pose head (``"synth"``).
        num_samples: latent codes per Δ.
        deltas: azimuth changes in degrees (those wider than the generator's azimuth range
            are skipped; with none left, half the range is used).
        every: 0: at every evaluation; N > 0: at multiples of N; -1: only at the end.
    """

    def __init__(self, features: str = "synth", num_samples: int = 256,
                 deltas: Sequence[float] = (30.0, 60.0, 90.0, 135.0), every: int = 0):
        self.features = features
        self.num_samples = int(num_samples)
        self.deltas = tuple(float(d) for d in deltas)
        self.every = int(every)
        if self.num_samples < 1 or not self.deltas:
            raise UserError("pose_error needs num_samples >= 1 and at least one delta")

    @classmethod
    def contract_kwargs(cls, workdir) -> dict:
        """Small counts for the contract suite."""
        return {"num_samples": 8}

    def applies_to(self, generator) -> bool:
        """Pose-aware image generators only."""
        return applies_to_pose_aware(generator)

    def usable_deltas(self, generator) -> list[float]:
        """The Δs that fit in the generator's azimuth range."""
        low, high = generator.azimuth_range
        span = float(high) - float(low)
        if span >= 360.0:
            return list(self.deltas)
        return [d for d in self.deltas if d < span] or [span / 2.0]

    def evaluate(self, context) -> dict[str, MetricValue]:
        """Renders each z at two azimuths per Δ and compares the change read back.

        Args:
            context: the evaluation.

        Returns:
            ``{"pose_error_<extractor>": MetricValue}``.
        """
        generator = context.generator
        reader = pose_reader(self.features, context.device, context.memo, "pose_error")
        rng = torch.Generator().manual_seed(int(context.seed) + SEED_OFFSET)
        low, high = (float(v) for v in generator.azimuth_range)
        span = high - low
        elevation = sum(float(v) for v in generator.elevation_range) / 2.0
        n = self.num_samples
        commanded, observed = [], []
        for delta in self.usable_deltas(generator):
            z = generator.sample_z(n, rng).cpu()
            labels = labels_for(generator, n, rng)
            start = low + torch.rand(n, generator=rng) * (span if span >= 360.0 else span - delta)
            end = start + delta
            if span >= 360.0:
                end = low + (end - low) % 360.0
            seen = []
            for azimuth in (start, end):
                pose = torch.stack([azimuth, torch.full_like(azimuth, elevation)], 1)
                images = render_views(generator, z, pose, labels, context.batch_size)
                seen.append(reader.predict(images).azimuth.cpu())
            observed.append(angle_difference(seen[1], seen[0]))
            commanded.append(torch.full((n,), delta))
        observed_all = torch.cat(observed)
        commanded_all = torch.cat(commanded)
        direct = angle_difference(observed_all, commanded_all).abs()
        mirrored = angle_difference(observed_all, -commanded_all).abs()
        use_mirror = bool(mirrored.mean() < direct.mean())
        errors = mirrored if use_mirror else direct
        per_delta = {f"{float(c[0]):g}": float(e.mean()) for c, e in
                     zip(commanded, errors.split(n), strict=True)}
        protocol = {"extractor": reader.name, "extractor_version": extractor_tag(reader),
                    "num_real": 0, "num_fake": 2 * len(observed_all), "num_samples": n,
                    "deltas": list(self.deltas)}
        extra = {"mirrored": use_mirror, "error_direct": float(direct.mean()),
                 "error_mirrored": float(mirrored.mean()), "per_delta": per_delta,
                 "elevation": elevation}
        value = MetricValue(mean=float(errors.mean()), std=float(errors.std(unbiased=False)),
                            protocol=protocol, extra=extra)
        return {f"pose_error_{reader.name}": value}
