"""Small stand-ins that exercise one component at a time in the contract suite.

``ContractGenerator`` feeds a discriminator or a loss; ``ContractCritic`` judges a generator
and returns every auxiliary output a loss may ask for (latent reconstruction, style logits,
class logits).
"""

from __future__ import annotations

import torch
from torch import nn

from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput, Generator


class ContractGenerator(Generator):
    """A linear generator of any resolution and modality.

    Args:
        resolution: output side.
        modality: ``image`` or ``voxels``.
        z_dim: latent size.
        num_classes: class labels accepted (ignored but sampled).
    """

    def __init__(self, resolution: int = 32, modality: str = "image", z_dim: int = 8,
                 num_classes: int = 0):
        super().__init__()
        self.resolution, self.modality, self.z_dim = resolution, modality, z_dim
        self.num_classes = num_classes
        self.shape = (1, resolution, resolution, resolution) if modality == "voxels" else (
            3, resolution, resolution)
        self.seed_map = nn.Linear(z_dim, 4 * 4)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, z, pose=None, labels=None):
        low = self.seed_map(z).view(-1, 1, 4, 4)
        side = self.resolution
        if self.modality == "voxels":
            volume = low.unsqueeze(2).expand(-1, 1, 4, 4, 4)
            up = nn.functional.interpolate(volume, size=(side,) * 3, mode="trilinear")
            return torch.sigmoid(self.scale * up)
        up = nn.functional.interpolate(low, size=(side, side), mode="bilinear")
        return torch.tanh(self.scale * up).expand(-1, 3, -1, -1)


class ContractCritic(Discriminator):
    """A pooled linear critic of any resolution and modality with every auxiliary head.

    Args:
        resolution: input side.
        modality: ``image`` or ``voxels``.
        z_dim: size of the latent-reconstruction output.
        num_classes: size of the class-logit output (at least 1).
        style_layers: how many style logits to return.
    """

    def __init__(self, resolution: int = 32, modality: str = "image", z_dim: int = 8,
                 num_classes: int = 2, style_layers: int = 2):
        super().__init__()
        self.resolution, self.modality = resolution, modality
        channels = 1 if modality == "voxels" else 3
        self.features = nn.Linear(channels * 2, 16)
        self.logit = nn.Linear(16, 1)
        self.latent = nn.Linear(16, z_dim)
        self.classes = nn.Linear(16, max(1, num_classes))
        self.styles = nn.ModuleList(nn.Linear(16, 1) for _ in range(style_layers))

    def forward(self, x, labels=None):
        flat = x.flatten(2)
        h = torch.relu(self.features(torch.cat([flat.mean(2), flat.std(2)], dim=1)))
        return DiscriminatorOutput(
            logits=self.logit(h).squeeze(1), latent=torch.tanh(self.latent(h)),
            style_logits=[head(h).squeeze(1) for head in self.styles],
            class_logits=self.classes(h))
