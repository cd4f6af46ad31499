"""``toy_blobs``: coloured discs on grey, rendered by index; fast enough for any test."""

from __future__ import annotations

import torch

from gan3d_bench.interfaces import Dataset


class ToyBlobs(Dataset):
    """Endless batches of one coloured disc per image, at a random place and size.

    Args:
        resolution: image side.
    """

    def __init__(self, resolution: int = 32):
        self.resolution = resolution

    def batch(self, index: int, batch_size: int, seed: int):
        rng = torch.Generator().manual_seed(seed * 1_000_003 + index)
        r = self.resolution
        centre = torch.rand(batch_size, 2, generator=rng) * 0.5 + 0.25
        radius = torch.rand(batch_size, 1, 1, generator=rng) * 0.15 + 0.1
        colour = torch.rand(batch_size, 3, 1, 1, generator=rng) * 2 - 1
        coords = (torch.arange(r) + 0.5) / r
        dy = coords.view(1, r, 1) - centre[:, 0].view(-1, 1, 1)
        dx = coords.view(1, 1, r) - centre[:, 1].view(-1, 1, 1)
        inside = ((dx**2 + dy**2) < radius**2).unsqueeze(1).float()
        image = inside * colour + (1 - inside) * 0.0
        return {"image": image}

    def describe(self):
        return {"name": "toy_blobs", "resolution": self.resolution}
