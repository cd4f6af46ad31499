"""The baseline losses against values computed by hand on small tensors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from gan3d_acgan.loss import ACGANLoss
from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput, LossInputs
from gan3d_lsgan.loss import LSGANLoss
from gan3d_wgangp.loss import WGANGPLoss, gradient_penalty


def _inputs(real_logits=None, fake_logits=None, **extra) -> LossInputs:
    fake = torch.zeros(len(fake_logits), 3, 2, 2)
    return LossInputs(
        fake=fake, fake_out=DiscriminatorOutput(logits=fake_logits), discriminator=None,
        z=torch.zeros(len(fake_logits), 4),
        real=None if real_logits is None else torch.zeros(len(real_logits), 3, 2, 2),
        real_out=None if real_logits is None else DiscriminatorOutput(logits=real_logits),
        **extra)


def test_lsgan_default_coding_by_hand():
    loss = LSGANLoss()
    assert (loss.a, loss.b, loss.c) == (0.0, 1.0, 1.0)
    real = torch.tensor([1.0, 3.0])
    fake = torch.tensor([-1.0, 2.0])
    total, terms = loss.discriminator_loss(_inputs(real, fake))
    # real: 0.5 * mean((1-1)^2, (3-1)^2) = 0.5 * 2 = 1; fake: 0.5 * mean(1, 4) = 1.25
    assert terms["real"].item() == pytest.approx(1.0)
    assert terms["fake"].item() == pytest.approx(1.25)
    assert total.item() == pytest.approx(2.25)
    g_total, _ = loss.generator_loss(_inputs(None, fake))
    # 0.5 * mean((-1-1)^2, (2-1)^2) = 0.5 * 2.5
    assert g_total.item() == pytest.approx(1.25)


def test_lsgan_pearson_coding_by_hand():
    loss = LSGANLoss(a=-1.0, b=1.0, c=0.0)
    real = torch.tensor([0.0, 2.0])
    fake = torch.tensor([0.0, -3.0])
    total, _ = loss.discriminator_loss(_inputs(real, fake))
    # real: 0.5 * mean(1, 1) = 0.5; fake: 0.5 * mean(1, 4) = 1.25
    assert total.item() == pytest.approx(1.75)
    g_total, _ = loss.generator_loss(_inputs(None, fake))
    assert g_total.item() == pytest.approx(0.5 * (0 + 9) / 2)


class LinearCritic(Discriminator):
    """D(x) = <w, x> + b per sample: its input gradient is w everywhere."""

    def __init__(self, weight: torch.Tensor):
        super().__init__()
        self.weight = nn.Parameter(weight.clone())
        self.bias = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, labels=None):
        return DiscriminatorOutput(logits=(x * self.weight).flatten(1).sum(1) + self.bias)


class NormCritic(Discriminator):
    """D(x) = scale * ||x||: its input gradient has norm ``scale`` everywhere but at 0."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, x, labels=None):
        return DiscriminatorOutput(logits=self.scale * x.flatten(1).norm(dim=1))


