"""The baseline configs in gin/: each builds, with its paper settings and under quick."""

from __future__ import annotations

from pathlib import Path

import gin
import pytest
import torch

from gan3d_bench.config import parse
from gan3d_bench.experiment import Experiment
from gan3d_bench.runner import RunRequest, execute

GIN = Path(__file__).resolve().parent.parent / "gin"

# config -> (generator, discriminator, loss, dataset)
CONFIGS = {
    "lsgan_cars": ("dcgan_generator", "dcgan_discriminator", "lsgan", "synth_cars"),
    "lsgan_chairs": ("dcgan_generator", "dcgan_discriminator", "lsgan", "synth_chairs"),
    "wgan_gp_cars": ("dcgan_generator", "wgan_gp_critic", "wgan_gp", "synth_cars"),
    "wgan_gp_chairs": ("dcgan_generator", "wgan_gp_critic", "wgan_gp", "synth_chairs"),
    "voxel3dgan_cars": ("voxel3dgan_generator", "voxel3dgan_discriminator", "nonsaturating",
                        "synth_cars_voxels"),
    "voxel3dgan_chairs": ("voxel3dgan_generator", "voxel3dgan_discriminator", "nonsaturating",
                          "synth_chairs_voxels"),
    "voxel3dgan_image_cars": ("voxel3dgan_image_generator", "dcgan_discriminator",
                              "nonsaturating", "synth_cars"),
    "voxel3dgan_image_chairs": ("voxel3dgan_image_generator", "dcgan_discriminator",
                                "nonsaturating", "synth_chairs"),
    "pacgan_cars": ("dcgan_generator", "pacgan_discriminator", "nonsaturating", "synth_cars"),
    "acgan_mixture": ("acgan_generator", "acgan_discriminator", "acgan", "synth_mixture"),
}


def _build(name: str, budget: str):
    parsed = parse([GIN / f"{name}.gin"], [], budget)
    with parsed.scope():
        return Experiment().build(default_name=name, device="cpu")


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_config_builds_its_components_at_64(name):
    built = _build(name, "paper")
    roles = ("generator", "discriminator", "loss", "dataset")
    assert tuple(built.components[role].name for role in roles) == CONFIGS[name]
    assert built.settings["resolution"] == 64
    voxel = name.startswith("voxel3dgan_") and "image" not in name
    assert built.settings["batch_size"] == (100 if voxel else 32)
    assert built.generator.modality == ("voxels" if voxel else "image")


def test_paper_schedules_and_optimisers():
    wgan = _build("wgan_gp_cars", "paper")
    assert wgan.step.d_steps == 5 and wgan.step.g_steps == 1
    for optimizer in (wgan.models.g_optimizer, wgan.models.d_optimizer):
        assert optimizer.defaults["lr"] == 1e-4 and optimizer.defaults["betas"] == (0.0, 0.9)
    assert wgan.models.loss.penalty_weight == 10.0 and wgan.discriminator.norm == "layer"
    gin.clear_config()
    # voxel mode: 3D-GAN's optimiser; image mode: HoloGAN's (see the config's comment)
    for name, g_lr, d_lr in (("voxel3dgan_cars", 0.0025, 1e-5),
                             ("voxel3dgan_image_cars", 1e-4, 1e-4)):
        built = _build(name, "paper")
        assert built.step.d_accuracy_gate == 0.8
        assert built.models.g_optimizer.defaults["lr"] == g_lr
        assert built.models.d_optimizer.defaults["lr"] == d_lr
        assert built.models.g_optimizer.defaults["betas"][0] == 0.5
        assert built.generator.z_dim == 200
        gin.clear_config()
    image = _build("voxel3dgan_image_cars", "paper")
    assert image.generator.pose_aware and image.generator.voxel_resolution == 64
    gin.clear_config()
    lsgan = _build("lsgan_cars", "paper")
    assert (lsgan.models.loss.a, lsgan.models.loss.b, lsgan.models.loss.c) == (0.0, 1.0, 1.0)
    gin.clear_config()
    pacgan = _build("pacgan_cars", "paper")
    assert pacgan.discriminator.m == 2 and pacgan.discriminator.inner.body[0].in_channels == 6
    gin.clear_config()
    acgan = _build("acgan_mixture", "paper")
    assert acgan.generator.num_classes == acgan.dataset.num_classes == 2


def test_quick_settings_are_smaller():
    voxels = _build("voxel3dgan_cars", "quick")
    assert voxels.settings["resolution"] == 32 and voxels.settings["batch_size"] == 32
    gin.clear_config()
    image = _build("voxel3dgan_image_cars", "quick")
    assert image.generator.voxel_resolution == 32 and image.settings["resolution"] == 64
    gin.clear_config()
    wgan = _build("wgan_gp_cars", "quick")
    assert wgan.settings["width"] == 0.25 and wgan.step.d_steps == 5


def test_image_mode_run_writes_a_rotation_sweep(tmp_path):
    """A tiny image-mode run end to end: record, samples and the azimuth sweep."""
    config = tmp_path / "tiny.gin"
    config.write_text(f"include '{GIN / 'voxel3dgan_image_cars.gin'}'\n" + """
Experiment.dataset = @toy_blobs
Experiment.resolution = 32
Experiment.width = 0.05
Experiment.batch_size = 4
Experiment.steps = 2
Experiment.sample_every = 2
Experiment.checkpoint_every = 2
Experiment.num_samples_grid = 4
Experiment.device = 'cpu'
voxel3dgan_image_generator.voxel_resolution = 16
""")
    run_dir, record = execute(RunRequest(configs=[config], run_dir=tmp_path / "run",
                                         show_progress=False))
    assert record["status"] == "complete" and record["steps_done"] == 2
    assert (run_dir / "rotation_azimuth.png").is_file()
    assert (run_dir / "rotation_elevation.png").is_file()
    assert record["components"]["generator"]["name"] == "voxel3dgan_image_generator"


def test_packed_wgan_gp_trains_through_the_step(tmp_path):
    config = tmp_path / "tiny.gin"
    config.write_text(f"include '{GIN / 'wgan_gp_cars.gin'}'\n" + """
Experiment.discriminator = @pacgan_discriminator
pacgan_discriminator.base = @wgan_gp_critic
pacgan_discriminator.m = 2
Experiment.dataset = @toy_blobs
Experiment.resolution = 32
Experiment.width = 0.05
Experiment.batch_size = 4
Experiment.steps = 1
Experiment.num_samples_grid = 4
Experiment.device = 'cpu'
""")
    run_dir, record = execute(RunRequest(configs=[config], run_dir=tmp_path / "run",
                                         show_progress=False))
    assert record["status"] == "complete"
    log = (run_dir / "train_log.jsonl").read_text()
    assert '"d_penalty"' in log
    assert torch.load(run_dir / "checkpoint.pt", weights_only=False)["step"] == 1
