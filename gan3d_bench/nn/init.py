"""Weight initialisation used by the GAN papers this suite reproduces."""

from __future__ import annotations

from torch import nn

_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d, nn.Linear)
_NORMS = (nn.BatchNorm2d, nn.BatchNorm3d, nn.InstanceNorm2d, nn.InstanceNorm3d, nn.LayerNorm,
          nn.GroupNorm)


def init_normal(module: nn.Module, std: float = 0.02) -> nn.Module:
    """DCGAN/HoloGAN initialisation: weights N(0, std), biases 0, norm scales N(1, std).

    Args:
        module: the network; every sub-module is initialised.
        std: the standard deviation.

    Returns:
        ``module``, for chaining.
    """
    for sub in module.modules():
        if isinstance(sub, _CONVS):
            # spectral-norm parametrisations keep the raw weight under `parametrizations`
            weight = getattr(getattr(sub, "parametrizations", None), "weight", None)
            target = weight.original if weight is not None else sub.weight
            nn.init.normal_(target, 0.0, std)
            if sub.bias is not None:
                nn.init.zeros_(sub.bias)
        elif isinstance(sub, _NORMS) and getattr(sub, "weight", None) is not None:
            nn.init.normal_(sub.weight, 1.0, std)
            nn.init.zeros_(sub.bias)
    return module
