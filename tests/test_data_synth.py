"""The synthetic renderer and its datasets: determinism, labels that match the pictures."""

from __future__ import annotations

import pytest
import torch

from gan3d_bench.data import synth
from gan3d_bench.data.synth.camera import cameras_from_pose
from gan3d_bench.data.synth.voxels import silhouette
from gan3d_bench.data.synthetic import SynthCars
from gan3d_bench.errors import UserError


def _shapes(kind: str, n: int, seed: int = 0) -> dict:
    """``n`` objects of a family (chairs with and without arms)."""
    shapes = synth.sample_shapes(kind, n, torch.Generator().manual_seed(seed))
    if kind == "chairs":
        shapes["shape"][:, 8] = torch.arange(n) % 2  # "arms": alternately without and with
    return shapes


def test_sample_shapes_uses_only_its_generator():
    state = torch.get_rng_state()
    first = _shapes("cars", 5, seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    again = _shapes("cars", 5, seed=3)
    assert torch.equal(first["shape"], again["shape"])
    assert first["shape"].shape == (5, len(synth.shape_names("cars")))
    assert first["shape"].min() >= 0 and first["shape"].max() <= 1
    assert first["colour"].shape == (5, 3)


@pytest.mark.parametrize("resolution", [32, 48, 128])
def test_render_shape_and_range(resolution):
    shapes = _shapes("cars", 2)
    pose = torch.tensor([[30.0, 10.0], [200.0, 30.0]])
    images, mask = synth.render("cars", shapes, pose, resolution, return_mask=True)
    assert images.shape == (2, 3, resolution, resolution)
    assert images.dtype == torch.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    coverage = mask.mean().item()
    assert 0.05 < coverage < 0.8, coverage  # the car is in the picture, not filling it


def test_dataset_batches_are_deterministic_and_seeded():
    data = SynthCars(resolution=32)
    first = data.batch(3, 4, seed=7)
    again = SynthCars(resolution=32).batch(3, 4, seed=7)
    for key in ("image", "pose", "shape", "colour"):
        assert torch.equal(first[key], again[key]), key
    other_seed = data.batch(3, 4, seed=8)
    other_index = data.batch(4, 4, seed=7)
    assert not torch.allclose(first["image"], other_seed["image"])
    assert not torch.allclose(first["image"], other_index["image"])
    assert first["image"].shape == (4, 3, 32, 32)
    assert first["pose"].shape == (4, 2) and first["colour"].shape == (4, 3)
    assert first["shape"].shape == (4, len(synth.shape_names("cars")))
    azimuth, elevation = first["pose"].unbind(1)
    assert ((azimuth >= 0) & (azimuth < 360)).all()
    assert ((elevation >= 0) & (elevation <= 35)).all()


def test_finite_dataset_walks_every_item_once_per_epoch():
    data = SynthCars(resolution=32, num_samples=6, sample_seed=1)
    epoch = torch.cat([data.items(i, 3, seed=5)["shape"] for i in range(2)])
    table = data._table["shape"]
    matches = (epoch[:, None, :] == table[None, :, :]).all(-1)
    assert matches.sum(1).eq(1).all() and matches.sum(0).eq(1).all()
    other = torch.cat([data.items(i, 3, seed=6)["shape"] for i in range(2)])
    assert not torch.equal(epoch, other)  # another seed, another order
    reference = list(data.reference_batches(4, 3, seed=99))
    assert [b["image"].shape[0] for b in reference] == [3, 1]
    assert torch.equal(torch.cat([b["shape"] for b in reference]), table[:4])
    with pytest.raises(UserError, match="num_samples"):
        list(data.reference_batches(7, 3, seed=0))


def test_bad_options_are_user_errors():
    with pytest.raises(UserError, match="elevation_range"):
        SynthCars(elevation_range=(40, 10))
    with pytest.raises(UserError, match="resolution"):
        SynthCars(resolution=2)
    with pytest.raises(UserError, match="num_samples"):
        SynthCars(num_samples=0)


def _lamp_pixels(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Counts of headlight-like (brighter than the sky) and tail-light-like (red) pixels."""
    rgb = (images + 1) / 2
    r, g, b = rgb.unbind(1)
    warm_white = (r > 0.97) & (g > 0.9) & (b > 0.5)
    red = (r > 0.5) & (g < 0.12) & (b < 0.12)
    return warm_white.flatten(1).sum(1), red.flatten(1).sum(1)


def test_front_and_back_views_show_their_lights():
    shapes = _shapes("cars", 6, seed=2)
    shapes["colour"] = torch.full((6, 3), 0.5)  # grey paint: no red or white bodies
    front = synth.render("cars", shapes, torch.tensor([[0.0, 10.0]]).repeat(6, 1), 64)
    back = synth.render("cars", shapes, torch.tensor([[180.0, 10.0]]).repeat(6, 1), 64)
    white_front, red_front = _lamp_pixels(front)
    white_back, red_back = _lamp_pixels(back)
    assert (white_front >= 4).all() and (red_front == 0).all()
    assert (red_back >= 4).all() and (white_back == 0).all()


def test_opposite_views_differ():
    shapes = _shapes("cars", 4, seed=4)
    azimuth = torch.tensor([20.0, 75.0, 140.0, 300.0])
    pose = torch.stack([azimuth, torch.full((4,), 15.0)], 1)
    view = synth.render("cars", shapes, pose, 64)
    opposite = synth.render("cars", shapes, pose + torch.tensor([180.0, 0.0]), 64)
    changed = ((view - opposite).abs().amax(1) > 0.6).flatten(1).sum(1)
    assert (changed >= 20).all(), changed


def test_side_views_show_the_front_on_the_expected_side():
    """Azimuth 90 looks at the car's left flank: the front (headlights) is on the image's
    left; azimuth 270 looks at its right flank, front on the right."""
    shapes = _shapes("cars", 4, seed=8)
    shapes["colour"] = torch.full((4, 3), 0.5)
    for azimuth, front_on_left in ((90.0, True), (270.0, False)):
        images = synth.render("cars", shapes, torch.tensor([[azimuth, 5.0]]).repeat(4, 1), 64)
        left, right = images[..., :32], images[..., 32:]
        white_left, red_left = _lamp_pixels(left)
        white_right, red_right = _lamp_pixels(right)
        if front_on_left:
            assert (white_left > 0).all() and (red_right > 0).all()
            assert (white_right == 0).all() and (red_left == 0).all()
        else:
            assert (white_right > 0).all() and (red_left > 0).all()
            assert (white_left == 0).all() and (red_right == 0).all()


@pytest.mark.parametrize("kind", ["cars", "chairs"])
def test_mirrored_azimuth_gives_the_mirror_image(kind):
    shapes = _shapes(kind, 3, seed=5)
    pose = torch.tensor([[35.0, 20.0], [110.0, 5.0], [250.0, 30.0]])
    mirrored_pose = pose * torch.tensor([-1.0, 1.0])
    view = synth.render(kind, shapes, pose, 64)
    mirrored = synth.render(kind, shapes, mirrored_pose, 64)
    difference = (view.flip(-1) - mirrored).abs().amax(1)
    assert (difference > 0.02).float().mean() < 0.004  # a few edge pixels at most
    assert (view - mirrored).abs().mean() > 0.02       # and the views themselves differ


@pytest.mark.parametrize(("kind", "pose"), [("cars", (0.0, 0.0)), ("cars", (90.0, 0.0)),
                                            ("cars", (30.0, 25.0)), ("chairs", (225.0, 60.0)),
                                            ("chairs", (150.0, -15.0))])
def test_silhouette_matches_projected_voxels(kind, pose):
    shapes = _shapes(kind, 2, seed=6)
    poses = torch.tensor([pose]).repeat(2, 1)
    _, mask = synth.render(kind, shapes, poses, 64, return_mask=True)
    voxels = synth.voxelize(kind, shapes, 64)
    projected = silhouette(voxels, cameras_from_pose(poses), 64)
    rendered, seen = mask > 0.5, projected > 0.5
    iou = (rendered & seen).flatten(1).sum(1) / (rendered | seen).flatten(1).sum(1)
    assert (iou > 0.9).all(), iou


def test_voxels_are_binary_and_in_frame():
    shapes = _shapes("cars", 2, seed=7)
    voxels = synth.voxelize("cars", shapes, 32)
    assert voxels.shape == (2, 1, 32, 32, 32)
    assert set(voxels.unique().tolist()) == {0.0, 1.0}
    # cars are longer (x, last axis) than tall (z, first axis); wheels touch the bottom
    occupied = voxels[0, 0].nonzero()
    z_span = occupied[:, 0].max() - occupied[:, 0].min()
    x_span = occupied[:, 2].max() - occupied[:, 2].min()
    assert x_span > 2 * z_span
