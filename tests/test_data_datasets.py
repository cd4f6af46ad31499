"""The registered synthetic datasets: chairs, the car/chair mixture, voxels, gin options."""

from __future__ import annotations

import gin
import pytest
import torch

from gan3d_bench.data import synth
from gan3d_bench.data.seeding import rng
from gan3d_bench.data.synthetic import (
    SynthChairs,
    SynthChairsVoxels,
    SynthMixture,
)
from gan3d_bench.registry import get_registry


def test_chairs_have_their_own_elevation_range():
    data = SynthChairs(resolution=32)
    assert data.elevation_range == (-20.0, 70.0)
    batch = data.batch(0, 16, seed=1)
    elevation = batch["pose"][:, 1]
    assert (elevation >= -20).all() and (elevation <= 70).all()
    assert elevation.min() < 0 < elevation.max()
    assert batch["shape"].shape == (16, len(synth.shape_names("chairs")))


def test_gin_binding_on_the_registered_name_sets_an_option():
    component = get_registry().get("datasets", "synth_chairs")
    gin.parse_config("synth_chairs.elevation_range = (0, 60)")
    data = component.configurable(resolution=32)
    assert data.elevation_range == (0.0, 60.0)
    assert data.describe()["elevation_range"] == [0.0, 60.0]


def test_mixture_labels_match_the_pictures():
    data = SynthMixture(resolution=32)
    assert data.num_classes == 2
    batch = data.batch(0, 12, seed=3)
    labels = batch["label"]
    assert labels.dtype == torch.long and set(labels.tolist()) == {0, 1}
    assert batch["shape"].shape == (12, data.width)
    for value, kind in enumerate(("cars", "chairs")):
        rows = (labels == value).nonzero().squeeze(1)
        width = len(synth.shape_names(kind))
        shapes = {"shape": batch["shape"][rows, :width], "colour": batch["colour"][rows]}
        alone = synth.render(kind, shapes, batch["pose"][rows], 32)
        assert torch.equal(alone, batch["image"][rows])
    cars = batch["pose"][labels == 0, 1]
    assert ((cars >= 0) & (cars <= 35)).all()
    again = SynthMixture(resolution=32).batch(0, 12, seed=3)
    assert torch.equal(again["image"], batch["image"])


def test_finite_mixture_is_fixed_by_its_sample_seed():
    first = SynthMixture(resolution=32, num_samples=5, sample_seed=2)
    same = SynthMixture(resolution=32, num_samples=5, sample_seed=2)
    other = SynthMixture(resolution=32, num_samples=5, sample_seed=3)
    reference = next(first.reference_batches(5, 5, seed=0))
    assert torch.equal(reference["image"], next(same.reference_batches(5, 5, seed=9))["image"])
    assert not torch.equal(reference["shape"], next(other.reference_batches(5, 5, 0))["shape"])


@pytest.mark.parametrize("resolution", [32, 64])
def test_voxel_dataset_matches_the_image_dataset_objects(resolution):
    data = SynthChairsVoxels(resolution=resolution)
    assert data.modality == "voxels"
    batch = data.batch(2, 3, seed=4)
    assert batch["voxels"].shape == (3, 1, resolution, resolution, resolution)
    assert set(batch["voxels"].unique().tolist()) <= {0.0, 1.0}
    expected = synth.sample_shapes("chairs", 3, rng(4, 2))  # the stream's draw for batch 2
    assert torch.equal(batch["shape"], expected["shape"])
    assert torch.equal(batch["voxels"], synth.voxelize("chairs", expected, resolution))


def test_chairs_stand_on_their_legs():
    shapes = synth.sample_shapes("chairs", 2, torch.Generator().manual_seed(0))
    voxels = synth.voxelize("chairs", shapes, 32)[:, 0]     # [n, z, y, x]
    for grid in voxels:
        bottom = grid[grid.nonzero()[:, 0].min()]           # lowest occupied layer
        assert 4 <= bottom.sum() <= 4 * 9                   # four legs, not a slab
        top = grid[grid.nonzero()[:, 0].max()]
        assert top[:, :16].sum() > top[:, 16:].sum()        # the backrest is at the back


def test_on_disk_cache_renders_once_and_matches(tmp_path, monkeypatch):
    from gan3d_bench.data.synthetic import SynthCars
    from gan3d_bench.errors import UserError
    from gan3d_bench.interfaces import to_uint8

    data = SynthCars(resolution=32, num_samples=5, cache=str(tmp_path))
    plain = SynthCars(resolution=32, num_samples=5)
    batch = data.batch(1, 4, seed=2)
    files = list(tmp_path.glob("synth_cars-*.npy"))
    assert len(files) == 1
    expected = plain.batch(1, 4, seed=2)
    assert torch.equal(to_uint8(batch["image"]), to_uint8(expected["image"]))
    assert torch.equal(batch["pose"], expected["pose"]) and "item" not in batch

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered although the pictures are cached")

    monkeypatch.setattr(synth, "render", no_rendering)
    again = SynthCars(resolution=32, num_samples=5, cache=str(tmp_path))
    assert torch.equal(again.batch(1, 4, seed=2)["image"], batch["image"])
    other = SynthCars(resolution=32, num_samples=5, elevation_range=(0, 10),
                      cache=str(tmp_path))
    with pytest.raises(AssertionError, match="rendered"):
        other.batch(0, 2, seed=0)  # other options, another cache file
    with pytest.raises(UserError, match="num_samples"):
        SynthCars(resolution=32, cache=True)
