"""Kernel Inception Distance: torch-fidelity's unbiased estimator, batched on the device.

For each of S subsets of m real features X and m fake features Y, with the polynomial kernel
k(x, y) = (gamma * x.y + coef0) ** degree,

    MMD^2 = [sum_{i!=j} k(x_i, x_j) + sum_{i!=j} k(y_i, y_j)] / (m (m - 1))
            - 2 sum_{i,j} k(x_i, y_j) / m^2

and KID is the mean over subsets, reported with the population std (ddof 0) over subsets.
The subsets are torch-fidelity's (``subsets.draw_subsets``), so on identical features the
numbers agree with it to rounding. Kernel values are computed in fp32 (as torch-fidelity
does) and summed in fp64.

Two exact ways to get the per-subset sums, chosen by cost:

* ``"subsets"``: gather all subsets into ``[B, m, d]`` tensors and compute their kernel
  matrices with batched matmuls, B subsets at a time (cost ~ 6 S m^2 d).
* ``"gram"``: compute the kernel matrices of all samples once, in row blocks (using the
  symmetry of k(X, X) and k(Y, Y)), and sum each subset's entries with a fp64 matmul against
  its 0/1 membership vector (cost ~ (d + 2 S) (n_real + n_fake)^2). Cheaper whenever
  n is not much larger than sqrt(S) m, e.g. 4x at n = 5,000 with the defaults.

Memory stays below ``memory_mb`` in both (blocks and chunks are sized for it).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.subsets import (
    TORCH_FIDELITY_SEED,
    draw_subsets,
    resolve_subset_size,
)

METHODS = ("auto", "gram", "subsets")
DEFAULT_MEMORY_MB = 512


@dataclass
class KIDResult:
    """KID over subsets.

    Attributes:
        mean: the mean of the subset MMD^2 values (the reported KID).
        std: their population standard deviation (ddof 0).
        values: ``[S]`` float64 per-subset values.
        subsets: number of subsets S.
        subset_size: samples per subset m (after clamping, if any).
        method: ``"gram"`` or ``"subsets"``, the path that computed it.
    """

    mean: float
    std: float
    values: np.ndarray
    subsets: int
    subset_size: int
    method: str


@dataclass
class _SubsetSums:
    """Per-subset kernel sums, ``[S]`` fp64 each (totals include the diagonals)."""

    xx_total: torch.Tensor
    xx_diag: torch.Tensor
    yy_total: torch.Tensor
    yy_diag: torch.Tensor
    xy_total: torch.Tensor


def default_device() -> torch.device:
    """The GPU when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def as_features(features, device: torch.device, name: str) -> torch.Tensor:
    """Converts a feature array to a contiguous fp32 ``[N, d]`` tensor on ``device``.

    Args:
        features: a numpy array or tensor of shape ``[N, d]``.
        device: where to put it.
        name: what to call it in error messages (``"real features"``).

    Returns:
        The tensor.

    Raises:
        UserError: not two-dimensional, or not finite.
    """
    tensor = torch.as_tensor(np.asarray(features) if not torch.is_tensor(features)
                             else features)
    if tensor.dim() != 2:
        raise UserError(f"{name} must be an N x d array, got shape {tuple(tensor.shape)}")
    tensor = tensor.detach().to(device=device, dtype=torch.float32).contiguous()
    if not bool(torch.isfinite(tensor).all()):
        raise UserError(f"{name} contain NaN or infinite values")
    return tensor


def _kernel_(products: torch.Tensor, degree: int, gamma: float, coef0: float) -> torch.Tensor:
    """Turns dot products into kernel values in place: ``(p * gamma + coef0) ** degree``."""
    return products.mul_(gamma).add_(coef0).pow_(degree)


@contextlib.contextmanager
def _exact_matmuls():
    """Disables TF32 (and other reduced-precision fp32 matmuls) for the duration."""
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(previous)


def _membership(index: np.ndarray, n: int, device: torch.device) -> torch.Tensor:
    """``[S, n]`` fp64 counts of each sample in each subset (0/1 without replacement)."""
    counts = torch.zeros(index.shape[0], n, dtype=torch.float64, device=device)
    rows = torch.as_tensor(index, device=device)
    counts.scatter_add_(1, rows, torch.ones_like(rows, dtype=torch.float64))
    return counts


