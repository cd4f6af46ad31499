"""The HoloGAN gin files build the paper's settings, and their quick versions."""

from pathlib import Path

import pytest
import torch

from gan3d_bench.runner import RunRequest, build_experiment
from gan3d_hologan.discriminator import HoloGANDiscriminator
from gan3d_hologan.generator import HoloGANGenerator

GIN = Path(__file__).resolve().parent.parent / "gin"


def _build(name, budget):
    built, operative, _ = build_experiment(RunRequest(configs=[GIN / name]), budget)
    return built, operative


@pytest.mark.parametrize(("name", "dataset", "resolution", "elevations", "style", "latent"), [
    ("hologan_cars.gin", "synth_cars", 64, (0, 35), False, 0.0),
    ("hologan_chairs.gin", "synth_chairs", 64, (-20, 70), False, 0.0),
    ("hologan_cars_128.gin", "synth_cars", 128, (0, 35), True, 1.0),
])
def test_paper_settings(name, dataset, resolution, elevations, style, latent):
    built, operative = _build(name, "paper")
    generator, models = built.generator, built.models
    assert built.components["generator"].name == "hologan_generator"
    assert built.components["discriminator"].name == "hologan_discriminator"
    assert built.components["loss"].name == "hologan_loss"
    assert built.dataset.describe()["name"] == dataset
    assert built.dataset.elevation_range == elevations == generator.elevation_range
    assert generator.azimuth_range == (0, 360)
    assert built.settings["resolution"] == resolution == generator.resolution
    assert built.settings["width"] == 1.0 and built.settings["batch_size"] == 32
    assert generator.z_dim == 128 and generator.z_distribution == "uniform"
    assert built.discriminator.style_discriminator is style
    assert models.loss.lambda_latent == latent
    for optimizer in (models.g_optimizer, models.d_optimizer):
        assert optimizer.param_groups[0]["lr"] == 1e-4
        assert optimizer.param_groups[0]["betas"] == (0.5, 0.999)
    assert (built.step.d_steps, built.step.g_steps, built.step.g_reuse_inputs) == (1, 2, True)
    assert "hologan_generator.elevation_range" in operative


@pytest.mark.parametrize("name", ["hologan_cars.gin", "hologan_chairs.gin",
                                  "hologan_cars_128.gin"])
def test_quick_budget_is_small(name):
    built, _ = _build(name, "quick")
    # CPU minutes (docs/benchmarks.md has the timings): narrow, short, small batches
    assert built.settings["width"] <= 0.25 and built.settings["steps"] <= 1200
    assert built.settings["batch_size"] <= 32
    assert built.step.g_steps == 2  # the schedule stays the paper's


def test_channels_last_gives_the_same_results():
    outputs = []
    for channels_last in (True, False):
        torch.manual_seed(0)
        generator = HoloGANGenerator(width=1 / 16, channels_last=channels_last)
        discriminator = HoloGANDiscriminator(width=1 / 16, style_discriminator=True,
                                             channels_last=channels_last)
        inputs = generator.sample_inputs(3, torch.Generator().manual_seed(0))
        images = generator(**inputs)
        out = discriminator(images)
        outputs.append((images, out.logits, out.style_logits[0]))
    for first, second in zip(*outputs, strict=True):
        assert torch.allclose(first, second, atol=1e-5)
