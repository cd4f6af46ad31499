"""One HoloGAN training iteration on the CPU, and mixing its components with others."""

import copy

import torch

from gan3d_bench.training.step import GANStep, Models
from gan3d_dcgan.discriminator import DCGANDiscriminator
from gan3d_dcgan.loss import NonSaturatingLoss
from gan3d_hologan.discriminator import HoloGANDiscriminator
from gan3d_hologan.generator import HoloGANGenerator
from gan3d_hologan.loss import HoloGANLoss

TINY = 1 / 16


def _models(generator, discriminator, loss, batch=4):
    return Models(generator=generator, discriminator=discriminator, loss=loss,
                  g_optimizer=torch.optim.Adam(generator.parameters(), 1e-4, betas=(0.5, 0.999)),
                  d_optimizer=torch.optim.Adam(discriminator.parameters(), 1e-4,
                                               betas=(0.5, 0.999)),
                  batch_size=batch)


def _changed(before, module):
    return {name for name, value in module.state_dict().items()
            if value.dtype.is_floating_point and not torch.equal(before[name], value)}


def test_one_iteration_updates_both_networks_with_finite_losses():
    torch.manual_seed(0)
    generator = HoloGANGenerator(resolution=64, width=TINY)
    discriminator = HoloGANDiscriminator(resolution=64, width=TINY, z_dim=128,
                                         style_discriminator=True)
    models = _models(generator, discriminator, HoloGANLoss(lambda_latent=1.0))
    g_before = copy.deepcopy(generator.state_dict())
    d_before = copy.deepcopy(discriminator.state_dict())
    real = {"image": torch.rand(4, 3, 64, 64) * 2 - 1}
    fetched = []
    logs = GANStep(d_steps=1, g_steps=2, g_reuse_inputs=True)(
        models, lambda: fetched.append(1) or real)
    assert len(fetched) == 1  # one D step on one real batch
    assert all(torch.isfinite(torch.tensor(v)) for v in logs.values())
    for name in ("d_real", "d_fake", "d_style", "d_style1", "d_style3", "d_identity",
                 "g_fake", "g_identity"):
        assert name in logs
    g_changed = _changed(g_before, generator)
    d_changed = _changed(d_before, discriminator)
    assert "constant" in g_changed and "to_rgb.weight" in g_changed
    assert any(name.startswith("volume_ups.0") for name in g_changed)
    assert "head.weight" in d_changed and "latent_out.weight" in d_changed
    assert "style_heads.0.weight" in d_changed


def test_the_two_generator_steps_reuse_z_and_pose():
    torch.manual_seed(0)
    generator = HoloGANGenerator(resolution=64, width=TINY)
    seen = []
    original = generator.forward
    generator.forward = lambda z, pose=None, labels=None: seen.append((z, pose)) or original(
        z, pose)
    models = _models(generator, HoloGANDiscriminator(width=TINY), HoloGANLoss(), batch=2)
    GANStep(g_steps=2, g_reuse_inputs=True)(models, lambda: {"image": torch.zeros(2, 3, 64, 64)})
    assert len(seen) == 3  # fakes for D, then two G steps
    assert all(torch.equal(z, seen[0][0]) and torch.equal(p, seen[0][1]) for z, p in seen)


def test_the_generator_trains_against_another_plugins_discriminator():
    torch.manual_seed(0)
    generator = HoloGANGenerator(resolution=64, width=TINY)
    before = copy.deepcopy(generator.state_dict())
    models = _models(generator, DCGANDiscriminator(resolution=64, width=TINY),
                     NonSaturatingLoss())
    logs = GANStep()(models, lambda: {"image": torch.rand(4, 3, 64, 64) * 2 - 1})
    assert torch.isfinite(torch.tensor(logs["g_loss"]))
    assert "constant" in _changed(before, generator)
