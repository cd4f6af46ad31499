"""The renderer's shortcuts change no pixel: every restriction of where it computes (screen
windows, the rows of the shadows, the rows no window covers, batch sizes, threads) gives the
pictures a brute-force computation over every pixel gives."""

from __future__ import annotations

import pytest
import torch

from gan3d_bench.data import synth
from gan3d_bench.data.synth import raycast, shading

POSES = torch.tensor([[0.0, 0.0], [90.0, 0.0], [180.0, 12.0], [270.0, 35.0], [33.0, 5.0],
                      [141.0, 21.0], [222.0, 60.0], [315.0, -15.0], [12.5, 89.5],
                      [200.0, -60.0], [75.0, 30.0], [300.0, 2.0]])


def _render(kind: str, resolution: int, antialias: int = 1):
    shapes = synth.sample_shapes(kind, len(POSES), torch.Generator().manual_seed(5))
    return synth.render(kind, shapes, POSES, resolution, antialias=antialias,
                        return_mask=True)


def _same(first, second):
    for a, b in zip(first, second, strict=True):
        assert torch.equal(a, b), f"{int((a != b).sum())} values differ"


def _whole_image_windows(points, cameras, resolution):
    m = points.shape[0]
    return (torch.zeros(m, dtype=torch.long), torch.zeros(m, dtype=torch.long),
            torch.full((m,), resolution), torch.full((m,), resolution))


@pytest.mark.parametrize("kind", ["cars", "chairs"])
@pytest.mark.parametrize("resolution", [32, 37, 97, 128])
def test_windows_lose_no_pixel(kind, resolution, monkeypatch):
    """Casting every primitive (and every shadow) over the whole picture changes nothing."""
    fast = _render(kind, resolution)
    monkeypatch.setattr(raycast, "_windows", _whole_image_windows)
    _same(fast, _render(kind, resolution))


@pytest.mark.parametrize("kind", ["cars", "chairs"])
def test_shadow_rows_lose_no_pixel(kind, monkeypatch):
    """Searching whole shadow windows, not just the rows' spans inside the ellipse, and
    gathering the colour table over every row change nothing."""
    fast = _render(kind, 48)

    def whole_rows(shadow, image, row, first, stop, side):
        return first, stop

    monkeypatch.setattr(shading, "_shadow_rows", whole_rows)
    monkeypatch.setattr(raycast, "_windows", _whole_image_windows)  # rows: all covered
    _same(fast, _render(kind, 48))


def test_shadows_are_painted_where_they_darken_the_sky():
    """The shadows are there: some sky pixels are darker than their row's bare sky."""
    images, mask = _render("cars", 48)
    bare = shading.finished(shading.sky(48)).view(1, 3, 48, 1)
    sky = mask == 0
    darker = (images < bare - 1e-3) & sky
    assert darker.any(), "no shadow on the ground"
    assert ((images <= bare + 1e-6) | ~sky).all(), "a miss brighter than the bare sky"


def test_batches_and_threads_change_nothing(monkeypatch):
    """Small batches, one thread or two: the same pictures, bit for bit."""
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = _render("cars", 64)
        torch.set_num_threads(2)
        two = _render("cars", 64)
        monkeypatch.setattr(raycast, "BATCH_PIXELS", 2 ** 10)
        small = _render("cars", 64)
    finally:
        torch.set_num_threads(threads)
    _same(one, two)
    _same(one, small)


def test_keys_in_the_pictures_memory_match_a_buffer_of_their_own():
    """Casting into the pictures' memory (the default) or into a buffer of its own gives the
    same keys, and shading either gives the same pictures."""
    shapes = synth.sample_shapes("cars", len(POSES), torch.Generator().manual_seed(9))
    scene, frame = synth.cars.build(shapes["shape"])
    cameras = synth.cameras_from_pose(POSES)
    looks = synth.cars.palette(shapes["colour"])
    shadow = synth.cars.shadow(shapes["shape"], frame)
    own = raycast.cast_rays(scene, cameras, 40)
    pictures = torch.empty(len(POSES), 3, 40, 40)
    shared = raycast.cast_rays(scene, cameras, 40, pictures)
    assert own.stride == 40 * 40 and shared.stride == 3 * 40 * 40
    assert torch.equal(own.key, shared.key)
    alone = shading.shade(scene, cameras, own, looks, *shadow, finish=True)
    shading.shade(scene, cameras, shared, looks, *shadow, out=pictures, finish=True)
    assert torch.equal(alone, pictures)


def test_pictures_without_sky_codes_match():
    """Past the side where the rows' sky codes fit, the sky is painted over whole pictures;
    the pictures agree with the usual path where both apply (the bottom-right corner)."""
    shapes = synth.sample_shapes("cars", 2, torch.Generator().manual_seed(1))
    pose = POSES[:2]
    large = synth.render("cars", shapes, pose, 520)
    assert large.shape == (2, 3, 520, 520)
    assert large.min() >= -1 and large.max() <= 1
    # the same cars at a side with sky codes: the picture's centre is a car, its top row sky
    small = synth.render("cars", shapes, pose, 130)
    assert torch.allclose(large[:, :, 0, 0], small[:, :, 0, 0], atol=0.02)


@pytest.mark.parametrize("top", [5, 2 ** 16, 2 ** 20])
def test_stable_order_is_a_stable_sort(top):
    """The radix sort that orders windows into batches (and its fallback for wide keys) gives
    torch's stable sort's permutation, ties in their original order."""
    key = torch.randint(0, top, (5000,), generator=torch.Generator().manual_seed(top))
    assert torch.equal(raycast.stable_order(key), torch.sort(key, stable=True).indices)
    assert len(raycast.stable_order(key[:0])) == 0


def test_windows_hold_the_pixel_centres_inside_and_nothing_off_the_picture():
    """A window is the pixels whose centres its projection covers: a point on a pixel's centre
    gets that pixel; one between centres, or off the picture on either side, gets none."""
    from gan3d_bench.data.synth.camera import cameras_from_pose

    # cameras on +x, looking at the origin: their right is -y, so y = -30 is far right, and
    # the origin's height is on the centre of row 16 of 33 pixels (between rows 15 and 16 of 32)
    points = torch.tensor([[[0.0, -30.0, 0.0]], [[0.0, 30.0, 0.0]], [[0.0, 0.0, 0.0]]])
    cameras = cameras_from_pose(torch.zeros(3, 2))
    row0, col0, height, width = raycast._windows(points.expand(3, 2, 3), cameras, 33)
    assert height.tolist() == [0, 0, 1] and width.tolist() == [0, 0, 1]
    assert (int(row0[2]), int(col0[2])) == (16, 16)
    _, _, height, width = raycast._windows(points.expand(3, 2, 3), cameras, 32)
    assert height.tolist() == [0, 0, 0] and width.tolist() == [0, 0, 0]
