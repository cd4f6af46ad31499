"""The ``inception`` feature extractor: TF-compatible FID Inception pool3 features.

uint8 images -> fp32 -> TF1 legacy bilinear resize to 299x299 (no half-pixel offset, no
antialias) -> ``(x - 128) / 128`` -> InceptionV3 -> 2048-d features, as torch-fidelity and
the original TF FID code compute them. Runs in fp32 with TF32 and cuDNN autotuning off so the
features are reproducible.
"""

from __future__ import annotations

import contextlib
import os

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.inception_net import FEATURE_DIM, FIDInceptionV3
from gan3d_bench.evaluation.inception_weights import find_weights, load_state_dict
from gan3d_bench.evaluation.tf1_resize import resize_bilinear_tf1
from gan3d_bench.interfaces import FeatureExtractor

INPUT_SIZE = 299


@contextlib.contextmanager
def _reference_precision():
    """fp32 convolutions and matmuls without TF32, for reproducible features on GPUs."""
    previous = (torch.backends.cudnn.allow_tf32, torch.get_float32_matmul_precision())
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32 = previous[0]
        torch.set_float32_matmul_precision(previous[1])


def load_network(path: str | os.PathLike | None = None) -> tuple[FIDInceptionV3, str]:
    """Builds the network and loads the weights (see ``inception_weights`` for the search).

    Args:
        path: an explicit weights file, or None to search.

    Returns:
        ``(network in eval mode, the weights' SHA-256)``.

    Raises:
        UserError: no weights, or weights that do not fit the network.
    """
    weights = find_weights(path)
    state, sha = load_state_dict(weights)
    network = FIDInceptionV3()
    expected = set(network.state_dict())
    given = set(state)
    missing = sorted(k for k in expected - given if not k.endswith("num_batches_tracked"))
    unexpected = sorted(given - expected)
    if missing or unexpected:
        raise UserError(
            f"{weights} is not a state dict of the FID Inception network "
            f"(torch-fidelity layout): {len(missing)} missing keys (e.g. {missing[:3]}), "
            f"{len(unexpected)} unexpected keys (e.g. {unexpected[:3]})")
    try:
        network.load_state_dict(state, strict=False)
    except RuntimeError as error:
        first = str(error).strip().splitlines()[-1].strip()
        raise UserError(f"{weights} does not fit the FID Inception network: {first}") from None
    network.eval()
    for parameter in network.parameters():
        parameter.requires_grad_(False)
    return network, sha


class InceptionFeatures(FeatureExtractor):
    """TF-compatible FID InceptionV3 pool3 features (2048-d), torch-fidelity's
    ``inception-v3-compat`` layer ``2048``.

    Args:
        weights_path: the weights file; None searches ``$GAN3D_BENCH_INCEPTION_WEIGHTS`` and
            then torch-fidelity's file in the torch hub cache. Never downloads.
    """

    name = "inception"
    dim = FEATURE_DIM

    def __init__(self, weights_path: str | None = None):
        super().__init__()
        self.network, self.weights_sha256 = load_network(weights_path)
        self.eval()

    @classmethod
    def contract_kwargs(cls, workdir) -> dict:
        """The real weights when installed, else random weights in the reference layout
        (the contract checks shapes and determinism, not values)."""
        from gan3d_bench.evaluation.inception_weights import find_weights

        try:
            find_weights()
            return {}
        except UserError:
            path = workdir / "random-inception.pth"
            torch.save(FIDInceptionV3().state_dict(), path)
            return {"weights_path": str(path)}

    @property
    def cache_tag(self) -> str:
        """Identifies these weights in feature-cache keys and metric protocols."""
        return f"inception-2015-12-05-{self.weights_sha256[:12]}"

    def train(self, mode: bool = True):
        """Stays in eval mode: the extractor is frozen."""
        return super().train(False)

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Extracts features.

        Args:
            images: ``[B, 3, H, W]`` uint8 images.

        Returns:
            ``[B, 2048]`` float32 features.
        """
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
            raise UserError(f"the inception extractor takes [B, 3, H, W] uint8 images, got "
                            f"{images.dtype} of shape {tuple(images.shape)}")
        device = next(self.network.parameters()).device
        with _reference_precision():
            x = images.to(device).float()
            x = resize_bilinear_tf1(x, (INPUT_SIZE, INPUT_SIZE))
            x = (x - 128) / 128
            return self.network(x).float()