def test_gradient_penalty_is_zero_for_unit_norm_gradients():
    torch.manual_seed(0)
    real = torch.randn(6, 3, 4, 4)
    fake = torch.randn(6, 3, 4, 4)
    weight = torch.randn(3, 4, 4)
    unit = LinearCritic(weight / weight.norm())
    assert gradient_penalty(unit, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    assert gradient_penalty(NormCritic(1.0), real, fake).item() == pytest.approx(0.0, abs=1e-10)
    # and it is not zero otherwise: gradient norm 3 -> (3 - 1)^2 = 4 for every sample
    assert gradient_penalty(NormCritic(3.0), real, fake).item() == pytest.approx(4.0, rel=1e-5)
    assert gradient_penalty(LinearCritic(weight / weight.norm() * 0.5), real, fake).item() \
        == pytest.approx(0.25, rel=1e-5)


def test_gradient_penalty_interpolates_per_sample():
    # D(x) = ||x||^2 / 2 has gradient x, so the penalty reads the interpolate's norm
    class HalfSquare(Discriminator):
        def forward(self, x, labels=None):
            return DiscriminatorOutput(logits=0.5 * x.flatten(1).pow(2).sum(1))

    real = torch.tensor([[3.0, 0.0], [0.0, 0.0]])
    fake = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    epsilon = torch.tensor([0.5, 0.25])
    # x_hat = [2, 0] (norm 2) and [0, 1.5] (norm 1.5): mean((2-1)^2, (1.5-1)^2) = 0.625
    value = gradient_penalty(HalfSquare(), real, fake, epsilon=epsilon)
    assert value.item() == pytest.approx(0.625)


def test_wgan_gp_loss_by_hand_and_penalty_trains_the_critic():
    torch.manual_seed(1)
    weight = torch.full((3, 2, 2), 0.5)   # gradient norm sqrt(12) * 0.5 = sqrt(3)
    critic = LinearCritic(weight)
    real = torch.randn(4, 3, 2, 2)
    fake = torch.randn(4, 3, 2, 2)
    real_out, fake_out = critic(real), critic(fake)
    inputs = LossInputs(fake=fake, fake_out=fake_out, discriminator=critic, z=torch.zeros(4, 2),
                        real=real, real_out=real_out)
    total, terms = WGANGPLoss().discriminator_loss(inputs)
    penalty = (math.sqrt(3.0) - 1) ** 2
    expected = fake_out.logits.mean() - real_out.logits.mean() + 10 * penalty
    assert terms["penalty"].item() == pytest.approx(penalty, rel=1e-5)
    assert total.item() == pytest.approx(expected.item(), rel=1e-5)
    assert terms["wasserstein"].item() == pytest.approx(
        (real_out.logits.mean() - fake_out.logits.mean()).item())
    total.backward()
    # d/dw of the mean difference is mean(fake) - mean(real); the penalty adds
    # 10 * 2 (|w| - 1) w / |w|, which must be present in the weight's gradient
    data_part = fake.mean(0) - real.mean(0)
    penalty_part = 10 * 2 * (math.sqrt(3.0) - 1) * weight / math.sqrt(3.0)
    assert torch.allclose(critic.weight.grad, data_part + penalty_part, atol=1e-5)
    g_total, _ = WGANGPLoss().generator_loss(LossInputs(
        fake=fake, fake_out=DiscriminatorOutput(logits=torch.tensor([1.0, 3.0])),
        discriminator=critic, z=torch.zeros(2, 2)))
    assert g_total.item() == pytest.approx(-2.0)


def test_acgan_loss_by_hand():
    real_class = torch.tensor([[2.0, 0.0], [0.0, 0.0]])
    fake_class = torch.tensor([[0.0, 1.0], [3.0, 0.0]])
    inputs = LossInputs(
        fake=torch.zeros(2, 3, 2, 2), z=torch.zeros(2, 4), discriminator=None,
        fake_out=DiscriminatorOutput(logits=torch.tensor([0.0, 0.0]), class_logits=fake_class),
        real=torch.zeros(2, 3, 2, 2),
        real_out=DiscriminatorOutput(logits=torch.tensor([0.0, 0.0]), class_logits=real_class),
        real_labels=torch.tensor([0, 1]), fake_labels=torch.tensor([1, 1]))
    total, terms = ACGANLoss().discriminator_loss(inputs)
    log2 = math.log(2.0)
    class_real = (math.log(1 + math.exp(-2.0)) + log2) / 2
    class_fake = (math.log(1 + math.exp(-1.0)) + math.log(1 + math.exp(3.0))) / 2
    assert terms["real"].item() == pytest.approx(log2)
    assert terms["fake"].item() == pytest.approx(log2)
    assert terms["class_real"].item() == pytest.approx(class_real, rel=1e-6)
    assert terms["class_fake"].item() == pytest.approx(class_fake, rel=1e-6)
    assert total.item() == pytest.approx(2 * log2 + class_real + class_fake, rel=1e-6)
    g_total, g_terms = ACGANLoss(class_weight=0.5).generator_loss(inputs)
    assert g_total.item() == pytest.approx(log2 + 0.5 * class_fake, rel=1e-6)
    assert set(g_terms) == {"fake", "class_fake"}


def test_acgan_class_head_learns_from_real_and_fake():
    real_class = torch.zeros(3, 2, requires_grad=True)
    fake_class = torch.zeros(3, 2, requires_grad=True)
    inputs = LossInputs(
        fake=torch.zeros(3, 3, 2, 2), z=torch.zeros(3, 4), discriminator=None,
        fake_out=DiscriminatorOutput(logits=torch.zeros(3), class_logits=fake_class),
        real=torch.zeros(3, 3, 2, 2),
        real_out=DiscriminatorOutput(logits=torch.zeros(3), class_logits=real_class),
        real_labels=torch.tensor([0, 1, 1]), fake_labels=torch.tensor([1, 0, 0]))
    total, _ = ACGANLoss().discriminator_loss(inputs)
    total.backward()
    # cross-entropy pushes each sample's true class up: gradient -(1 - 1/2)/3 on it
    for grad, labels in ((real_class.grad, [0, 1, 1]), (fake_class.grad, [1, 0, 0])):
        for row, label in enumerate(labels):
            assert grad[row, label].item() == pytest.approx(-0.5 / 3)
            assert grad[row, 1 - label].item() == pytest.approx(0.5 / 3)


def test_acgan_loss_without_labels_says_what_is_missing():
    inputs = _inputs(torch.zeros(2), torch.zeros(2))
    with pytest.raises(UserError, match="class_logits"):
        ACGANLoss().discriminator_loss(inputs)
