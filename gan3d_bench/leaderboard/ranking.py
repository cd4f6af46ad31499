"""Ranking the rows of a section by one metric column, in that metric's direction."""

from __future__ import annotations

import pandas as pd

from gan3d_bench.leaderboard.columns import Column


def rank_rows(table: pd.DataFrame, column: Column | None) -> pd.DataFrame:
    """Adds a ``rank`` column (1 = best; ties share the better rank) and sorts by it.

    Rows without a value for the column get no rank and go last.

    Args:
        table: the section's rows (from ``aggregate_rows``).
        column: the ranking column, or None (no rank: rows sorted by experiment).

    Returns:
        The sorted table with ``rank`` (nullable integer) first.
    """
    table = table.copy()
    if column is None or table.empty:
        table.insert(0, "rank", pd.array([pd.NA] * len(table), dtype="Int64"))
        return table.sort_values(["experiment", "variant"], kind="stable").reset_index(drop=True)
    values = table[f"{column.key}:mean"]
    ranks = values.rank(method="min", ascending=not column.info.higher_is_better)
    table.insert(0, "rank", ranks.astype("Int64"))
    return table.sort_values(["rank", "experiment", "variant"], na_position="last",
                             kind="stable").reset_index(drop=True)
