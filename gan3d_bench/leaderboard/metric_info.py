"""What a metric result's name says: its family, extractor, direction and display scale.

Result names carry the feature extractor that made them (``kid_synth``, ``fid_inception``,
``pose_error_synth``, ``identity_synth``), so the family is the name without the extractor
suffix of its protocol. Known families get a label, a direction and a scale (KID is shown
×10³, as papers report it); any other result works too, as "lower is better" at scale 1,
unless its protocol or extra says ``"higher_is_better": true``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """How a metric family is shown and ranked.

    Attributes:
        label: the column label (``KID``).
        scale: values are multiplied by this for display (1000 for KID).
        higher_is_better: the direction of ranking.
        unit: what the values are in, for the notes (``degrees``), or empty.
    """

    label: str
    scale: float = 1.0
    higher_is_better: bool = False
    unit: str = ""


KNOWN_FAMILIES: dict[str, Family] = {
    "kid": Family("KID", scale=1000.0),
    "fid": Family("FID"),
    "pose_error": Family("pose error", unit="degrees"),
    "identity": Family("identity", higher_is_better=True),
}
# Display order of columns: known families first, in this order, then the rest by name.
FAMILY_ORDER = tuple(KNOWN_FAMILIES)
SCALE_NAMES = {1000.0: "×10³", 100.0: "×10²", 10.0: "×10"}


@dataclass(frozen=True)
class MetricInfo:
    """A metric result's name taken apart.

    Attributes:
        name: the result name (``kid_synth``).
        family: the name without the extractor (``kid``).
        extractor: the feature extractor, or None.
        label: the family's label (``KID``).
        scale: display multiplier.
        higher_is_better: ranking direction.
        unit: what the values are in, or empty.
    """

    name: str
    family: str
    extractor: str | None
    label: str
    scale: float
    higher_is_better: bool
    unit: str = ""

    @property
    def scale_text(self) -> str:
        """``×10³`` for a scale of 1000, empty for 1."""
        if self.scale == 1.0:
            return ""
        return SCALE_NAMES.get(self.scale, f"×{self.scale:g}")

    @property
    def header(self) -> str:
        """The column header: label, scale and extractor (``KID×10³ (synth)``)."""
        extractor = f" ({self.extractor})" if self.extractor else ""
        return f"{self.label}{self.scale_text}{extractor}"

    @property
    def direction(self) -> str:
        """``higher is better`` or ``lower is better``."""
        return "higher is better" if self.higher_is_better else "lower is better"

    @property
    def order(self) -> tuple:
        """A sort key: known families first, in their usual order, then by name."""
        known = FAMILY_ORDER.index(self.family) if self.family in FAMILY_ORDER else len(
            FAMILY_ORDER)
        return (known, self.family, self.name)


def family_of(name: str, extractor: str | None) -> str:
    """The family of a result name (``kid_synth`` with extractor ``synth`` -> ``kid``).

    Args:
        name: the result name.
        extractor: the extractor named in its protocol, if any.

    Returns:
        The family.
    """
    if extractor and name.endswith(f"_{extractor}") and len(name) > len(extractor) + 1:
        return name[: -len(extractor) - 1]
    for family in sorted(KNOWN_FAMILIES, key=len, reverse=True):
        if name == family or name.startswith(f"{family}_"):
            return family
    return name


def metric_info(name: str, protocol: dict | None = None, extra: dict | None = None) -> MetricInfo:
    """Takes a metric result apart.

    Args:
        name: the result name, as stored in records.
        protocol: its protocol (for the extractor and an explicit direction).
        extra: its extra fields (may also state ``higher_is_better``).

    Returns:
        The ``MetricInfo``.
    """
    protocol = protocol or {}
    extra = extra or {}
    extractor = protocol.get("extractor")
    extractor = str(extractor) if extractor is not None else None
    family = family_of(name, extractor)
    known = KNOWN_FAMILIES.get(family)
    label = known.label if known else family
    scale = known.scale if known else 1.0
    higher = known.higher_is_better if known else False
    for source in (protocol, extra):
        if isinstance(source.get("higher_is_better"), bool):
            higher = source["higher_is_better"]
    return MetricInfo(name=name, family=family, extractor=extractor, label=label, scale=scale,
                      higher_is_better=higher, unit=known.unit if known else "")


def matches(name: str, family: str, selector: str) -> bool:
    """Whether a result is selected by ``--metric`` (a family such as ``kid`` or a name).

    Args:
        name: the result name.
        family: its family.
        selector: what the user asked for.

    Returns:
        True when ``selector`` is the result's name or its family.
    """
    return selector in (name, family)
