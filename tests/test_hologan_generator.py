"""The HoloGAN generator: stage shapes at 64 and 128, AdaIN, pose handling and sampling."""

import pytest
import torch

from gan3d_bench.errors import UserError
from gan3d_hologan.generator import HoloGANGenerator
from gan3d_hologan.layers import AdaIN

TINY = 1 / 16  # every channel count at its minimum of 4 or a little above


def _stage_shapes(generator, batch=2):
    """Runs the generator and records the output shape of each named stage."""
    shapes = {}
    hooks = []
    stages = {"constant_style": generator.constant_style, "projection": generator.projection,
              "to_rgb": generator.to_rgb}
    stages.update({f"volume_up{i}": m for i, m in enumerate(generator.volume_ups)})
    stages.update({f"frustum{i}": m for i, m in enumerate(generator.frustum)})
    stages.update({f"image_up{i}": m for i, m in enumerate(generator.image_ups)})
    for name, module in stages.items():
        hooks.append(module.register_forward_hook(
            lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape))))
    inputs = generator.sample_inputs(batch, torch.Generator().manual_seed(0))
    image = generator(inputs["z"], inputs["pose"])
    for hook in hooks:
        hook.remove()
    shapes["output"] = tuple(image.shape)
    return shapes, image


def test_stages_at_64():
    generator = HoloGANGenerator(resolution=64, width=TINY)
    shapes, image = _stage_shapes(generator)
    c = generator.constant.shape[1]
    volume = [up.out_channels for up in generator.volume_ups]
    assert shapes["constant_style"] == (2, c, 4, 4, 4)
    assert shapes["volume_up0"] == (2, volume[0], 8, 8, 8)
    assert shapes["volume_up1"] == (2, volume[1], 16, 16, 16)
    assert generator.projection.in_channels == volume[1] * 16  # depth folded into channels
    assert shapes["projection"][2:] == (16, 16)
    assert shapes["image_up0"][2:] == (32, 32)
    assert shapes["image_up1"][2:] == (64, 64)
    assert shapes["output"] == (2, 3, 64, 64)
    assert not generator.frustum
    assert image.abs().max() <= 1.0


def test_stages_at_128():
    generator = HoloGANGenerator(resolution=128, width=TINY)
    shapes, _ = _stage_shapes(generator)
    assert shapes["volume_up0"][2:] == (8, 8, 8)
    assert shapes["volume_up1"][2:] == (16, 16, 16)
    assert shapes["frustum0"][2:] == shapes["frustum1"][2:] == (16, 16, 16)
    assert generator.projection.in_channels == generator.frustum[1].out_channels * 16
    assert [shapes[f"image_up{i}"][2:] for i in range(3)] == [(32, 32), (64, 64), (128, 128)]
    assert shapes["output"] == (2, 3, 128, 128)


@pytest.mark.parametrize(("resolution", "expected"), [
    (64, {"constant": 512, "volume": [128, 64], "frustum": [], "projection": (1024, 1024),
          "image": [256, 64], "kernels": [4, 4]}),
    (128, {"constant": 512, "volume": [256, 128], "frustum": [64, 64], "projection": (1024, 512),
           "image": [256, 64, 32], "kernels": [4, 4, 4]}),
])
def test_paper_channel_counts_at_full_width(resolution, expected):
    generator = HoloGANGenerator(resolution=resolution, width=1.0)
    assert generator.constant.shape == (1, expected["constant"], 4, 4, 4)
    assert [m.out_channels for m in generator.volume_ups] == expected["volume"]
    assert all(m.kernel_size == (3, 3, 3) and m.stride == (2, 2, 2) for m in
               generator.volume_ups)
    assert [m.out_channels for m in generator.frustum] == expected["frustum"]
    assert all(m.stride == (1, 1, 1) for m in generator.frustum)
    projection = generator.projection
    assert (projection.in_channels, projection.out_channels) == expected["projection"]
    assert projection.kernel_size == (1, 1)
    assert [m.out_channels for m in generator.image_ups] == expected["image"]
    assert [m.kernel_size[0] for m in generator.image_ups] == expected["kernels"]
    assert generator.to_rgb.kernel_size == (4, 4) and generator.to_rgb.stride == (1, 1)
    assert generator.leaky == (resolution == 128)


def test_width_scales_the_channels():
    half = HoloGANGenerator(resolution=64, width=0.5)
    assert half.constant.shape[1] == 256
    assert half.projection.in_channels == 32 * 16


def test_adain_takes_its_scale_and_bias_from_z():
    torch.manual_seed(0)
    layer = AdaIN(z_dim=8, channels=3)
    z = torch.randn(4, 8)
    x = torch.randn(4, 3, 5, 6, 7) * 3 + 2
    out = layer(x, z)
    scale, bias = torch.relu(layer.style(z)).chunk(2, dim=1)
    assert (scale >= 0).all() and (bias >= 0).all()
    mean = out.mean(dim=(2, 3, 4))
    std = out.std(dim=(2, 3, 4), correction=0)
    assert torch.allclose(mean, bias, atol=1e-4)
    assert torch.allclose(std, scale, atol=1e-4)


def test_the_same_z_renders_differently_at_different_poses():
    generator = HoloGANGenerator(resolution=64, width=TINY).eval()
    z = generator.sample_z(1, torch.Generator().manual_seed(1)).repeat(3, 1)
    pose = torch.tensor([[0.0, 10.0], [0.0, 10.0], [120.0, 10.0]])
    with torch.no_grad():
        images = generator(z, pose)
    assert torch.allclose(images[0], images[1])
    assert (images[0] - images[2]).abs().max() > 1e-4


def test_pose_sampling_follows_the_ranges():
    generator = HoloGANGenerator(azimuth_range=(10, 20), elevation_range=(0, 35), width=TINY)
    pose = generator.sample_pose(500, torch.Generator().manual_seed(0))
    assert pose.shape == (500, 2)
    assert torch.equal(pose, pose.round())  # whole degrees, as the paper's randint
    assert pose[:, 0].min() >= 10 and pose[:, 0].max() <= 19
    assert pose[:, 1].min() >= 0 and pose[:, 1].max() <= 34
    assert len(pose[:, 0].unique()) == 10
    continuous = HoloGANGenerator(integer_degrees=False, width=TINY).sample_pose(100)
    assert not torch.equal(continuous, continuous.round())
    with_extras = HoloGANGenerator(width=TINY, scale_range=(0.8, 1.2),
                                   translation_range=(-2, 2)).sample_pose(50)
    assert with_extras.shape == (50, 6)
    assert with_extras[:, 2].min() >= 0.8 and with_extras[:, 2].max() < 1.2
    assert with_extras[:, 3:].abs().max() <= 2


def test_z_is_uniform_in_minus_one_one():
    z = HoloGANGenerator(width=TINY).sample_z(1000)
    assert z.shape == (1000, 128)
    assert z.min() >= -1 and z.max() <= 1 and z.min() < -0.99


def test_bad_settings_are_refused_clearly():
    with pytest.raises(UserError, match="resolution 64 or 128"):
        HoloGANGenerator(resolution=32)
    with pytest.raises(UserError, match="whole-number"):
        HoloGANGenerator(azimuth_range=(0.5, 10))
    with pytest.raises(UserError, match="low is above high"):
        HoloGANGenerator(elevation_range=(40, 10))
    with pytest.raises(ValueError, match="pose-aware"):
        HoloGANGenerator(width=TINY)(torch.zeros(1, 128))
