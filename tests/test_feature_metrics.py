"""The kid and fid metrics on a generator: protocol, shared fake features, the on-disk cache
of reference features, the evaluation interval, and the KID curve."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation import EvalContext, evaluate_metrics
from gan3d_bench.evaluation.curve import save_kid_curve
from gan3d_bench.evaluation.feature_sets import REFERENCE_BATCH_SIZE, REFERENCE_SEED
from gan3d_bench.evaluation.fid import fid_from_features
from gan3d_bench.evaluation.fid_metric import FID
from gan3d_bench.evaluation.kid import kid_from_features
from gan3d_bench.evaluation.kid_metric import KID
from gan3d_bench.interfaces import Dataset, FeatureExtractor, Generator, to_uint8


class Stripes(Dataset):
    """Images with a random bright band, counting the batches it makes."""

    resolution = 16

    def __init__(self):
        self.calls = 0

    def batch(self, index, batch_size, seed):
        self.calls += 1
        rng = torch.Generator().manual_seed(seed * 7919 + index)
        images = torch.rand(batch_size, 3, 16, 16, generator=rng) * 0.4 - 0.8
        rows = torch.randint(0, 12, (batch_size,), generator=rng)
        for i, row in enumerate(rows.tolist()):
            images[i, :, row:row + 4] += 1.2
        return {"image": images.clamp(-1, 1)}

    def describe(self):
        return {"name": "stripes", "resolution": 16}


class NoiseGenerator(Generator):
    """A 2D generator: z -> an image, counting the samples it makes."""

    z_dim = 8
    resolution = 16

    def __init__(self):
        super().__init__()
        self.mix = torch.nn.Linear(8, 3 * 16 * 16)
        self.samples = 0

    def forward(self, z, pose=None, labels=None):
        self.samples += z.shape[0]
        return torch.tanh(self.mix(z)).view(-1, 3, 16, 16)


class PooledPixels(FeatureExtractor):
    """4x4 average-pooled pixels (48-d)."""

    name = "pooled"
    dim = 48
    cache_tag = "pooled-v1"

    def forward(self, images):
        x = images.float() / 255.0
        return torch.nn.functional.adaptive_avg_pool2d(x, 4).flatten(1)


def context(tmp_path, dataset=None, generator=None, **kwargs):
    torch.manual_seed(0)
    return EvalContext(generator=generator or NoiseGenerator(), dataset=dataset or Stripes(),
                       cache_dir=tmp_path / "cache", batch_size=32, show_progress=False,
                       **kwargs)


def expected_features(ctx, extractor, num_real, num_fake):
    real = torch.cat([extractor(to_uint8(b["image"])) for b in ctx.dataset.reference_batches(
        num_real, REFERENCE_BATCH_SIZE, REFERENCE_SEED)])
    fake = torch.cat([extractor(to_uint8(x)) for x in ctx.fake_batches(num_fake)])
    return real.numpy(), fake.numpy()


def test_kid_metric_scores_the_generator_with_its_protocol(tmp_path):
    extractor = PooledPixels()
    kid = KID(features=extractor, num_real=220, num_fake=150, subsets=10, subset_size=100)
    ctx = context(tmp_path)
    result = kid.evaluate(ctx)
    assert list(result) == ["kid_pooled"]
    value = result["kid_pooled"]
    real, fake = expected_features(context(tmp_path), extractor, 220, 150)
    expected = kid_from_features(real, fake, subsets=10, subset_size=100)
    assert value.mean == pytest.approx(expected.mean, abs=1e-9)
    assert value.std == pytest.approx(expected.std, abs=1e-9)
    assert value.mean > 0.01  # noise is far from stripes
    assert value.protocol == {
        "extractor": "pooled", "extractor_version": "pooled-v1", "num_real": 220,
        "num_fake": 150, "real_seed": REFERENCE_SEED, "subsets": 10, "subset_size": 100,
        "degree": 3, "gamma": "1/d", "coef0": 1.0, "subset_seed": 2020}
    json.dumps(value.to_json())


def test_kid_and_fid_share_one_extraction_and_the_cache_is_hit_the_second_time(tmp_path):
    extractor = PooledPixels()
    metrics = [KID(features=extractor, num_real=200, num_fake=120, subset_size=100),
               FID(features=extractor, num_real=200, num_fake=120)]
    first = context(tmp_path)
    results = evaluate_metrics(metrics, first)
    assert set(results) == {"kid_pooled", "fid_pooled"}
    assert first.generator.samples == 120  # one extraction for both metrics
    assert first.memo["cache_hits"] == [False]
    batches_made = first.dataset.calls
    assert batches_made == 2
    cached = list((tmp_path / "cache").glob("*.npy"))
    assert len(cached) == 1 and cached[0].name.startswith("stripes-pooled-n200-")
    key = json.loads(cached[0].with_suffix(".json").read_text())
    assert key["dataset"] == {"name": "stripes", "resolution": 16}
    assert key["extractor"] == "pooled-v1" and key["count"] == 200

    second = context(tmp_path, dataset=first.dataset)
    again = evaluate_metrics(metrics, second)
    assert second.memo["cache_hits"] == [True]
    assert first.dataset.calls == batches_made  # the real data was not touched again
    assert again["kid_pooled"].mean == results["kid_pooled"].mean
    real, fake = expected_features(context(tmp_path), extractor, 200, 120)
    assert again["fid_pooled"].mean == pytest.approx(fid_from_features(real, fake).value,
                                                     rel=1e-9)


def test_a_different_count_or_extractor_version_is_a_different_cache_entry(tmp_path):
    class Retrained(PooledPixels):
        cache_tag = "pooled-v2"

    for extractor, count in ((PooledPixels(), 200), (PooledPixels(), 100), (Retrained(), 100)):
        ctx = context(tmp_path)
        FID(features=extractor, num_real=count, num_fake=50).evaluate(ctx)
        assert ctx.memo["cache_hits"] == [False]
    assert len(list((tmp_path / "cache").glob("*.npy"))) == 3


def test_a_damaged_cache_file_is_recomputed(tmp_path):
    extractor = PooledPixels()
    FID(features=extractor, num_real=100, num_fake=50).evaluate(context(tmp_path))
    (path,) = (tmp_path / "cache").glob("*.npy")
    path.write_bytes(b"not a numpy file")
    ctx = context(tmp_path)
    FID(features=extractor, num_real=100, num_fake=50).evaluate(ctx)
    assert ctx.memo["cache_hits"] == [False]
    assert np.load(path).shape == (100, 48)


def test_feature_metrics_skip_voxel_generators_and_follow_their_interval(tmp_path):
    voxels = NoiseGenerator()
    voxels.modality = "voxels"
    kid = KID(features=PooledPixels(), num_real=100, num_fake=100, subset_size=50, every=300)
    assert not kid.applies_to(voxels) and kid.applies_to(NoiseGenerator())
    assert evaluate_metrics([kid], context(tmp_path, step=100)) == {}
    assert set(evaluate_metrics([kid], context(tmp_path, step=100, final=True))) == {"kid_pooled"}
    assert set(evaluate_metrics([kid], context(tmp_path, step=600))) == {"kid_pooled"}


def test_kid_curve_is_drawn_from_the_history(tmp_path):
    history = [{"step": s, "metrics": {"kid_synth": {"mean": 0.1 / s, "std": 0.01},
                                       "fid_synth": {"mean": 3.0, "std": None}}}
               for s in (100, 200, 300)]
    path = save_kid_curve(history, tmp_path / "kid_curve.png", title="test")
    with Image.open(path) as image:
        assert image.size == (600, 400)
    assert save_kid_curve([{"step": 1, "metrics": {}}], tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()


def test_a_subset_size_above_the_sample_counts_fails_when_the_metric_is_built():
    with pytest.raises(UserError, match="subset size 1000 is larger"):
        KID(features=PooledPixels(), num_real=500, num_fake=800)
    assert KID(features=PooledPixels(), num_real=500, num_fake=800, clamp_subset_size=True)
