"""HoloGAN's loss: GAN terms, identity loss and style-discriminator loss, by hand."""

import math

import pytest
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import DiscriminatorOutput, LossInputs
from gan3d_hologan.loss import HoloGANLoss


def _softplus(x):
    return math.log1p(math.exp(x))


def _inputs(real_logits, fake_logits, z, latent=None, real_style=None, fake_style=None):
    real_out = None if real_logits is None else DiscriminatorOutput(
        logits=torch.tensor(real_logits), style_logits=real_style)
    fake_out = DiscriminatorOutput(logits=torch.tensor(fake_logits), latent=latent,
                                   style_logits=fake_style)
    return LossInputs(fake=torch.zeros(len(fake_logits), 3, 4, 4), fake_out=fake_out,
                      discriminator=None, z=z, real=None if real_out is None else
                      torch.zeros(1), real_out=real_out)


def test_identity_loss_is_zero_when_the_reconstruction_is_exact():
    z = torch.rand(4, 5) * 2 - 1
    loss = HoloGANLoss(lambda_latent=10.0)
    d_total, d_terms = loss.discriminator_loss(_inputs([1.0] * 4, [-1.0] * 4, z, latent=z))
    g_total, g_terms = loss.generator_loss(_inputs(None, [-1.0] * 4, z, latent=z.clone()))
    assert float(d_terms["identity"]) == 0.0 and float(g_terms["identity"]) == 0.0
    assert float(d_total) == pytest.approx(float(d_terms["real"] + d_terms["fake"]))
    assert float(g_total) == pytest.approx(float(g_terms["fake"]))


def test_values_by_hand():
    z = torch.tensor([[0.5, -0.5], [0.0, 1.0]])
    latent = torch.tensor([[0.0, -0.5], [0.0, 0.0]])  # squared errors 0.25, 0, 0, 1 -> 0.3125
    loss = HoloGANLoss(lambda_latent=2.0)
    d_total, d_terms = loss.discriminator_loss(_inputs([2.0, 0.0], [1.0, -3.0], z, latent))
    real = (_softplus(-2.0) + _softplus(0.0)) / 2
    fake = (_softplus(1.0) + _softplus(-3.0)) / 2
    assert float(d_terms["real"]) == pytest.approx(real, rel=1e-5)
    assert float(d_terms["fake"]) == pytest.approx(fake, rel=1e-5)
    assert float(d_terms["latent_mse"]) == pytest.approx(0.3125)
    assert float(d_terms["identity"]) == pytest.approx(0.625)
    assert float(d_total) == pytest.approx(real + fake + 0.625, rel=1e-5)
    g_total, g_terms = loss.generator_loss(_inputs(None, [1.0, -3.0], z, latent))
    g_fake = (_softplus(-1.0) + _softplus(3.0)) / 2  # non-saturating: -log D(G(z))
    assert float(g_total) == pytest.approx(g_fake + 0.625, rel=1e-5)
    assert set(g_terms) == {"fake", "identity", "latent_mse"}


def test_style_loss_goes_to_the_discriminator_only():
    z = torch.zeros(2, 3)
    real_style = [torch.tensor([[1.0, 2.0], [0.0, -1.0]]), torch.tensor([[0.5, 0.5], [0.5, 0.5]])]
    fake_style = [torch.tensor([[-1.0, 0.0], [3.0, 0.0]]), torch.tensor([[0.0, 0.0], [0.0, 0.0]])]
    loss = HoloGANLoss(style_weight=0.5)
    total, terms = loss.discriminator_loss(_inputs([0.0, 0.0], [0.0, 0.0], z, torch.zeros(2, 3),
                                                   real_style, fake_style))
    layer1 = 0.5 * (sum(_softplus(-v) for v in (1.0, 2.0, 0.0, -1.0)) / 4 +
                    sum(_softplus(v) for v in (-1.0, 0.0, 3.0, 0.0)) / 4)
    layer2 = 0.5 * (_softplus(-0.5) + _softplus(0.0))
    assert float(terms["style1"]) == pytest.approx(layer1, rel=1e-5)
    assert float(terms["style2"]) == pytest.approx(layer2, rel=1e-5)
    assert float(total) == pytest.approx(2 * math.log(2) + layer1 + layer2, rel=1e-5)
    assert "identity" not in terms  # lambda_latent = 0: logged as latent_mse only
    _, g_terms = loss.generator_loss(_inputs(None, [0.0, 0.0], z, torch.zeros(2, 3),
                                             fake_style=fake_style))
    assert not any(name.startswith("style") for name in g_terms)


def test_identity_loss_needs_a_latent_head():
    loss = HoloGANLoss(lambda_latent=1.0)
    with pytest.raises(UserError, match="latent head"):
        loss.generator_loss(_inputs(None, [0.0], torch.zeros(1, 2)))
    # without the weight, a discriminator with no latent head is fine (mixing components)
    _, terms = HoloGANLoss().generator_loss(_inputs(None, [0.0], torch.zeros(1, 2)))
    assert set(terms) == {"fake"}
