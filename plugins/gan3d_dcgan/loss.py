"""The non-saturating GAN loss (Goodfellow et al., 2014), as DCGAN and HoloGAN use it."""

from __future__ import annotations

from gan3d_bench.interfaces import Loss, LossInputs, LossTerms
from gan3d_bench.losses import bce_with_logits


class NonSaturatingLoss(Loss):
    """Sigmoid cross-entropy: D pushes real to 1 and fake to 0; G pushes fake to 1.

    ``L_D = -log D(x) - log(1 - D(G(z)))`` and ``L_G = -log D(G(z))``, each a batch mean.
    """

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        real = bce_with_logits(inputs.real_out.logits, 1.0)
        fake = bce_with_logits(inputs.fake_out.logits, 0.0)
        return real + fake, {"real": real, "fake": fake}

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        fake = bce_with_logits(inputs.fake_out.logits, 1.0)
        return fake, {"fake": fake}
