"""The network behind the ``synth`` extractor: a small CNN that reads pose, object family,
shape and colour from renders of the synthetic cars and chairs.

64x64 input -> four stride-2 3x3 convolutions (32, 64, 96, 64 channels; BatchNorm, ReLU) ->
4x4x64 -> a 128-d embedding (the features used by KID/FID) -> linear heads: azimuth as
(sin, cos), elevation, family logits, shape parameters of each family, body colour. About 265k
parameters, stored in fp16 (~0.5 MB).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

INPUT_SIZE = 64
EMBEDDING_DIM = 128
ELEVATION_SCALE = 45.0  # elevation (degrees) is predicted divided by this


@dataclass
class SynthPrediction:
    """What the network reads from a batch of images.

    Attributes:
        features: ``[B, 128]`` embedding (the KID/FID features).
        azimuth: ``[B]`` degrees in [0, 360).
        elevation: ``[B]`` degrees.
        family: ``[B, F]`` family probabilities (order of ``SynthNet.families``).
        shape: family -> ``[B, K_family]`` shape parameters in [0, 1].
        colour: ``[B, 3]`` body colour in [0, 1].
        identity_scale: ``[3 + sum(K)]`` typical error of each identity entry (from the
            validation set), so that reliable entries weigh more in identity distances.
    """

    features: torch.Tensor
    azimuth: torch.Tensor
    elevation: torch.Tensor
    family: torch.Tensor
    shape: dict[str, torch.Tensor]
    colour: torch.Tensor
    identity_scale: torch.Tensor

    def identity(self) -> torch.Tensor:
        """Pose-free identity descriptors: colour, and each family's shape weighted by the
        family's probability (so a car's descriptor carries no chair guesses), each entry
        divided by its typical error.

        Returns:
            ``[B, 3 + sum(K)]``.
        """
        parts = [self.colour]
        for index, shape in enumerate(self.shape.values()):
            parts.append(shape * self.family[:, index:index + 1])
        return torch.cat(parts, dim=1) / self.identity_scale


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1,
                                   bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class SynthNet(nn.Module):
    """The CNN.

    Args:
        shape_dims: family name -> number of shape parameters (``{"cars": 10, ...}``).
    """

    def __init__(self, shape_dims: dict[str, int]):
        super().__init__()
        self.families = tuple(shape_dims)
        self.shape_dims = dict(shape_dims)
        self.body = nn.Sequential(_block(3, 32), _block(32, 64), _block(64, 96),
                                  _block(96, 64))
        self.embed = nn.Linear(64 * 4 * 4, EMBEDDING_DIM)
        self.pose_head = nn.Linear(EMBEDDING_DIM, 3)
        self.family_head = nn.Linear(EMBEDDING_DIM, len(self.families))
        self.colour_head = nn.Linear(EMBEDDING_DIM, 3)
        self.shape_heads = nn.ModuleDict({name: nn.Linear(EMBEDDING_DIM, k)
                                          for name, k in shape_dims.items()})
        # set after training to the validation error of each identity entry
        self.register_buffer("identity_scale", torch.ones(3 + sum(shape_dims.values())))

    @staticmethod
    def prepare(images: torch.Tensor) -> torch.Tensor:
        """uint8 ``[B, 3, H, W]`` -> float in [-1, 1] at 64x64 (antialiased when shrinking).

        Args:
            images: uint8 images of any size.

        Returns:
            ``[B, 3, 64, 64]`` float32.
        """
        x = images.float().div_(127.5).sub_(1.0)
        if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
            x = F.interpolate(x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear",
                              align_corners=False, antialias=x.shape[-1] > INPUT_SIZE)
        return x

    def embedding(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, 3, 64, 64]`` prepared images -> ``[B, 128]`` non-negative features."""
        return F.relu(self.embed(self.body(x).flatten(1)))

    def heads(self, features: torch.Tensor) -> dict[str, torch.Tensor]:
        """Raw head outputs (for training): pose ``[B, 3]``, family logits, colour, shapes."""
        out = {"pose": self.pose_head(features), "family": self.family_head(features),
               "colour": self.colour_head(features)}
        for name, head in self.shape_heads.items():
            out[f"shape/{name}"] = head(features)
        return out

    def predict(self, x: torch.Tensor) -> SynthPrediction:
        """Reads everything from prepared images.

        Args:
            x: ``[B, 3, 64, 64]`` from ``prepare``.

        Returns:
            A ``SynthPrediction``.
        """
        features = self.embedding(x)
        raw = self.heads(features)
        sin, cos, elevation = raw["pose"].unbind(1)
        azimuth = torch.rad2deg(torch.atan2(sin, cos)) % 360.0
        return SynthPrediction(
            features=features, azimuth=azimuth, elevation=elevation * ELEVATION_SCALE,
            family=raw["family"].softmax(1),
            shape={name: raw[f"shape/{name}"].clamp(0, 1) for name in self.families},
            colour=raw["colour"].clamp(0, 1), identity_scale=self.identity_scale)


def pose_targets(pose: torch.Tensor) -> torch.Tensor:
    """``[B, 2]`` (azimuth, elevation) degrees -> the pose head's targets (sin, cos, elev)."""
    azimuth = torch.deg2rad(pose[:, 0])
    return torch.stack([azimuth.sin(), azimuth.cos(), pose[:, 1] / ELEVATION_SCALE], 1)


def angle_difference(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a - b`` wrapped to [-180, 180) degrees."""
    return (a - b + 180.0) % 360.0 - 180.0


def circular_mean_abs_error(predicted: torch.Tensor, target: torch.Tensor) -> float:
    """Mean absolute angular difference in degrees."""
    return float(angle_difference(predicted, target).abs().mean()) if predicted.numel() else \
        math.nan
