"""The WGAN-GP objective: Wasserstein critic loss plus a gradient penalty on interpolates."""

from __future__ import annotations

from collections.abc import Callable

import torch

from gan3d_bench.interfaces import Loss, LossInputs, LossTerms


def gradient_penalty(critic: Callable, real: torch.Tensor, fake: torch.Tensor,
                     epsilon: torch.Tensor | None = None) -> torch.Tensor:
    """``E[(||grad_x D(x_hat)||_2 - 1)^2]`` at ``x_hat = eps * real + (1 - eps) * fake``.

    The norm is taken per critic output: per sample, or per pack for a critic that scores
    packs of samples (PacGAN), whose input is then the whole pack.

    Args:
        critic: called as ``critic(x)``, returns a ``DiscriminatorOutput``.
        real: real samples ``[B, ...]``.
        fake: generated samples of the same shape (detached by the caller or not).
        epsilon: ``[B]`` interpolation weights; default ``U[0, 1]`` per sample.

    Returns:
        A scalar that is differentiable in the critic's weights (double backpropagation).
    """
    batch = real.shape[0]
    if epsilon is None:
        epsilon = torch.rand(batch, device=real.device, dtype=real.dtype)
    epsilon = epsilon.view(batch, *([1] * (real.dim() - 1)))
    x_hat = (epsilon * real.detach() + (1.0 - epsilon) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat).logits
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    norms = grad.reshape(scores.shape[0], -1).norm(2, dim=1)
    return (norms - 1.0).pow(2).mean()


class WGANGPLoss(Loss):
    """WGAN-GP (Gulrajani et al., 2017, Algorithm 1).

    ``L_D = E[D(G(z))] - E[D(x)] + lambda * E[(||grad D(x_hat)||_2 - 1)^2]`` with
    ``x_hat = eps x + (1 - eps) G(z)``, ``eps ~ U[0, 1]`` per sample; ``L_G = -E[D(G(z))]``.
    The penalty calls the critic again through ``LossInputs.discriminator``.

    Args:
        penalty_weight: lambda (10 in the paper).
    """

    def __init__(self, penalty_weight: float = 10.0):
        self.penalty_weight = float(penalty_weight)

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        real = inputs.real_out.logits.mean()
        fake = inputs.fake_out.logits.mean()
        penalty = gradient_penalty(inputs.discriminator, inputs.real, inputs.fake)
        wasserstein = real - fake
        total = fake - real + self.penalty_weight * penalty
        return total, {"real": real, "fake": fake, "wasserstein": wasserstein,
                       "penalty": penalty}

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        fake = inputs.fake_out.logits.mean()
        return -fake, {"fake": fake}