def _gram_sums_symmetric(x: torch.Tensor, weights: torch.Tensor, kernel, block: int):
    """Per-subset sums of k(X, X) over all entries and over the diagonal, in row blocks.

    Only the upper block triangle is computed: entries right of the diagonal block count
    twice (doubling in fp32 is exact).
    """
    n = x.shape[0]
    total = torch.zeros(weights.shape[0], dtype=torch.float64, device=x.device)
    diag = torch.zeros_like(total)
    for start in range(0, n, block):
        stop = min(start + block, n)
        k = kernel(x[start:stop] @ x[start:].T)
        width = stop - start
        rows = weights[:, start:stop]
        diag += rows @ k[:, :width].diagonal().double()
        k[:, width:] *= 2
        total += (rows.T * (k.double() @ weights[:, start:].T)).sum(0)
    return total, diag


def _gram_sums_cross(x: torch.Tensor, x_weights: torch.Tensor, y: torch.Tensor,
                     y_weights: torch.Tensor, kernel, block: int) -> torch.Tensor:
    """Per-subset sums of k(X, Y) over all entries, in row blocks of X."""
    total = torch.zeros(x_weights.shape[0], dtype=torch.float64, device=x.device)
    for start in range(0, x.shape[0], block):
        stop = min(start + block, x.shape[0])
        k = kernel(x[start:stop] @ y.T)
        total += (x_weights[:, start:stop].T * (k.double() @ y_weights.T)).sum(0)
    return total


