"""Building registered feature extractors by name, and what identifies their weights."""

from __future__ import annotations

import torch

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import FeatureExtractor
from gan3d_bench.registry import get_registry


def build_extractor(name: str, device: torch.device | str = "cpu",
                    **options) -> FeatureExtractor:
    """Constructs a registered extractor (gin bindings apply), frozen, on ``device``.

    Args:
        name: its entry-point name (``inception``, ``synth``).
        device: where it runs.
        **options: constructor keywords it accepts (``weights_path``); None values are
            dropped so gin bindings apply.

    Returns:
        The extractor in eval mode.

    Raises:
        UserError: unknown name (with suggestions), or the extractor's own errors
            (missing weights...).
    """
    from gan3d_bench.experiment import call_with_accepted  # the experiment imports us

    component = get_registry().get("features", name)
    offered = {key: value for key, value in options.items() if value is not None}
    extractor = call_with_accepted(component.configurable, offered, signature_of=component.cls)
    if not isinstance(extractor, FeatureExtractor):
        raise UserError(f"feature extractor '{name}' ({component.distribution}) returned "
                        f"{type(extractor).__name__}, not a FeatureExtractor")
    extractor.to(device).eval()
    for parameter in extractor.parameters():
        parameter.requires_grad_(False)
    return extractor


def extractor_tag(extractor: FeatureExtractor) -> str:
    """A string that changes when the extractor's features would (name and weights).

    Our extractors expose ``cache_tag`` (name plus a hash of the weights); for others the
    name, class and package version are the best available.

    Args:
        extractor: the extractor.

    Returns:
        The tag, used in cache keys and metric protocols.
    """
    tag = getattr(extractor, "cache_tag", None)
    if tag:
        return str(tag)
    cls = type(extractor)
    component = get_registry().find(cls)
    version = component.version if component is not None else "?"
    return f"{extractor.name}-{cls.__module__}.{cls.__qualname__}-{version}"


def resolve_extractor(spec, device: torch.device, memo: dict | None = None,
                      **options) -> FeatureExtractor:
    """An extractor from a name (built once per ``memo``) or an instance (used as is).

    Args:
        spec: a registered name or a ``FeatureExtractor`` instance.
        device: where it runs.
        memo: a dict shared by the metrics of one evaluation (``EvalContext.memo``), so
            ``kid`` and ``fid`` share one extractor.
        **options: constructor keywords for a name.

    Returns:
        The extractor.
    """
    if isinstance(spec, FeatureExtractor):
        return spec.to(device).eval()
    key = ("extractor", str(spec), str(device), tuple(sorted(options.items())))
    if memo is not None and key in memo:
        return memo[key]
    extractor = build_extractor(str(spec), device, **options)
    if memo is not None:
        memo[key] = extractor
    return extractor
