"""Fréchet distance between two feature sets (FID when the features are Inception's).

FID = |mu_r - mu_f|^2 + tr(S_r) + tr(S_f) - 2 tr(sqrtm(S_r S_f)), with means and covariances
(``np.cov``, ddof 1) in fp64 and the matrix square root from ``scipy.linalg.sqrtm``, as in
the TTUR reference code and pytorch-fid.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from gan3d_bench.errors import UserError

# added to both covariances' diagonals when their product has no finite square root
SINGULAR_OFFSET = 1e-6


@dataclass
class FIDResult:
    """A Fréchet distance.

    Attributes:
        value: the distance.
        offset: the diagonal offset that was added to make ``sqrtm`` finite (0 if none).
        imaginary: the largest imaginary part dropped from ``sqrtm``'s result (rounding noise
            when small; large values mean too few samples for the feature dimension).
    """

    value: float
    offset: float = 0.0
    imaginary: float = 0.0


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of a feature set, in fp64.

    Args:
        features: ``[N, d]`` array or tensor, N >= 2.

    Returns:
        ``(mu [d], sigma [d, d])``.
    """
    array = features.detach().cpu().numpy() if torch.is_tensor(features) else \
        np.asarray(features)
    if array.ndim != 2:
        raise UserError(f"features must be an N x d array, got shape {array.shape}")
    if array.shape[0] < 2:
        raise UserError(f"FID needs at least 2 samples per side, got {array.shape[0]}")
    array = array.astype(np.float64)
    return array.mean(axis=0), np.cov(array, rowvar=False)


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> FIDResult:
    """The Fréchet distance between two Gaussians.

    Args:
        mu1: mean of the first.
        sigma1: covariance of the first.
        mu2: mean of the second.
        sigma2: covariance of the second.

    Returns:
        A ``FIDResult``.
    """
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise UserError(f"feature statistics differ in dimension ({mu1.shape[0]} vs "
                        f"{mu2.shape[0]}); were they made by the same extractor?")
    diff = mu1 - mu2
    # A singular product (features that never vary, common for collapsed generators) makes
    # scipy warn; the result is handled below (offset if not finite, imaginary part recorded),
    # so the warning is not repeated on the terminal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
        offset = 0.0
        if not np.isfinite(covmean).all():
            offset = SINGULAR_OFFSET
            eye = np.eye(sigma1.shape[0]) * offset
            covmean = scipy.linalg.sqrtm((sigma1 + eye) @ (sigma2 + eye))
    imaginary = 0.0
    if np.iscomplexobj(covmean):
        imaginary = float(np.max(np.abs(covmean.imag)))
        covmean = covmean.real
    value = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    return FIDResult(value=value, offset=offset, imaginary=imaginary)


def fid_from_features(real, fake) -> FIDResult:
    """FID between two feature sets.

    Args:
        real: ``[N1, d]`` real features.
        fake: ``[N2, d]`` fake features.

    Returns:
        A ``FIDResult``.
    """
    return frechet_distance(*feature_statistics(real), *feature_statistics(fake))
