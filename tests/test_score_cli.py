"""``gan3d-bench score`` on .npy feature files and on two folders of images."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from gan3d_bench.cli import main
from gan3d_bench.evaluation.fid import fid_from_features
from gan3d_bench.evaluation.kid import kid_from_features
from gan3d_bench.evaluation.score_inputs import list_images
from gan3d_bench.evaluation.synth_features import SynthFeatures


def score(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(["score", *map(str, args)])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def write_features(path, n, d, scale, seed):
    features = (np.abs(np.random.RandomState(seed).randn(n, d)) * scale).astype(np.float32)
    np.save(path, features)
    return features


def test_score_two_feature_files_as_json(tmp_path, capsys):
    real = write_features(tmp_path / "real.npy", 300, 32, 0.5, 0)
    fake = write_features(tmp_path / "fake.npy", 260, 32, 0.6, 1)
    code, out, _ = score(capsys, "--real", tmp_path / "real.npy", "--fake",
                         tmp_path / "fake.npy", "--subset-size", "200", "--subsets", "20",
                         "--json")
    assert code == 0
    summary = json.loads(out)
    expected = kid_from_features(real, fake, subsets=20, subset_size=200)
    assert summary["kid_mean"] == pytest.approx(expected.mean, abs=1e-12)
    assert summary["kid_std"] == pytest.approx(expected.std, abs=1e-12)
    assert summary["fid"] == pytest.approx(fid_from_features(real, fake).value, rel=1e-9)
    assert (summary["num_real"], summary["num_fake"], summary["subset_size"]) == (300, 260, 200)

    code, out, _ = score(capsys, "--real", tmp_path / "real.npy", "--fake",
                         tmp_path / "fake.npy", "--subset-size", "200", "--subsets", "20")
    assert code == 0
    assert out.startswith(f"KID (given): {expected.mean:.6g} ± ") and "FID (given):" in out


@pytest.mark.parametrize("args,message", [
    (["--subset-size", "500"], "subset size 500 is larger"),
    (["--fake", "{tmp}/missing"], "no such folder or file"),
    (["--fake", "{tmp}/flat.npy"], "N x d"),
])
def test_score_errors_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    write_features(tmp_path / "real.npy", 300, 8, 0.5, 0)
    np.save(tmp_path / "flat.npy", np.zeros(10))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    base = {"--real": str(tmp_path / "real.npy"), "--fake": str(tmp_path / "real.npy")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    code, _, err = score(capsys, *[item for pair in base.items() for item in pair])
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def write_folder(folder, n, bright, seed):
    folder.mkdir()
    rng = np.random.RandomState(seed)
    for i in range(n):
        pixels = (rng.rand(24, 24, 3) * 120 + (120 if bright else 0)).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"img{i}.png")


def test_score_two_image_folders_with_the_synth_extractor(tmp_path, capsys):
    write_folder(tmp_path / "real", 30, bright=True, seed=0)
    write_folder(tmp_path / "fake", 25, bright=False, seed=1)
    code, out, _ = score(capsys, "--real", tmp_path / "real", "--fake", tmp_path / "fake",
                         "--features", "synth", "--subset-size", "20", "--subsets", "5",
                         "--batch-size", "8", "--json")
    assert code == 0
    summary = json.loads(out)
    extractor = SynthFeatures()

    def features(folder):
        files = list_images(folder)
        images = torch.stack([torch.from_numpy(np.asarray(Image.open(f).convert("RGB")))
                              .permute(2, 0, 1) for f in files])
        return extractor(images).numpy()

    expected = kid_from_features(features(tmp_path / "real"), features(tmp_path / "fake"),
                                 subsets=5, subset_size=20)
    assert summary["features"] == "synth" and summary["dim"] == 128
    assert summary["kid_mean"] == pytest.approx(expected.mean, rel=1e-5, abs=1e-9)
    assert summary["kid_mean"] > 0


def test_folders_are_read_in_sorted_path_order(tmp_path):
    for name in ("b/2.png", "a/10.png", "a/9.jpg", "c.png", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        if name.endswith("txt"):
            path.write_text("x")
        else:
            Image.new("RGB", (4, 4)).save(path)
    names = [p.relative_to(tmp_path).as_posix() for p in list_images(tmp_path)]
    assert names == ["a/10.png", "a/9.jpg", "b/2.png", "c.png"]
