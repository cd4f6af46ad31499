"""KID: closed forms, torch-fidelity's subsets against an fp64 brute-force loop, both exact
paths, chunking, the subset-size check, and the torchmetrics Metric."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.kid import choose_method, kid_from_features
from gan3d_bench.evaluation.kid_torchmetric import KernelDistance

METHODS = ("gram", "subsets")


def brute_force_kid(real, fake, subsets, subset_size, seed=2020, degree=3, coef0=1.0):
    """torch-fidelity's algorithm, written out in fp64 with explicit pair loops' sums."""
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    gamma = 1.0 / real.shape[1]
    rng = np.random.RandomState(seed)
    m = subset_size
    values = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        kxx = (x @ x.T * gamma + coef0) ** degree
        kyy = (y @ y.T * gamma + coef0) ** degree
        kxy = (x @ y.T * gamma + coef0) ** degree
        off_diagonal = ~np.eye(m, dtype=bool)
        values.append((kxx[off_diagonal].sum() + kyy[off_diagonal].sum()) / (m * (m - 1))
                      - 2.0 * kxy.sum() / (m * m))
    values = np.array(values)
    return values.mean(), values.std(), values


def inception_like(n, d, scale, seed):
    """Non-negative features of the magnitude of Inception pool3 features."""
    rng = np.random.RandomState(seed)
    return (np.abs(rng.randn(n, d)) * scale).astype(np.float32)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("c", [1.0, 0.5, 2.0])
def test_constant_features_give_the_closed_form(method, c):
    real = np.full((60, 16), c, dtype=np.float32)
    fake = np.zeros((50, 16), dtype=np.float32)
    result = kid_from_features(real, fake, subsets=7, subset_size=40, method=method)
    assert result.mean == pytest.approx((c * c + 1) ** 3 - 1, abs=1e-9)
    assert result.std == pytest.approx(0.0, abs=1e-9)
    assert result.values.shape == (7,)


@pytest.mark.parametrize("method", METHODS)
def test_matches_fp64_brute_force_with_torch_fidelity_subsets(method):
    real = inception_like(400, 48, 0.5, seed=1)
    fake = inception_like(350, 48, 0.55, seed=2)
    mean, std, values = brute_force_kid(real, fake, subsets=12, subset_size=200)
    result = kid_from_features(real, fake, subsets=12, subset_size=200, method=method)
    assert result.mean == pytest.approx(mean, abs=1e-6)
    assert result.std == pytest.approx(std, abs=1e-6)
    np.testing.assert_allclose(result.values, values, atol=1e-6, rtol=0)
    assert abs(mean) > 1e-3  # the distributions differ, so the check is not vacuous


def test_a_different_seed_draws_different_subsets():
    real = inception_like(300, 32, 0.5, seed=3)
    fake = inception_like(300, 32, 0.5, seed=4)
    a = kid_from_features(real, fake, subsets=5, subset_size=100, seed=2020)
    b = kid_from_features(real, fake, subsets=5, subset_size=100, seed=7)
    assert not np.allclose(a.values, b.values)
    assert brute_force_kid(real, fake, 5, 100, seed=7)[0] == pytest.approx(b.mean, abs=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_subset_size_equal_to_n_is_the_full_sample_estimator(method):
    real = inception_like(120, 24, 0.5, seed=5)
    fake = inception_like(120, 24, 0.6, seed=6)
    result = kid_from_features(real, fake, subsets=4, subset_size=120, method=method)
    full = brute_force_kid(real, fake, subsets=1, subset_size=120)[0]
    assert result.mean == pytest.approx(full, abs=1e-7)
    assert result.std < 1e-9


def test_gram_and_subset_paths_agree_and_chunking_changes_nothing():
    real = inception_like(300, 40, 0.5, seed=7)
    fake = inception_like(260, 40, 0.5, seed=8)
    reference = kid_from_features(real, fake, subsets=9, subset_size=150, method="subsets")
    tiny_memory = 0.05  # MB: one subset per chunk, a few rows per Gram block
    for method in METHODS:
        chunked = kid_from_features(real, fake, subsets=9, subset_size=150, method=method,
                                    memory_mb=tiny_memory)
        np.testing.assert_allclose(chunked.values, reference.values, rtol=0, atol=1e-9)


def test_batched_path_equals_a_plain_per_subset_loop():
    """The batched fp32/fp64 computation against one subset at a time, same arithmetic."""
    real = inception_like(200, 32, 0.5, seed=9)
    fake = inception_like(220, 32, 0.45, seed=10)
    result = kid_from_features(real, fake, subsets=6, subset_size=100, method="subsets",
                               device="cpu")
    rng = np.random.RandomState(2020)
    x_all, y_all = torch.from_numpy(real), torch.from_numpy(fake)
    for s in range(6):
        x = x_all[torch.from_numpy(rng.choice(200, 100, replace=False))]
        y = y_all[torch.from_numpy(rng.choice(220, 100, replace=False))]
        kxx = (x @ x.T * (1 / 32) + 1) ** 3
        kyy = (y @ y.T * (1 / 32) + 1) ** 3
        kxy = (x @ y.T * (1 / 32) + 1) ** 3
        value = ((kxx.double().sum() - kxx.diagonal().double().sum() + kyy.double().sum()
                  - kyy.diagonal().double().sum()) / (100 * 99)
                 - 2 * kxy.double().sum() / 100**2)
        assert result.values[s] == pytest.approx(float(value), abs=1e-9)


def test_subset_size_larger_than_a_count_is_an_error_unless_clamped():
    real = inception_like(80, 8, 0.5, seed=11)
    fake = inception_like(50, 8, 0.5, seed=12)
    with pytest.raises(UserError, match=r"subset size 60 is larger.*real: 80, fake: 50"):
        kid_from_features(real, fake, subsets=3, subset_size=60)
    clamped = kid_from_features(real, fake, subsets=3, subset_size=60, clamp_subset_size=True)
    assert clamped.subset_size == 50
    assert clamped.mean == pytest.approx(brute_force_kid(real, fake, 3, 50)[0], abs=1e-6)


def test_bad_inputs_are_user_errors():
    good = np.ones((10, 4), dtype=np.float32)
    with pytest.raises(UserError, match="dimension"):
        kid_from_features(good, np.ones((10, 5)), subsets=1, subset_size=5)
    with pytest.raises(UserError, match="N x d"):
        kid_from_features(np.ones(10), good, subsets=1, subset_size=5)
    bad = good.copy()
    bad[3, 1] = np.nan
    with pytest.raises(UserError, match="NaN"):
        kid_from_features(good, bad, subsets=1, subset_size=5)
    with pytest.raises(UserError, match="at least 2"):
        kid_from_features(good, good, subsets=1, subset_size=1)


def test_explicit_indices_reproduce_another_implementations_subsets():
    real = inception_like(90, 8, 0.5, seed=13)
    fake = inception_like(90, 8, 0.7, seed=14)
    torch.manual_seed(0)
    index = (np.stack([torch.randperm(90)[:30].numpy() for _ in range(4)]),
             np.stack([torch.randperm(90)[:30].numpy() for _ in range(4)]))
    result = kid_from_features(real, fake, index=index)
    assert result.subsets == 4 and result.subset_size == 30
    x = real[index[0][2]].astype(np.float64)
    y = fake[index[1][2]].astype(np.float64)
    k = lambda a, b: (a @ b.T / 8 + 1) ** 3  # noqa: E731
    expected = ((k(x, x).sum() - np.trace(k(x, x)) + k(y, y).sum() - np.trace(k(y, y)))
                / (30 * 29) - 2 * k(x, y).sum() / 900)
    assert result.values[2] == pytest.approx(expected, abs=1e-7)


def test_method_choice_follows_the_cost():
    assert choose_method(5000, 5000, 100, 1000, 2048) == "gram"
    assert choose_method(50000, 50000, 100, 1000, 2048) == "subsets"


def test_torchmetrics_metric_equals_the_function():
    real = inception_like(230, 16, 0.5, seed=15)
    fake = inception_like(210, 16, 0.6, seed=16)
    metric = KernelDistance(subsets=8, subset_size=100)
    for start in range(0, 230, 64):
        metric.update(torch.from_numpy(real[start:start + 64]), real=True)
    for start in range(0, 210, 50):
        metric.update(torch.from_numpy(fake[start:start + 50]), real=False)
    mean, std = metric.compute()
    expected = kid_from_features(real, fake, subsets=8, subset_size=100)
    assert float(mean) == pytest.approx(expected.mean, abs=1e-12)
    assert float(std) == pytest.approx(expected.std, abs=1e-12)


@pytest.mark.filterwarnings("ignore:The ``compute`` method")
def test_torchmetrics_metric_with_an_extractor_and_kept_real_features():
    projection = torch.nn.Linear(6, 4, bias=False)
    torch.nn.init.uniform_(projection.weight, 0.0, 1.0)
    real_inputs = torch.rand(80, 6)
    fake_inputs = torch.rand(70, 6) * 1.3
    metric = KernelDistance(feature_extractor=projection, subsets=5, subset_size=40,
                            reset_real_features=False)
    metric.update(real_inputs, real=True)
    metric.update(fake_inputs, real=False)
    first = metric.compute()
    with torch.no_grad():
        expected = kid_from_features(projection(real_inputs), projection(fake_inputs),
                                     subsets=5, subset_size=40)
    assert float(first[0]) == pytest.approx(expected.mean, abs=1e-12)
    metric.reset()
    with pytest.raises(UserError, match="needs real and fake"):
        metric.compute()
    metric.update(fake_inputs, real=False)  # the real features were kept
    assert float(metric.compute()[0]) == pytest.approx(expected.mean, abs=1e-12)


def test_torchmetrics_metric_syncs_features_across_ranks():
    """Two ranks, each with half the data, gather through torchmetrics' sync machinery and
    compute the same value as one process with all the data."""
    real = torch.from_numpy(inception_like(180, 12, 0.5, seed=17))
    fake = torch.from_numpy(inception_like(160, 12, 0.6, seed=18))
    halves = {0: (real[:90], fake[:80]), 1: (real[90:], fake[80:])}

    def make_rank(rank):
        calls = []

        def gather(tensor, group=None):
            # states are gathered in add_state order: real features, then fake features
            other = halves[1 - rank][len(calls) % 2]
            calls.append(tensor.shape)
            return [tensor, other] if rank == 0 else [other, tensor]

        metric = KernelDistance(subsets=6, subset_size=100, dist_sync_fn=gather,
                                distributed_available_fn=lambda: True)
        metric.update(halves[rank][0], real=True)
        metric.update(halves[rank][1], real=False)
        return metric, calls

    expected = kid_from_features(real, fake, subsets=6, subset_size=100)
    for rank in (0, 1):
        metric, calls = make_rank(rank)
        mean, std = metric.compute()
        assert len(calls) == 2  # the sync really ran
        assert float(mean) == pytest.approx(expected.mean, abs=1e-12)
        assert float(std) == pytest.approx(expected.std, abs=1e-12)