def _sums_gram(real, fake, real_index, fake_index, kernel, memory_bytes) -> _SubsetSums:
    device = real.device
    real_weights = _membership(real_index, real.shape[0], device)
    fake_weights = _membership(fake_index, fake.shape[0], device)
    widest = max(real.shape[0], fake.shape[0])
    # per row of a block: fp32 kernel row, its fp64 copy, and the [S] fp64 products
    per_row = widest * (4 + 8) + real_index.shape[0] * 16
    block = int(max(1, min(widest, memory_bytes // per_row)))
    xx_total, xx_diag = _gram_sums_symmetric(real, real_weights, kernel, block)
    yy_total, yy_diag = _gram_sums_symmetric(fake, fake_weights, kernel, block)
    xy_total = _gram_sums_cross(real, real_weights, fake, fake_weights, kernel, block)
    return _SubsetSums(xx_total, xx_diag, yy_total, yy_diag, xy_total)


def _sums_subsets(real, fake, real_index, fake_index, kernel, memory_bytes) -> _SubsetSums:
    device = real.device
    subsets, m = real_index.shape
    d = real.shape[1]
    # per subset: the gathered X and Y, one fp32 kernel matrix and its fp64 reduction copy
    per_subset = 2 * m * d * 4 + m * m * (4 + 8)
    chunk = int(max(1, min(subsets, memory_bytes // per_subset)))
    parts: dict[str, list[torch.Tensor]] = {key: [] for key in _SubsetSums.__annotations__}
    real_rows = torch.as_tensor(real_index, device=device)
    fake_rows = torch.as_tensor(fake_index, device=device)
    for start in range(0, subsets, chunk):
        x = real[real_rows[start:start + chunk]]
        y = fake[fake_rows[start:start + chunk]]
        for key, (a, b) in (("xx", (x, x)), ("yy", (y, y)), ("xy", (x, y))):
            k = kernel(torch.bmm(a, b.transpose(1, 2)))
            parts[f"{key}_total"].append(k.sum(dim=(1, 2), dtype=torch.float64))
            if key != "xy":
                parts[f"{key}_diag"].append(
                    k.diagonal(dim1=1, dim2=2).sum(-1, dtype=torch.float64))
            del k
    return _SubsetSums(**{key: torch.cat(value) for key, value in parts.items()})


def choose_method(n_real: int, n_fake: int, subsets: int, subset_size: int, dim: int) -> str:
    """The cheaper exact path for these sizes (see the module docstring).

    Args:
        n_real: number of real features.
        n_fake: number of fake features.
        subsets: S.
        subset_size: m.
        dim: feature dimension d.

    Returns:
        ``"gram"`` or ``"subsets"``.
    """
    gram_cost = (dim + 2 * subsets) * float(n_real + n_fake) ** 2
    subsets_cost = 6.0 * subsets * float(subset_size) ** 2 * dim
    return "gram" if gram_cost <= subsets_cost else "subsets"


def kid_from_features(real, fake, subsets: int = 100, subset_size: int = 1000,
                      degree: int = 3, gamma: float | None = None, coef0: float = 1.0,
                      seed: int = TORCH_FIDELITY_SEED, clamp_subset_size: bool = False,
                      device: torch.device | str | None = None, method: str = "auto",
                      memory_mb: float = DEFAULT_MEMORY_MB,
                      index: tuple[np.ndarray, np.ndarray] | None = None) -> KIDResult:
    """KID between two feature sets, with torch-fidelity's defaults and subsets.

    Args:
        real: ``[N1, d]`` real features (numpy or torch).
        fake: ``[N2, d]`` fake features.
        subsets: number of subsets S (torch-fidelity: 100).
        subset_size: samples per subset m (torch-fidelity: 1000).
        degree: polynomial kernel degree (3).
        gamma: kernel scale (None: 1 / d).
        coef0: kernel offset (1).
        seed: seed of the numpy ``RandomState`` drawing the subsets (2020).
        clamp_subset_size: shrink m to the smaller count instead of failing.
        device: where to compute (None: the GPU when there is one).
        method: ``"auto"``, ``"gram"`` or ``"subsets"`` (all exact; auto picks the cheaper).
        memory_mb: rough bound on the working memory of the computation.
        index: explicit ``([S, m], [S, m])`` subset indices instead of drawing them (to
            reproduce another implementation's subsets).

    Returns:
        A ``KIDResult``.

    Raises:
        UserError: bad shapes, non-finite features, a subset size larger than a count
            (without ``clamp_subset_size``), an unknown method.
    """
    if method not in METHODS:
        raise UserError(f"unknown KID method '{method}'; use one of {', '.join(METHODS)}")
    device = torch.device(device) if device is not None else default_device()
    real = as_features(real, device, "real features")
    fake = as_features(fake, device, "fake features")
    if real.shape[1] != fake.shape[1]:
        raise UserError(f"real and fake features differ in dimension ({real.shape[1]} vs "
                        f"{fake.shape[1]}); were they made by the same extractor?")
    if index is None:
        subset_size = resolve_subset_size(subset_size, real.shape[0], fake.shape[0],
                                          clamp=clamp_subset_size)
        real_index, fake_index = draw_subsets(real.shape[0], fake.shape[0], subsets,
                                              subset_size, seed)
    else:
        real_index, fake_index = (np.asarray(part, dtype=np.int64) for part in index)
        if real_index.shape != fake_index.shape or real_index.ndim != 2:
            raise UserError("explicit KID subset indices must be two [S, m] arrays")
        subsets, subset_size = real_index.shape
    dim = real.shape[1]
    gamma = 1.0 / dim if gamma is None else float(gamma)

    def kernel(products: torch.Tensor) -> torch.Tensor:
        return _kernel_(products, degree, gamma, coef0)

    if method == "auto":
        method = choose_method(real.shape[0], fake.shape[0], subsets, subset_size, dim)
    compute = _sums_gram if method == "gram" else _sums_subsets
    with torch.no_grad(), _exact_matmuls():
        sums = compute(real, fake, real_index, fake_index, kernel, int(memory_mb * 2**20))
    m = subset_size
    values = ((sums.xx_total - sums.xx_diag + sums.yy_total - sums.yy_diag) / (m * (m - 1))
              - 2.0 * sums.xy_total / (m * m)).cpu().numpy()
    return KIDResult(mean=float(np.mean(values)), std=float(np.std(values)), values=values,
                     subsets=int(subsets), subset_size=int(m), method=method)
