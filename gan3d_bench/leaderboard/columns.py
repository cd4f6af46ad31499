"""Columns: one metric result under one protocol.

Two values share a column only when they have the same result name and the same protocol.
A name measured under several protocols gets one column per protocol, each with its own key
(``fid_synth@1a2b3c``) and header, so that such numbers never sit side by side unmarked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from gan3d_bench.leaderboard.metric_info import MetricInfo, metric_info
from gan3d_bench.leaderboard.protocol import short_id


@dataclass(frozen=True)
class Column:
    """A metric result under one protocol.

    Attributes:
        key: unique over the whole leaderboard (the result name, with ``@`` and a protocol
            id appended when the name occurs under several protocols); used in CSV headers.
        name: the result name (``kid_synth``).
        protocol_key: the protocol's identity.
        protocol: the protocol itself.
        info: family, label, scale and direction.
    """

    key: str
    name: str
    protocol_key: str
    protocol: dict
    info: MetricInfo

    @property
    def header(self) -> str:
        """The column header (``KID×10³ (synth)``)."""
        return self.info.header

    @property
    def protocol_id(self) -> str:
        """The protocol id in the key (``1a2b3c``), or empty when the name has one protocol."""
        return self.key.split("@", 1)[1] if "@" in self.key else ""


def board_columns(results: pd.DataFrame) -> dict[tuple[str, str], Column]:
    """Every (result name, protocol) pair of a results frame as a ``Column``.

    Args:
        results: the long results frame (``loading.RESULT_COLUMNS``).

    Returns:
        ``(name, protocol_key)`` -> ``Column``.
    """
    columns = {}
    if results.empty:
        return columns
    pairs = results.drop_duplicates(["name", "protocol_key"])
    protocols_per_name = pairs.groupby("name")["protocol_key"].nunique()
    for row in pairs.itertuples(index=False):
        key = row.name
        if protocols_per_name[row.name] > 1:
            key = f"{row.name}@{short_id(row.protocol_key)}"
        info = metric_info(row.name, row.protocol)
        if info.higher_is_better != bool(row.higher_is_better):
            info = dataclasses.replace(info, higher_is_better=bool(row.higher_is_better))
        columns[(row.name, row.protocol_key)] = Column(key, row.name, row.protocol_key,
                                                       row.protocol, info)
    return columns


def headers(columns: list[Column]) -> dict[str, str]:
    """Headers for the columns of one table, unique: a header shared by two columns (one
    result under two protocols) gets the protocol id appended (``FID (synth) [1a2b3c]``).

    Args:
        columns: the table's columns.

    Returns:
        Column key -> header.
    """
    plain = [c.header for c in columns]
    return {c.key: c.header if plain.count(c.header) == 1 or not c.protocol_id
            else f"{c.header} [{c.protocol_id}]" for c in columns}


def differing(protocols: list[dict]) -> list[str]:
    """The protocol keys whose values are not all equal.

    Args:
        protocols: protocols of the same result name.

    Returns:
        Sorted keys.
    """
    keys = set().union(*protocols) if protocols else set()
    return sorted(k for k in keys if len({repr(p.get(k)) for p in protocols}) > 1)


def ordered(columns: list[Column], first: Column | None = None) -> list[Column]:
    """Columns in display order: ``first`` (the ranking column), then by family and name.

    Args:
        columns: the columns.
        first: the column to put first.

    Returns:
        The sorted columns.
    """
    rest = sorted((c for c in columns if c != first), key=lambda c: (c.info.order, c.key))
    return ([first] if first is not None else []) + rest
