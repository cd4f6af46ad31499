"""Building registered components for the contract suite (tiny widths, on the CPU)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from gan3d_bench.experiment import call_with_accepted
from gan3d_bench.registry import Component, get_registry, normalize_distribution

TINY_WIDTH = 1 / 16
PACKAGE_ENV = "GAN3D_CONTRACT_PACKAGE"


def selected_components(kind: str, package: str | None = None) -> list[Component]:
    """The registered components of a kind, optionally only those of one package.

    Args:
        kind: a registry kind.
        package: a distribution name (``--gan3d-package`` or ``$GAN3D_CONTRACT_PACKAGE``).

    Returns:
        The components, sorted by name.
    """
    package = package or os.environ.get(PACKAGE_ENV)
    components = get_registry().all(kind)
    if package:
        wanted = normalize_distribution(package)
        components = [c for c in components if c.distribution == wanted]
    return components


def build(component: Component, workdir: Path, seed: int = 0, **offered):
    """Constructs a component as the contract suite tests it.

    The component's ``contract_kwargs(workdir)`` are passed, plus ``width=TINY_WIDTH`` and any
    ``offered`` keyword that its constructor accepts; the torch RNG is seeded first.

    Args:
        component: the registered component.
        workdir: an empty temporary folder for ``contract_kwargs``.
        seed: seeds the weights.
        offered: extra keyword candidates (``num_classes``, ``z_dim``, ``resolution``...).

    Returns:
        The instance (networks in train mode, on the CPU).
    """
    kwargs = {"width": TINY_WIDTH, **offered, **component.cls.contract_kwargs(Path(workdir))}
    torch.manual_seed(seed)
    return call_with_accepted(component.configurable, kwargs, signature_of=component.cls)
