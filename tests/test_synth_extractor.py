"""The synth extractor: shipped weights, accuracy on fresh renders, reproducible retraining."""

from __future__ import annotations

import pytest
import torch

from gan3d_bench.data.synth import render, sample_shapes
from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.extractors import build_extractor
from gan3d_bench.evaluation.synth_features import SHIPPED_WEIGHTS, SynthFeatures
from gan3d_bench.evaluation.synth_net import angle_difference
from gan3d_bench.evaluation.train_synth import train
from gan3d_bench.interfaces import to_uint8

FRESH_SEED = 777  # neither the training nor the validation seed


def fresh_renders(kind, n, resolution):
    rng = torch.Generator().manual_seed(FRESH_SEED)
    shapes = sample_shapes(kind, n, rng)
    pose = torch.stack([torch.rand(n, generator=rng) * 360, torch.rand(n, generator=rng) * 35],
                       1)
    return to_uint8(render(kind, shapes, pose, resolution)), pose, shapes


def test_shipped_weights_are_small_and_registered():
    assert SHIPPED_WEIGHTS.stat().st_size < 600 * 1024
    extractor = build_extractor("synth")
    assert isinstance(extractor, SynthFeatures) and extractor.dim == 128
    assert extractor.cache_tag.startswith("synth-")


@pytest.mark.parametrize("kind,family,resolution", [("cars", 0, 64), ("chairs", 1, 64),
                                                    ("cars", 0, 32)])
def test_reads_pose_family_and_colour_of_fresh_renders(kind, family, resolution):
    images, pose, shapes = fresh_renders(kind, 48, resolution)
    prediction = SynthFeatures().predict(images)
    azimuth_error = angle_difference(prediction.azimuth, pose[:, 0]).abs()
    assert float(azimuth_error.median()) < 8.0
    assert float(azimuth_error.mean()) < 15.0
    assert float((prediction.elevation - pose[:, 1]).abs().mean()) < 5.0
    assert float((prediction.family.argmax(1) == family).float().mean()) > 0.95
    assert float((prediction.colour - shapes["colour"]).abs().mean()) < 0.06
    features = SynthFeatures()(images)
    assert features.shape == (48, 128) and features.dtype == torch.float32
    assert torch.equal(features, prediction.features)


def test_rejects_float_images():
    with pytest.raises(UserError, match="uint8"):
        SynthFeatures()(torch.zeros(1, 3, 64, 64))


def test_retraining_is_reproducible():
    options = {"steps": 3, "batch_size": 8, "train_per_kind": 8, "validation_per_kind": 4,
               "show_progress": False}
    first, info = train(**options)
    second, _ = train(**options)
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values(),
                            strict=True):
        assert torch.equal(a, b), name
    assert set(info["validation"]) == {"azimuth_mae", "elevation_mae", "family_accuracy",
                                       "colour_mae", "shape_mae"}
