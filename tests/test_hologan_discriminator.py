"""The HoloGAN discriminator: heads, spectral norm, and the style discriminator's outputs."""

import pytest
import torch
from torch.nn.utils import parametrize

from gan3d_bench.errors import UserError
from gan3d_hologan.discriminator import HoloGANDiscriminator

TINY = 1 / 16


@pytest.mark.parametrize(("resolution", "layers"), [(64, 3), (128, 4)])
def test_outputs_and_style_logits_per_layer(resolution, layers):
    torch.manual_seed(0)
    disc = HoloGANDiscriminator(resolution=resolution, width=TINY, z_dim=7,
                                style_discriminator=True)
    images = torch.rand(3, 3, resolution, resolution) * 2 - 1
    pre_norm = []
    hooks = [conv.register_forward_hook(lambda _m, _i, out: pre_norm.append(out))
             for conv in disc.convs]
    out = disc(images)
    for hook in hooks:
        hook.remove()
    assert out.logits.shape == (3,)
    assert out.latent.shape == (3, 7) and out.latent.abs().max() <= 1
    assert len(out.style_logits) == layers == len(pre_norm)
    for features, logits, head in zip(pre_norm, out.style_logits, disc.style_heads, strict=True):
        # each layer classifies the per-channel mean and variance of its pre-norm features
        mean = features.mean(dim=(2, 3))
        var = features.var(dim=(2, 3), correction=0)
        assert logits.shape == (3, 2)
        assert torch.allclose(logits[:, 0], head(mean).squeeze(1), atol=1e-5)
        assert torch.allclose(logits[:, 1], head(var).squeeze(1), atol=1e-5)
    assert pre_norm[-1].shape[2:] == (4, 4)  # the final map is 4x4 at both resolutions


def test_style_discriminator_is_switchable():
    disc = HoloGANDiscriminator(resolution=64, width=TINY)
    assert disc(torch.zeros(2, 3, 64, 64)).style_logits is None
    assert disc.style_heads is None


@pytest.mark.parametrize(("resolution", "channels"), [
    (64, [64, 128, 256, 512]), (128, [64, 128, 256, 512, 1024])])
def test_paper_layers_at_full_width(resolution, channels):
    disc = HoloGANDiscriminator(resolution=resolution, z_dim=128, style_discriminator=True)
    convs = [disc.first, *disc.convs]
    assert [c.out_channels for c in convs] == channels
    assert all(c.kernel_size == (5, 5) and c.stride == (2, 2) for c in convs)
    # spectral norm on every conv but the first
    assert not parametrize.is_parametrized(disc.first)
    assert all(parametrize.is_parametrized(c, "weight") for c in disc.convs)
    assert disc.head.in_features == channels[-1] * 16
    assert (disc.latent_hidden.out_features, disc.latent_out.out_features) == (128, 128)
    assert [h.in_features for h in disc.style_heads] == channels[1:]


def test_instance_norm_affine_starts_near_one_and_zero():
    disc = HoloGANDiscriminator(resolution=64, width=1.0)
    weight = torch.cat([n.weight for n in disc.norms]).detach()
    assert abs(float(weight.mean()) - 1.0) < 0.01 and 0.01 < float(weight.std()) < 0.03
    assert all(float(n.bias.detach().abs().max()) == 0 for n in disc.norms)


def test_unsupported_resolution():
    with pytest.raises(UserError, match="64 or 128"):
        HoloGANDiscriminator(resolution=32)


def test_width_factor_widens_only_the_discriminator():
    disc = HoloGANDiscriminator(resolution=64, width=0.125, width_factor=2.0)
    assert [c.out_channels for c in [disc.first, *disc.convs]] == [16, 32, 64, 128]
