"""The ``identity_consistency`` metric: is the object still the same from another pose?

N latent codes are each rendered at two independent random poses (from the generator's
ranges). The ``synth`` extractor reads a pose-free identity (body colour and shape
parameters) from every image; each second view is matched to its nearest first view among
all N, and the score is the fraction matched to its own z (top-1 re-identification
accuracy; chance is 1/N). A generator whose object changes with the pose scores near chance.
"""

from __future__ import annotations

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.extractors import extractor_tag
from gan3d_bench.evaluation.views import (
    applies_to_pose_aware,
    labels_for,
    pose_reader,
    render_views,
)
from gan3d_bench.interfaces import Metric, MetricValue

SEED_OFFSET = 47_111


class IdentityConsistency(Metric):
    """Top-1 re-identification accuracy across poses, ``identity_<extractor>`` (higher is
    better).

    Protocol keys: ``extractor``, ``extractor_version``, ``num_real`` (0), ``num_fake``,
    ``gallery_size``.

    Args:
        features: an extractor with shape and colour heads (``"synth"``).
        num_samples: latent codes N (the gallery size: each z is found among N - 1 others).
        every: 0: at every evaluation; N > 0: at multiples of N; -1: only at the end.
    """

    def __init__(self, features: str = "synth", num_samples: int = 256, every: int = 0):
        self.features = features
        self.num_samples = int(num_samples)
        self.every = int(every)
        if self.num_samples < 2:
            raise UserError("identity_consistency.num_samples must be at least 2")

    @classmethod
    def contract_kwargs(cls, workdir) -> dict:
        """Small counts for the contract suite."""
        return {"num_samples": 8}

    def applies_to(self, generator) -> bool:
        """Pose-aware image generators only."""
        return applies_to_pose_aware(generator)

    def evaluate(self, context) -> dict[str, MetricValue]:
        """Renders each z from two poses and re-identifies the second view among the first.

        Args:
            context: the evaluation.

        Returns:
            ``{"identity_<extractor>": MetricValue}``.
        """
        generator = context.generator
        reader = pose_reader(self.features, context.device, context.memo,
                             "identity_consistency")
        rng = torch.Generator().manual_seed(int(context.seed) + SEED_OFFSET)
        n = self.num_samples
        z = generator.sample_z(n, rng).cpu()
        labels = labels_for(generator, n, rng)
        identities = []
        for _ in range(2):
            pose = generator.sample_pose(n, rng).cpu()
            images = render_views(generator, z, pose, labels, context.batch_size)
            identities.append(reader.predict(images).identity().double().cpu())
        gallery, queries = identities
        distances = torch.cdist(queries, gallery)
        own = distances.diagonal()
        # how many other z are at least as near (ties count against: a generator that draws
        # the same object for every z must not score 1)
        rank = ((distances <= own[:, None]).sum(1) - 1).double()
        accuracy = float((rank == 0).double().mean())
        protocol = {"extractor": reader.name, "extractor_version": extractor_tag(reader),
                    "num_real": 0, "num_fake": 2 * n, "gallery_size": n}
        extra = {"chance": 1.0 / n, "mean_rank": float(rank.mean())}
        return {f"identity_{reader.name}": MetricValue(mean=accuracy, std=None,
                                                       protocol=protocol, extra=extra)}
