"""The DCGAN experiment files: synthetic data by default, real images with one binding."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import REPO
from PIL import Image

from gan3d_bench.data.image_folder import ImageFolder
from gan3d_bench.data.synthetic import SynthCars, SynthChairs
from gan3d_bench.errors import UserError
from gan3d_bench.runner import RunRequest, build_experiment

SWITCH = "Experiment.dataset = @image_folder"


def _build(name: str, *bindings: str, budget: str = "quick"):
    request = RunRequest(configs=[REPO / "gin" / name], bindings=list(bindings))
    built, operative, _ = build_experiment(request, budget)
    return built, operative


@pytest.mark.parametrize(("name", "data_class"), [("dcgan_cars.gin", SynthCars),
                                                  ("dcgan_chairs.gin", SynthChairs)])
def test_dcgan_experiments_train_on_synthetic_data(name, data_class):
    built, _ = _build(name, budget="paper")
    assert type(built.dataset) is data_class and built.dataset.resolution == 64
    assert built.settings["batch_size"] == 32 and built.settings["width"] == 1.0
    assert built.models.generator.z_dim == 100
    group = built.models.g_optimizer.param_groups[0]
    assert group["lr"] == 2e-4 and tuple(group["betas"]) == (0.5, 0.999)
    quick, _ = _build(name)
    assert quick.settings["steps"] == 300 and quick.settings["width"] == 0.25


def _photos(folder, count=3):
    folder.mkdir(parents=True)
    for k in range(count):
        Image.fromarray(np.full((48, 64, 3), 60 * k, dtype=np.uint8)).save(folder / f"{k}.jpg")


def test_one_binding_switches_to_real_images(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match="data/cars"):
        _build("dcgan_cars.gin", SWITCH)  # the documented folder does not exist yet
    _photos(tmp_path / "data" / "cars")
    built, operative = _build("dcgan_cars.gin", SWITCH)
    assert isinstance(built.dataset, ImageFolder)
    assert built.dataset.num_samples == 3 and built.dataset.crop is None
    assert "image_folder" in operative
    _photos(tmp_path / "elsewhere")
    built, _ = _build("dcgan_chairs.gin", SWITCH, f"image_folder.root = '{tmp_path}/elsewhere'")
    assert built.dataset.root == tmp_path / "elsewhere" and built.dataset.crop == 400
    assert built.dataset.batch(0, 4, seed=0)["image"].shape == (4, 3, 64, 64)
