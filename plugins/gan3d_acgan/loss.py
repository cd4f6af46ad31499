"""The AC-GAN objective: the non-saturating GAN loss plus an auxiliary class cross-entropy."""

from __future__ import annotations

import torch.nn.functional as F

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Loss, LossInputs, LossTerms
from gan3d_bench.losses import bce_with_logits


class ACGANLoss(Loss):
    """AC-GAN (Odena et al., 2017) in its usual non-saturating form.

    D minimises ``BCE(real, 1) + BCE(fake, 0) + w (CE(C(x_real), y_real) +
    CE(C(x_fake), y_fake))``: the class head learns from real AND generated images. G minimises
    ``BCE(fake, 1) + w CE(C(G(z, y)), y)``.

    Args:
        class_weight: w, the weight of the class terms (1 in the paper).
    """

    def __init__(self, class_weight: float = 1.0):
        self.class_weight = float(class_weight)

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        _require_labels(inputs, real=True)
        real = bce_with_logits(inputs.real_out.logits, 1.0)
        fake = bce_with_logits(inputs.fake_out.logits, 0.0)
        class_real = F.cross_entropy(inputs.real_out.class_logits, inputs.real_labels)
        class_fake = F.cross_entropy(inputs.fake_out.class_logits, inputs.fake_labels)
        total = real + fake + self.class_weight * (class_real + class_fake)
        return total, {"real": real, "fake": fake, "class_real": class_real,
                       "class_fake": class_fake}

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        _require_labels(inputs, real=False)
        fake = bce_with_logits(inputs.fake_out.logits, 1.0)
        class_fake = F.cross_entropy(inputs.fake_out.class_logits, inputs.fake_labels)
        return fake + self.class_weight * class_fake, {"fake": fake, "class_fake": class_fake}


def _require_labels(inputs: LossInputs, real: bool) -> None:
    missing = []
    if inputs.fake_out.class_logits is None:
        missing.append("class_logits from the discriminator (use @acgan_discriminator)")
    if inputs.fake_labels is None:
        missing.append("labels for the fakes (use a conditional generator, @acgan_generator)")
    if real and inputs.real_labels is None:
        missing.append("'label' in the real batches (use a labelled dataset, synth_mixture)")
    if missing:
        raise UserError("the acgan loss needs " + "; ".join(missing))
