"""FID: closed forms and agreement with the eigenvalue formula torch-fidelity uses."""

from __future__ import annotations

import numpy as np
import pytest

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.fid import fid_from_features, frechet_distance


def test_one_dimensional_gaussians_have_the_closed_form():
    # FID of N(m1, s1^2) and N(m2, s2^2) is (m1 - m2)^2 + (s1 - s2)^2
    result = frechet_distance(np.array([1.0]), np.array([[4.0]]), np.array([3.0]),
                              np.array([[9.0]]))
    assert result.value == pytest.approx((1 - 3) ** 2 + (2 - 3) ** 2, abs=1e-9)


def test_identical_features_score_zero_and_a_shift_scores_its_square():
    rng = np.random.RandomState(0)
    features = rng.randn(500, 6)
    assert fid_from_features(features, features).value == pytest.approx(0.0, abs=1e-6)
    shifted = features + np.array([1.0, 0, 0, 2.0, 0, 0])
    assert fid_from_features(features, shifted).value == pytest.approx(5.0, abs=1e-6)


def test_agrees_with_the_eigenvalue_formula():
    rng = np.random.RandomState(1)
    real = rng.randn(400, 10) @ rng.randn(10, 10)
    fake = rng.randn(300, 10) @ rng.randn(10, 10) + 0.3
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    trace_sqrt = np.sum(np.sqrt(np.linalg.eigvals(s1 @ s2)).real)
    expected = (mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt
    assert fid_from_features(real, fake).value == pytest.approx(expected, rel=1e-8)


def test_too_few_samples_is_a_user_error():
    with pytest.raises(UserError, match="at least 2"):
        fid_from_features(np.ones((1, 3)), np.ones((5, 3)))
