"""Pure loss functions shared by built-in and third-party ``Loss`` classes."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def bce_with_logits(logits: torch.Tensor, target: float) -> torch.Tensor:
    """Mean sigmoid cross-entropy of ``logits`` against a constant label.

    Args:
        logits: raw discriminator outputs, any shape.
        target: the label, 1.0 for real and 0.0 for fake.

    Returns:
        A scalar: ``mean(softplus(-x))`` for target 1, ``mean(softplus(x))`` for target 0.
    """
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def discriminator_accuracy(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The fraction of a real and a fake batch that a discriminator classifies correctly.

    Real counts as correct when its logit is > 0 (D > 0.5), fake when < 0 (D < 0.5); the two
    batches are pooled, as in 3D-GAN's update rule. The fraction is computed in float64, so
    that an accuracy of exactly 80% compares equal to the gate 0.8 (in float32, 16/20 is
    0.800000012 and a ``<= 0.8`` test would wrongly fail).

    Args:
        real_logits: logits on real samples.
        fake_logits: logits on generated samples.

    Returns:
        A float64 scalar tensor in [0, 1].
    """
    correct = torch.cat([(real_logits.detach() > 0).flatten(),
                         (fake_logits.detach() < 0).flatten()])
    return correct.to(torch.float64).mean()
