"""The ``synth`` feature extractor: our small CNN trained on renders of the synthetic cars and
chairs (``python -m gan3d_bench.evaluation.train_synth`` retrains it). Its 128-d embedding
serves KID/FID on the synthetic datasets; its pose, shape and colour heads serve the
3D-consistency metrics. The weights ship in the package.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation.inception_weights import file_sha256
from gan3d_bench.evaluation.synth_net import EMBEDDING_DIM, SynthNet, SynthPrediction
from gan3d_bench.interfaces import FeatureExtractor

SHIPPED_WEIGHTS = Path(__file__).parent / "weights" / "synth.pt"
WEIGHTS_FORMAT = 1


def save_weights(path: Path | str, network: SynthNet, info: dict) -> None:
    """Writes a trained network as the weights file (fp16 tensors), atomically.

    Args:
        path: the file.
        network: the trained network.
        info: JSON-able facts about the training (seed, steps, accuracy).
    """
    from gan3d_bench import atomic

    state = {key: value.half() if value.is_floating_point() else value
             for key, value in network.state_dict().items()
             if not key.endswith("num_batches_tracked")}
    payload = {"format": WEIGHTS_FORMAT, "shape_dims": network.shape_dims,
               "state_dict": state, "info": info}
    atomic.write_with(path, lambda handle: torch.save(payload, handle))


def load_weights(path: Path | str) -> tuple[SynthNet, dict, str]:
    """Reads a weights file written by ``save_weights``.

    Args:
        path: the file.

    Returns:
        ``(network in eval mode, training info, the file's SHA-256)``.

    Raises:
        UserError: missing or unreadable file.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"synth extractor weights {path} not found; retrain them with "
                        f"`python -m gan3d_bench.evaluation.train_synth` (a few CPU minutes)")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        network = SynthNet(payload["shape_dims"])
        network.load_state_dict({k: v.float() for k, v in payload["state_dict"].items()},
                                strict=False)
    except Exception as error:
        raise UserError(f"cannot load synth extractor weights {path}: {error}; retrain "
                        f"them with `python -m gan3d_bench.evaluation.train_synth`") from None
    network.eval()
    return network, dict(payload.get("info", {})), file_sha256(path)


class SynthFeatures(FeatureExtractor):
    """128-d features of a CNN trained to read pose, family, shape and colour from renders of
    ``synth_cars`` and ``synth_chairs``.

    Args:
        weights_path: a weights file; default: the one shipped in the package (or
            ``$GAN3D_BENCH_SYNTH_WEIGHTS``).
    """

    name = "synth"
    dim = EMBEDDING_DIM

    def __init__(self, weights_path: str | None = None):
        super().__init__()
        path = weights_path or os.environ.get("GAN3D_BENCH_SYNTH_WEIGHTS") or SHIPPED_WEIGHTS
        self.network, self.info, self.weights_sha256 = load_weights(path)
        for parameter in self.network.parameters():
            parameter.requires_grad_(False)
        self.eval()

    @property
    def cache_tag(self) -> str:
        """Identifies these weights in feature-cache keys and metric protocols."""
        return f"synth-{self.weights_sha256[:12]}"

    def train(self, mode: bool = True):
        """Stays in eval mode: the extractor is frozen."""
        return super().train(False)

    def _prepare(self, images: torch.Tensor) -> torch.Tensor:
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 3:
            raise UserError(f"the synth extractor takes [B, 3, H, W] uint8 images, got "
                            f"{images.dtype} of shape {tuple(images.shape)}")
        device = next(self.network.parameters()).device
        return self.network.prepare(images.to(device))

    @torch.no_grad()
    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Extracts features.

        Args:
            images: ``[B, 3, H, W]`` uint8 images (resized to 64x64).

        Returns:
            ``[B, 128]`` float32 features.
        """
        return self.network.embedding(self._prepare(images)).float()

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> SynthPrediction:
        """Reads pose, family, shape and colour.

        Args:
            images: ``[B, 3, H, W]`` uint8 images.

        Returns:
            A ``SynthPrediction``.
        """
        return self.network.predict(self._prepare(images))
