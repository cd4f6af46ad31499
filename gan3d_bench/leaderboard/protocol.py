"""Protocols: when two numbers may share a column, and how to say how a number was made.

A metric's protocol (``MetricValue.protocol``) holds the extractor, the sample counts, the
KID subsets and anything else the metric records. Two values are comparable only when their
protocols are equal, so the protocol's canonical JSON is part of a column's identity. Keys
that describe one run rather than the method (its seeds) are left out of that identity.
"""

from __future__ import annotations

import hashlib
import json

# Keys that differ between the seeds of one experiment without changing the method.
PER_RUN_KEYS = frozenset({"seed", "eval_seed", "run_seed"})

_DESCRIBED = ("extractor", "num_real", "num_fake", "subsets", "subset_size")


def protocol_key(protocol: dict) -> str:
    """The protocol's identity: canonical JSON without per-run keys.

    Args:
        protocol: a metric value's protocol.

    Returns:
        A string equal for comparable protocols.
    """
    kept = {key: value for key, value in protocol.items() if key not in PER_RUN_KEYS}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), default=str)


def short_id(key: str) -> str:
    """Six hex digits naming a protocol key (for column and file names)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]


def _value_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def describe(protocol: dict) -> str:
    """Says in words how a value was made (``synth features; 2000 real / 2000 fake ...``).

    Args:
        protocol: a metric value's protocol.

    Returns:
        One line; keys it does not know are listed as ``key=value``.
    """
    parts = []
    if "extractor" in protocol:
        parts.append(f"{protocol['extractor']} features")
    if "num_real" in protocol or "num_fake" in protocol:
        real = _value_text(protocol.get("num_real", "?"))
        fake = _value_text(protocol.get("num_fake", "?"))
        parts.append(f"{real} real / {fake} generated samples")
    if "subsets" in protocol or "subset_size" in protocol:
        subsets = _value_text(protocol.get("subsets", "?"))
        size = _value_text(protocol.get("subset_size", "?"))
        parts.append(f"{subsets} subsets of {size}")
    shown = set(_DESCRIBED) | {"higher_is_better"} | PER_RUN_KEYS
    others = [f"{key}={_value_text(protocol[key])}" for key in sorted(protocol)
              if key not in shown]
    parts.extend(others)
    return "; ".join(parts) if parts else "no protocol recorded"
