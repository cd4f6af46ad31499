"""``gan3d-bench data preview``: pictures, a CSV of labels, a contact sheet, same files twice."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from helpers import run_cli
from PIL import Image

from gan3d_bench.cli import main


def _preview(*args: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "preview", *args, "--no-progress"])
    assert exit_info.value.code == 0


def _rows(folder):
    with open(folder / "labels.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_preview_writes_images_labels_and_a_sheet_identically_twice(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        _preview("synth_cars", "--n", "5", "--out", str(out), "--seed", "2",
                 "--resolution", "32")
    names = sorted(p.name for p in first.iterdir())
    assert names == ["00000.png", "00001.png", "00002.png", "00003.png", "00004.png",
                     "contact_sheet.png", "labels.csv"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    rows = _rows(first)
    assert [row["file"] for row in rows] == names[:5]
    for row in rows:
        assert 0 <= float(row["azimuth"]) < 360 and 0 <= float(row["elevation"]) <= 35
        assert 0 <= float(row["length"]) <= 1 and 0 <= float(row["colour_r"]) <= 1
    with Image.open(first / "00003.png") as image:
        assert image.size == (32, 32) and image.mode == "RGB"
    _preview("synth_cars", "--n", "5", "--out", str(second), "--seed", "3",
             "--resolution", "32")
    assert (first / "00000.png").read_bytes() != (second / "00000.png").read_bytes()


def test_gin_bindings_set_dataset_options(tmp_path):
    _preview("synth_chairs", "--n", "6", "--out", str(tmp_path), "--resolution", "32",
             "--gin", "synth_chairs.elevation_range = (10, 20)")
    elevations = [float(row["elevation"]) for row in _rows(tmp_path)]
    assert len(elevations) == 6 and all(10 <= e <= 20 for e in elevations)
    assert "back_tilt" in _rows(tmp_path)[0]


def test_mixture_and_voxel_previews(tmp_path):
    _preview("synth_mixture", "--n", "4", "--out", str(tmp_path / "mix"), "--resolution", "32")
    rows = _rows(tmp_path / "mix")
    assert {row["kind"] for row in rows} <= {"cars", "chairs"}
    assert all(row["kind"] == ("cars", "chairs")[int(row["label"])] for row in rows)
    _preview("synth_chairs_voxels", "--n", "2", "--out", str(tmp_path / "vox"))
    rows = _rows(tmp_path / "vox")
    assert len(rows) == 2 and "seat_width" in rows[0] and "azimuth" not in rows[0]
    picture = np.asarray(Image.open(tmp_path / "vox" / "00000.png"))
    assert picture.shape == (64, 64, 3) and picture.min() < 200  # something is drawn


def test_image_folder_preview_names_its_sources(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for k in range(3):
        Image.fromarray(np.full((10, 12, 3), 80 * k, dtype=np.uint8)).save(photos / f"{k}.png")
    _preview("image_folder", "--n", "3", "--out", str(tmp_path / "out"), "--resolution", "16",
             "--gin", f"image_folder.root = '{photos}'")
    rows = _rows(tmp_path / "out")
    assert sorted(row["source"] for row in rows) == [str(photos / f"{k}.png") for k in range(3)]


def test_errors_are_one_clean_line(tmp_path, capsys):
    result = run_cli("data", "preview", "synth_car", "--out", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown dataset 'synth_car' (did you mean: synth_cars" in result.stderr
    for args, message in (
            (["image_folder", "--gin", f"image_folder.root = '{tmp_path / 'missing'}'"],
             "folder not found"),
            (["synth_cars", "--gin", "synth_cars.elevation_range = (50, 10)"],
             "elevation_range = (50, 10) must satisfy"),
            (["synth_cars", "--gin", "synth_cars.colours = 3"], "has no parameter 'colours'"),
            (["synth_cars", "--n", "0"], "--n must be at least 1")):
        with pytest.raises(SystemExit) as exit_info:
            main(["data", "preview", *args, "--out", str(tmp_path / "x")])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err
