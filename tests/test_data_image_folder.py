"""``image_folder``: real images from a folder tree, with bad files and odd modes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image, features

from gan3d_bench.data.image_folder import ImageFolder, load_image
from gan3d_bench.errors import UserError


def _save(path, array, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, **options)
    return path


def _flat(colour, size=(40, 30)):
    return np.full((size[1], size[0], 3), colour, dtype=np.uint8)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "photos"
    _save(root / "b" / "red.png", _flat((255, 0, 0)))
    _save(root / "a.jpg", _flat((0, 0, 255)), quality=95)
    _save(root / "c" / "d" / "green.PNG", _flat((0, 255, 0)))
    (root / "notes.txt").write_text("not an image")
    return root


def test_files_are_found_recursively_in_sorted_order(folder):
    data = ImageFolder(root=str(folder), resolution=16)
    names = [p.relative_to(folder).as_posix() for p in data.files]
    assert names == ["a.jpg", "b/red.png", "c/d/green.PNG"]
    assert data.num_samples == 3 and data.describe()["num_samples"] == 3
    reference = torch.cat([b["image"] for b in data.reference_batches(3, 2, seed=5)])
    assert reference.shape == (3, 3, 16, 16)
    centre = reference[:, :, 8, 8]
    assert centre[0, 2] > 0.9 and centre[1, 0] > 0.9 and centre[2, 1] > 0.9  # blue, red, green


def test_batches_walk_epochs_in_a_seeded_order(folder):
    data = ImageFolder(root=folder, resolution=8)
    first = torch.cat([data.batch(i, 3, seed=1)["image"] for i in range(2)])
    again = torch.cat([data.batch(i, 3, seed=1)["image"] for i in range(2)])
    assert torch.equal(first, again)
    colours = [tuple(img[:, 4, 4].gt(0).tolist()) for img in first[:3]]
    assert len(set(colours)) == 3  # one epoch shows every image once
    assert first.min() >= -1 and first.max() <= 1


def test_corrupt_files_are_skipped_and_reported_once(folder, capsys):
    (folder / "garbage.jpg").write_bytes(b"\x00\x01not a jpeg at all" * 10)
    (folder / "empty.png").write_bytes(b"")
    good = _save(folder / "e_truncated.png", np.random.default_rng(0).integers(
        0, 255, (64, 64, 3), dtype=np.uint8))
    data_bytes = good.read_bytes()
    good.write_bytes(data_bytes[: len(data_bytes) // 2])  # header fine, pixels cut short
    data = ImageFolder(root=folder, resolution=8)
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "skipped 2 of 6 files" in err
    assert data.num_samples == 4  # the truncated file passes the header check
    images = data.load(torch.arange(4))
    assert images.shape == (4, 3, 8, 8)
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "e_truncated.png" in err
    truncated = [p.name for p in data.files].index("e_truncated.png")
    assert torch.equal(images[truncated], data.load(torch.tensor([truncated + 1]))[0])
    data.load(torch.arange(4))
    assert capsys.readouterr().err == ""  # reported once
    assert len(data.skipped) == 3


def test_missing_empty_and_unset_folders_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="not found"):
        ImageFolder(root=tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no images found"):
        ImageFolder(root=tmp_path / "empty")
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("x")
    with pytest.raises(UserError, match=r"no images found .*\(1 other files\)"):
        ImageFolder(root=tmp_path / "texts")
    with pytest.raises(UserError, match="root is not set"):
        ImageFolder()
    (tmp_path / "file.png").write_bytes(b"")
    with pytest.raises(UserError, match="is a file"):
        ImageFolder(root=tmp_path / "file.png")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.png").write_bytes(b"nope")
    with pytest.raises(UserError, match="none of the 1 image files"):
        ImageFolder(root=tmp_path / "broken")


def test_grey_rgba_and_palette_images_become_rgb(tmp_path):
    grey = np.full((20, 20), 128, dtype=np.uint8)
    _save(tmp_path / "grey.png", grey)
    rgba = np.zeros((20, 20, 4), dtype=np.uint8)
    rgba[..., 0] = 255
    rgba[:, 10:, 3] = 255           # left half transparent, right half opaque red
    _save(tmp_path / "rgba.png", rgba)
    Image.fromarray(_flat((0, 0, 200), (20, 20))).convert("P").save(tmp_path / "pal.png")
    data = ImageFolder(root=tmp_path, resolution=20)
    grey_img, pal_img, rgba_img = (data.load(torch.tensor([i]))[0] for i in range(3))
    assert [p.name for p in data.files] == ["grey.png", "pal.png", "rgba.png"]
    assert torch.allclose(grey_img, torch.full_like(grey_img, 128 / 127.5 - 1), atol=1e-6)
    assert (rgba_img[:, :, :8] == 1.0).all()                       # transparent -> white
    assert torch.allclose(rgba_img[:, :, 12:], torch.tensor([1.0, -1, -1]).view(3, 1, 1))
    assert pal_img[2].mean() > 0.5 and pal_img[0].mean() < -0.9


def test_centre_crop_then_resize(tmp_path):
    image = _flat((0, 0, 0), (300, 200))
    image[50:150, 100:200] = (255, 255, 255)     # a white 100x100 square in the centre
    for name, options in (("big.png", {}), ("big.jpg", {"quality": 98})):
        path = _save(tmp_path / name, image, **options)
        cropped = load_image(path, 16, crop=100)
        assert cropped.shape == (16, 16, 3) and cropped.min() > 200  # all of it white
        whole = load_image(path, 16, crop=None)  # squashed whole image, like HoloGAN's cars
        assert whole[8, 8].min() > 200 and whole[1, 1].max() < 40


def test_webp_when_pillow_supports_it(tmp_path):
    _save(tmp_path / "a.png", _flat((10, 10, 10)))
    if features.check("webp"):
        _save(tmp_path / "b.webp", _flat((250, 250, 250)), lossless=True)
    data = ImageFolder(root=tmp_path, resolution=8)
    assert data.num_samples == (2 if features.check("webp") else 1)
