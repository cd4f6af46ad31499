"""KID as a ``torchmetrics.Metric``: features accumulate, KID is computed once at the end.

Unlike torchmetrics' own ``KernelInceptionDistance``, the subsets are torch-fidelity's (a
seeded numpy ``RandomState``), so every rank computes the same value after the features are
gathered by torchmetrics' distributed sync, and the result equals ``kid_from_features``.
"""

from __future__ import annotations

import torch
import torchmetrics
from torch import nn
from torchmetrics.utilities.data import dim_zero_cat

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.kid import kid_from_features
from gan3d_bench.evaluation.subsets import TORCH_FIDELITY_SEED


def _is_empty(state) -> bool:
    """A feature state is a list of batches, or one tensor after a distributed sync."""
    return state.numel() == 0 if torch.is_tensor(state) else len(state) == 0


class KernelDistance(torchmetrics.Metric):
    """Accumulates real and fake features and computes KID with torch-fidelity's subsets.

    Args:
        feature_extractor: a module mapping ``update``'s inputs to ``[B, d]`` features, or
            None when ``update`` is given features directly.
        subsets: number of subsets S.
        subset_size: samples per subset m.
        degree: polynomial kernel degree.
        gamma: kernel scale (None: 1 / d).
        coef0: kernel offset.
        seed: seed of the subset draw.
        clamp_subset_size: shrink m to the smaller count instead of failing.
        reset_real_features: whether ``reset()`` also drops the real features (False keeps
            them for scoring several generators against the same reference).
        **kwargs: passed to ``torchmetrics.Metric`` (``dist_sync_on_step``, ...).
    """

    is_differentiable = False
    higher_is_better = False
    full_state_update = False

    def __init__(self, feature_extractor: nn.Module | None = None, subsets: int = 100,
                 subset_size: int = 1000, degree: int = 3, gamma: float | None = None,
                 coef0: float = 1.0, seed: int = TORCH_FIDELITY_SEED,
                 clamp_subset_size: bool = False, reset_real_features: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.feature_extractor = feature_extractor
        self.kid_options = {"subsets": subsets, "subset_size": subset_size, "degree": degree,
                            "gamma": gamma, "coef0": coef0, "seed": seed,
                            "clamp_subset_size": clamp_subset_size}
        self.reset_real_features = reset_real_features
        self.add_state("real_features", [], dist_reduce_fx="cat")
        self.add_state("fake_features", [], dist_reduce_fx="cat")
        self.last_result = None

    def update(self, inputs: torch.Tensor, real: bool) -> None:
        """Adds a batch.

        Args:
            inputs: images for the feature extractor, or ``[B, d]`` features without one.
            real: True for real samples, False for generated ones.
        """
        if self.feature_extractor is not None:
            with torch.no_grad():
                features = self.feature_extractor(inputs)
        else:
            features = inputs
        if features.dim() != 2:
            raise UserError(f"KernelDistance.update expects [B, d] features, got shape "
                            f"{tuple(features.shape)}")
        target = self.real_features if real else self.fake_features
        target.append(features.detach().float())

    def compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        """KID over the accumulated features.

        Returns:
            ``(mean, std)`` as fp64 scalar tensors; the full ``KIDResult`` is kept in
            ``last_result``.
        """
        if _is_empty(self.real_features) or _is_empty(self.fake_features):
            raise UserError("KernelDistance.compute() needs real and fake features; call "
                            "update(..., real=True) and update(..., real=False) first")
        real = dim_zero_cat(self.real_features)
        fake = dim_zero_cat(self.fake_features)
        result = kid_from_features(real, fake, device=real.device, **self.kid_options)
        self.last_result = result
        return (torch.tensor(result.mean, dtype=torch.float64),
                torch.tensor(result.std, dtype=torch.float64))

    def reset(self) -> None:
        """Clears the fake features (and the real ones when ``reset_real_features``)."""
        if self.reset_real_features:
            super().reset()
            return
        kept = self._defaults.pop("real_features")
        try:
            super().reset()
        finally:
            self._defaults["real_features"] = kept
