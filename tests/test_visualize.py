"""Rotation sweeps of pose-aware generators, with their angle labels."""

import torch
from PIL import Image

from gan3d_bench.images import save_grid
from gan3d_bench.interfaces import Generator
from gan3d_bench.visualize import save_rotation_sweeps


class _PoseShade(Generator):
    """A pose-aware stand-in: the image's grey level is the azimuth, its tint the elevation."""

    pose_aware = True
    z_dim = 4
    resolution = 16
    elevation_range = (0.0, 30.0)

    def __init__(self):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(()))

    def forward(self, z, pose=None, labels=None):
        grey = (pose[:, 0] / 180.0 - 1.0).view(-1, 1, 1, 1)
        tint = (pose[:, 1] / 30.0).view(-1, 1, 1, 1)
        image = grey.expand(-1, 3, 16, 16).clone()
        image[:, 0] = tint[:, 0]
        return image + 0 * self.anchor


def test_sweeps_put_one_pose_per_column_with_labels(tmp_path):
    written = save_rotation_sweeps(_PoseShade(), tmp_path, seed=0, rows=2, columns=4)
    assert [p.name for p in written] == ["rotation_azimuth.png", "rotation_elevation.png"]
    azimuth = Image.open(written[0]).convert("RGB")
    plain = Image.open(save_grid(torch.zeros(8, 3, 16, 16), tmp_path / "plain.png", ncols=4))
    assert azimuth.width == plain.width and azimuth.height > plain.height  # a header strip
    header = azimuth.height - plain.height
    top_cell_row = header + 2 + 8  # the middle of the first row of images
    greys = [azimuth.getpixel((2 + c * 18 + 8, top_cell_row))[1] for c in range(4)]
    assert greys == sorted(greys) and greys[0] < greys[-1]  # azimuth grows to the right
    # the header has dark text pixels above the columns
    strip = azimuth.crop((0, 0, azimuth.width, header)).convert("L")
    assert strip.getextrema()[0] < 128


def test_a_2d_generator_gets_no_sweep(tmp_path):
    class Flat(_PoseShade):
        pose_aware = False

    assert save_rotation_sweeps(Flat(), tmp_path, seed=0) == []
