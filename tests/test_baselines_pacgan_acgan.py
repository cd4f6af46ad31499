"""PacGAN's packing and AC-GAN's conditional generator and class head."""

from __future__ import annotations

import pytest
import torch

from gan3d_acgan.discriminator import ACGANDiscriminator
from gan3d_acgan.generator import ACGANGenerator
from gan3d_acgan.loss import ACGANLoss
from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import LossInputs
from gan3d_bench.registry import get_registry
from gan3d_bench.training.step import GANStep, Models
from gan3d_pacgan.discriminator import PacGANDiscriminator, pack
from gan3d_wgangp.loss import WGANGPLoss


def _base(name: str):
    return get_registry().get("discriminators", name).configurable


def test_pack_stacks_consecutive_samples_on_channels():
    x = torch.arange(6 * 3 * 2 * 2, dtype=torch.float32).view(6, 3, 2, 2)
    packed = pack(x, 3)
    assert packed.shape == (2, 9, 2, 2)
    assert torch.equal(packed[1, 3:6], x[4])
    assert torch.equal(packed[0, :3], x[0]) and torch.equal(packed[0, 6:], x[2])
    with pytest.raises(UserError, match=r"multiple of pacgan_discriminator\.m"):
        pack(x, 4)


@pytest.mark.parametrize(("base", "m"), [("dcgan_discriminator", 2), ("wgan_gp_critic", 3)])
def test_pacgan_inner_discriminator_reads_packs(base, m):
    discriminator = PacGANDiscriminator(base=_base(base), m=m, resolution=32, width=0.125)
    assert discriminator.inner.body[0].in_channels == 3 * m
    seen = []
    discriminator.inner.register_forward_pre_hook(lambda _, args: seen.append(args[0].shape))
    out = discriminator(torch.randn(6 * m, 3, 32, 32))
    assert seen == [(6, 3 * m, 32, 32)]
    assert out.logits.shape == (6,)


def test_pacgan_default_m_is_two_and_bad_bases_are_refused():
    assert PacGANDiscriminator(base=_base("dcgan_discriminator"), resolution=32,
                               width=0.125).m == 2
    with pytest.raises(UserError, match="in_channels"):
        PacGANDiscriminator(base=_base("voxel3dgan_discriminator"), resolution=32)
    with pytest.raises(UserError, match="not a registered discriminator"):
        PacGANDiscriminator(base=ACGANLoss, resolution=32)


def test_pacgan_gradient_penalty_is_per_pack():
    torch.manual_seed(0)
    critic = PacGANDiscriminator(base=_base("wgan_gp_critic"), m=2, resolution=32, width=0.125)
    real, fake = torch.randn(4, 3, 32, 32), torch.randn(4, 3, 32, 32)
    inputs = LossInputs(fake=fake, fake_out=critic(fake), discriminator=critic,
                        z=torch.zeros(4, 2), real=real, real_out=critic(real))
    total, terms = WGANGPLoss().discriminator_loss(inputs)
    assert torch.isfinite(total) and terms["penalty"] > 0


def test_acgan_generator_conditions_on_the_class():
    torch.manual_seed(0)
    generator = ACGANGenerator(num_classes=2, resolution=32, width=0.125)
    inputs = generator.sample_inputs(4)
    assert inputs["labels"].shape == (4,) and inputs["labels"].dtype == torch.long
    z = inputs["z"][:1].repeat(2, 1)
    generator.eval()
    with torch.no_grad():
        images = generator(z, labels=torch.tensor([0, 1]))
    assert images.shape == (2, 3, 32, 32)
    assert not torch.allclose(images[0], images[1])
    with pytest.raises(UserError, match="at least 2 classes"):
        ACGANGenerator(num_classes=0)


def test_acgan_class_head_is_trained_on_real_and_fake_batches():
    torch.manual_seed(0)
    generator = ACGANGenerator(num_classes=2, resolution=32, width=0.125)
    discriminator = ACGANDiscriminator(num_classes=2, resolution=32, width=0.125)
    recorded = {}

    class Recording(ACGANLoss):
        def discriminator_loss(self, inputs):
            recorded["inputs"] = inputs
            return super().discriminator_loss(inputs)

    models = Models(generator=generator, discriminator=discriminator, loss=Recording(),
                    g_optimizer=torch.optim.SGD(generator.parameters(), lr=0.0),
                    d_optimizer=torch.optim.SGD(discriminator.parameters(), lr=0.0),
                    batch_size=4)
    batch = {"image": torch.rand(4, 3, 32, 32) * 2 - 1, "label": torch.tensor([0, 1, 1, 0])}
    inputs = generator.sample_inputs(4)
    logs = GANStep().discriminator_update(models, batch, inputs)
    seen = recorded["inputs"]
    assert torch.equal(seen.real_labels, batch["label"])
    assert torch.equal(seen.fake_labels, inputs["labels"])
    assert logs["d_class_real"] > 0 and logs["d_class_fake"] > 0
    # the class head's gradient is the sum of a real part and a fake part, both non-zero
    head = discriminator.class_head.weight

    def head_grad(real_weight: float, fake_weight: float) -> torch.Tensor:
        real_out, fake_out = discriminator(batch["image"]), discriminator(seen.fake)
        ce = torch.nn.functional.cross_entropy
        loss = real_weight * ce(real_out.class_logits, batch["label"]) + \
            fake_weight * ce(fake_out.class_logits, inputs["labels"])
        return torch.autograd.grad(loss, head)[0]

    # the step's update (lr 0 leaves the weights as they were) used exactly that gradient;
    # the source head does not touch the class head's weight
    assert torch.allclose(head.grad, head_grad(1, 1), atol=1e-6)
    assert head_grad(1, 0).abs().sum() > 0 and head_grad(0, 1).abs().sum() > 0
