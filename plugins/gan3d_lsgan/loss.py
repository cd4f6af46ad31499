"""The least-squares GAN loss (Mao et al., 2017)."""

from __future__ import annotations

import torch

from gan3d_bench.interfaces import Loss, LossInputs, LossTerms


def half_mean_square(values: torch.Tensor, target: float) -> torch.Tensor:
    """``0.5 * mean((values - target)^2)``, one of LSGAN's terms.

    Args:
        values: raw discriminator outputs.
        target: the value they are pulled towards.

    Returns:
        A scalar.
    """
    return 0.5 * (values - target).pow(2).mean()


class LSGANLoss(Loss):
    """Least squares on the discriminator's linear output (no sigmoid).

    ``L_D = 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]`` and
    ``L_G = 1/2 E[(D(G(z)) - c)^2]``.

    The default is the 0-1 coding ``a = 0, b = 1, c = 1``. The paper proposes two codings and
    observes that they perform alike; the 0-1 coding is the one most LSGAN implementations
    and benchmark suites use (so our numbers compare with theirs), and with ``c = b`` the
    generator aims at exactly the value the discriminator gives real data. The other coding,
    ``a = -1, b = 1, c = 0``, is the one whose optimum minimises the Pearson chi-square
    divergence.

    Args:
        a: the discriminator's target for fake samples.
        b: the discriminator's target for real samples.
        c: the value the generator wants the discriminator to give its samples.
    """

    def __init__(self, a: float = 0.0, b: float = 1.0, c: float = 1.0):
        self.a = float(a)
        self.b = float(b)
        self.c = float(c)

    def discriminator_loss(self, inputs: LossInputs) -> LossTerms:
        real = half_mean_square(inputs.real_out.logits, self.b)
        fake = half_mean_square(inputs.fake_out.logits, self.a)
        return real + fake, {"real": real, "fake": fake}

    def generator_loss(self, inputs: LossInputs) -> LossTerms:
        fake = half_mean_square(inputs.fake_out.logits, self.c)
        return fake, {"fake": fake}
