"""The contract of datasets, metrics and feature extractors, checked on every registered one."""

from __future__ import annotations

import json
import math

import pytest
import torch

from gan3d_bench.evaluation import EvalContext
from gan3d_bench.interfaces import MetricValue
from gan3d_bench.testing.construct import build
from gan3d_bench.testing.doubles import ContractGenerator
from gan3d_bench.testing.parametrize import generate_tests

BATCH = 4


pytest_generate_tests = generate_tests


def _dataset(component, tmp_path):
    return build(component, tmp_path, resolution=32)


# -- datasets -----------------------------------------------------------------------------
def test_dataset_batches_have_the_declared_shape_range_and_dtype(dataset_component, tmp_path):
    dataset = _dataset(dataset_component, tmp_path)
    batch = dataset.batch(0, BATCH, seed=0)
    data = batch[dataset.modality]
    side = dataset.resolution
    expected = (BATCH, 1, side, side, side) if dataset.modality == "voxels" else (
        BATCH, 3, side, side)
    assert tuple(data.shape) == expected and data.dtype == torch.float32
    assert torch.isfinite(data).all()
    assert data.min() >= (0.0 if dataset.modality == "voxels" else -1.0) and data.max() <= 1.0
    assert all(value.shape[0] == BATCH for value in batch.values())
    if dataset.num_classes:
        labels = batch["label"]
        assert labels.dtype == torch.long and labels.min() >= 0 and \
            labels.max() < dataset.num_classes
    if dataset.has_pose:
        assert batch["pose"].shape == (BATCH, 2)


def test_dataset_is_a_pure_function_of_index_and_seed(dataset_component, tmp_path):
    dataset = _dataset(dataset_component, tmp_path)
    key = dataset.modality
    first = dataset.batch(0, BATCH, seed=0)[key]
    torch.manual_seed(123)  # the global RNG must not matter
    assert torch.equal(first, dataset.batch(0, BATCH, seed=0)[key])
    assert not torch.equal(first, dataset.batch(1, BATCH, seed=0)[key])
    assert not torch.equal(first, dataset.batch(0, BATCH, seed=1)[key])


def test_dataset_describes_itself_and_gives_reference_sets(dataset_component, tmp_path):
    dataset = _dataset(dataset_component, tmp_path)
    description = dataset.describe()
    assert isinstance(description.get("name"), str)
    json.dumps(description)
    sizes = [b[dataset.modality].shape[0] for b in dataset.reference_batches(6, BATCH, seed=0)]
    assert sizes == [4, 2]


# -- metrics ------------------------------------------------------------------------------
class _NoiseData:
    """Real images for metric checks: smooth random colour fields."""

    resolution, modality, num_classes, has_pose, num_samples = 32, "image", 0, False, None

    def batch(self, index, batch_size, seed):
        rng = torch.Generator().manual_seed(seed * 7919 + index)
        low = torch.rand(batch_size, 3, 4, 4, generator=rng) * 2 - 1
        return {"image": torch.nn.functional.interpolate(low, size=(32, 32), mode="bilinear")}

    def describe(self):
        return {"name": "contract_noise", "resolution": 32}

    def reference_batches(self, n, batch_size, seed):
        for index, start in enumerate(range(0, n, batch_size)):
            yield {k: v[: min(batch_size, n - start)] for k, v in
                   self.batch(index, batch_size, seed).items()}


class _PoseAwareDouble(ContractGenerator):
    pose_aware = True

    def forward(self, z, pose=None, labels=None):
        images = super().forward(z)
        shift = (pose[:, 0] / 360.0 * self.resolution).long()
        return torch.stack([img.roll(int(s), dims=-1) for img, s in zip(images, shift,
                                                                           strict=True)])


def test_metric_returns_named_values_with_their_protocol(metric_component, tmp_path):
    metric = build(metric_component, tmp_path)
    generator = ContractGenerator(32, "image", z_dim=8)
    if not metric.applies_to(generator):
        generator = _PoseAwareDouble(32, "image", z_dim=8)
    assert metric.applies_to(generator) in (True, False)
    if not metric.applies_to(generator):
        pytest.fail(f"{metric_component.name} applies neither to a 2D nor to a pose-aware "
                    f"image generator")
    context = EvalContext(generator=generator, dataset=_NoiseData(), batch_size=8,
                          cache_dir=tmp_path / "cache")
    results = metric.evaluate(context)
    assert results, "a metric must return at least one value"
    for name, value in results.items():
        assert name.isidentifier(), name
        assert isinstance(value, MetricValue)
        assert value.mean is None or math.isfinite(value.mean)
        json.dumps(value.to_json())


# -- feature extractors -------------------------------------------------------------------
def test_feature_extractor_maps_uint8_images_to_float_features(features_component, tmp_path):
    extractor = build(features_component, tmp_path).eval()
    images = torch.randint(0, 256, (2, 3, 32, 32), dtype=torch.uint8,
                           generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        features = extractor(images)
        again = extractor(images)
    assert features.shape == (2, extractor.dim) and features.dtype == torch.float32
    assert torch.isfinite(features).all()
    assert torch.equal(features, again)
