"""A pose-aware "generator" that renders the real synthetic objects: the ideal that the
3D-consistency metrics are checked against (it scores near 0 degrees of pose error and near
1 in identity consistency)."""

from __future__ import annotations

import hashlib

import torch

from gan3d_bench.interfaces import Generator


class SynthRenderer(Generator):
    """z -> a synthetic object (chosen by hashing z), rendered at the requested pose.

    Args:
        kind: ``"cars"`` or ``"chairs"``.
        resolution: image side.
        z_dim: latent size.
    """

    pose_aware = True
    azimuth_range = (0.0, 360.0)
    elevation_range = (0.0, 35.0)

    def __init__(self, kind: str = "cars", resolution: int = 64, z_dim: int = 16):
        super().__init__()
        self.kind = kind
        self.resolution = resolution
        self.z_dim = z_dim

    def shapes(self, z: torch.Tensor) -> dict[str, torch.Tensor]:
        """The objects behind ``z``: the same row always gives the same object."""
        from gan3d_bench.data.synth import sample_shapes

        parts = []
        for row in z.detach().cpu().float():
            seed = int.from_bytes(hashlib.sha256(row.numpy().tobytes()).digest()[:7], "big")
            parts.append(sample_shapes(self.kind, 1, torch.Generator().manual_seed(seed)))
        return {key: torch.cat([p[key] for p in parts]) for key in parts[0]}

    def forward(self, z, pose=None, labels=None):
        """Renders the objects of ``z`` at ``pose`` ([-1, 1] images)."""
        from gan3d_bench.data.synth import render

        return render(self.kind, self.shapes(z), pose.detach().cpu().float(),
                      self.resolution).to(z.device)
