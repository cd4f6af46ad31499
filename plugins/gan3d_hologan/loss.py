"""HoloGAN's objective: non-saturating GAN loss, identity loss and style-discriminator loss.

As the released code (``model_HoloGAN.py``, ``build_HoloGAN``):

* ``L_D = BCE(D(x), 1) + BCE(D(G(z)), 0) + sum_l style_weight * (BCE(s_l(x), 1) +
  BCE(s_l(G(z)), 0)) + L_id``
* ``L_G = BCE(D(G(z)), 1) + L_id``
* ``L_id = lambda_latent * mean((Q(G(z)) - z)^2)``: the identity (latent reconstruction) loss,
  added to both; in D's update it trains the Q head, in G's it trains G.

The style term is in the discriminator's loss only: the paper's total loss also gives it to
the generator, the released code does not, and we follow the code. Defaults are the released
config's (``lambda_latent = 0``, ``DStyle_lambda = 1``); the 128 config turns both on.
"""

from __future__ import annotations

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import DiscriminatorOutput, Loss, LossInputs, LossTerms
from gan3d_bench.losses import bce_with_logits


def latent_reconstruction_loss(latent: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """Mean squared error between reconstructed and true latents.

    Args:
        latent: ``[B, z_dim]`` the Q head's output.
        z: ``[B, z_dim]`` the latents behind the images.

    Returns:
        A scalar, ``mean((latent - z)^2)``.
    """
    if latent.shape != z.shape:
        raise UserError(f"hologan_loss: the discriminator reconstructs latents of shape "
                        f"{tuple(latent.shape[1:])}, but the generator's z has "
                        f"{tuple(z.shape[1:])}; give the discriminator the generator's z_dim")
    return torch.mean(torch.square(latent - z))


class HoloGANLoss(Loss):
    """HoloGAN's loss.

    Args:
        lambda_latent: weight of the identity loss (0 switches it off).
        style_weight: weight of each style-discriminator layer's loss (used when the
            discriminator returns style logits; 0 switches it off).
    """

    def __init__(self, lambda_latent: float = 0.0, style_weight: float = 1.0):
        if lambda_latent < 0 or style_weight < 0:
            raise UserError("hologan_loss.lambda_latent and hologan_loss.style_weight must be "
                            ">= 0")
        self.lambda_latent = float(lambda_latent)
        self.style_weight = float(style_weight)

    def _identity(self, fake_out: DiscriminatorOutput, z: torch.Tensor,
                  terms: dict) -> torch.Tensor | None:
        if fake_out.latent is None:
            if self.lambda_latent > 0:
                raise UserError(f"hologan_loss.lambda_latent = {self.lambda_latent} needs a "
                                f"discriminator with a latent head (hologan_discriminator); "
                                f"this one returns no latent. Set hologan_loss.lambda_latent "
                                f"= 0.0 or use @hologan_discriminator")
            return None
        mse = latent_reconstruction_loss(fake_out.latent, z)
        terms["latent_mse"] = mse.detach()
        if self.lambda_latent == 0:
            return None
        identity = self.lambda_latent * mse
        terms["identity"] = identity
        return identity

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        """``BCE(real, 1) + BCE(fake, 0)`` + style losses + identity loss.

        Args:
            inputs: real and fake batches with the discriminator's outputs.

        Returns:
            ``(total, terms)``; terms ``real``, ``fake``, ``style`` and ``style<l>`` per
            layer (with the style discriminator), ``identity`` (when weighted in) and
            ``latent_mse`` (the unweighted reconstruction error, always logged).
        """
        real = bce_with_logits(inputs.real_out.logits, 1.0)
        fake = bce_with_logits(inputs.fake_out.logits, 0.0)
        total = real + fake
        terms: dict[str, torch.Tensor] = {"real": real, "fake": fake}
        real_style, fake_style = inputs.real_out.style_logits, inputs.fake_out.style_logits
        if self.style_weight > 0 and real_style is not None and fake_style is not None:
            style_total = real.new_zeros(())
            pairs = zip(real_style, fake_style, strict=True)
            for layer, (on_real, on_fake) in enumerate(pairs, start=1):
                term = self.style_weight * (bce_with_logits(on_real, 1.0) +
                                            bce_with_logits(on_fake, 0.0))
                terms[f"style{layer}"] = term
                style_total = style_total + term
            terms["style"] = style_total
            total = total + style_total
        identity = self._identity(inputs.fake_out, inputs.z, terms)
        if identity is not None:
            total = total + identity
        return total, terms

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        """``BCE(fake, 1)`` + identity loss.

        Args:
            inputs: fake samples with the discriminator's output on them.

        Returns:
            ``(total, terms)``; terms ``fake``, ``identity`` (when weighted in) and
            ``latent_mse``.
        """
        fake = bce_with_logits(inputs.fake_out.logits, 1.0)
        terms: dict[str, torch.Tensor] = {"fake": fake}
        total = fake
        identity = self._identity(inputs.fake_out, inputs.z, terms)
        if identity is not None:
            total = total + identity
        return total, terms
