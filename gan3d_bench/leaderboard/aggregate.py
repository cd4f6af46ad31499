"""Aggregation over seeds: one row per experiment, each metric as mean ± std over its seeds.

With two or more seeds the spread is the sample standard deviation over seeds (ddof 1). With
one seed it is the metric's own spread when it has one (for KID, the std over subsets), and
it is marked as such (``std_over = "run"``), since it measures something else.
"""

from __future__ import annotations

import math

import pandas as pd

from gan3d_bench.leaderboard.columns import Column

SEEDS = "seeds"
WITHIN_RUN = "run"


def cell_columns(column: Column) -> list[str]:
    """The frame columns that hold one metric column's cell."""
    return [f"{column.key}:mean", f"{column.key}:std", f"{column.key}:std_over",
            f"{column.key}:n"]


def summarize(values: pd.DataFrame) -> dict:
    """Mean ± std of one metric over the runs (seeds) of a row.

    Args:
        values: result rows of one column for one row (columns ``mean``, ``std``).

    Returns:
        ``mean``, ``std``, ``std_over`` (``seeds``, ``run`` or empty) and ``n``.
    """
    finite = values[values["mean"].map(math.isfinite)]
    n = len(finite)
    if n == 0:
        return {"mean": math.nan, "std": math.nan, "std_over": "", "n": 0}
    if n >= 2:
        return {"mean": float(finite["mean"].mean()), "std": float(finite["mean"].std(ddof=1)),
                "std_over": SEEDS, "n": n}
    own_std = float(finite["std"].iloc[0])
    return {"mean": float(finite["mean"].iloc[0]), "std": own_std,
            "std_over": WITHIN_RUN if math.isfinite(own_std) else "", "n": 1}


def _variant_text(variants: list[dict], variant: dict) -> str:
    differing = sorted(key for key in set().union(*variants)
                       if len({repr(v.get(key)) for v in variants}) > 1)
    return ", ".join(f"{key}={variant.get(key)}" for key in differing)


def aggregate_rows(runs: pd.DataFrame, results: pd.DataFrame,
                   columns: list[Column]) -> pd.DataFrame:
    """One row per experiment (and settings variant) of a section.

    Args:
        runs: the section's runs (rows of the runs frame, index = run number).
        results: the results of those runs (long frame).
        columns: the section's metric columns.

    Returns:
        A frame with ``experiment``, ``variant``, ``seeds``, ``seed_list``, the cell columns
        of every metric column (``cell_columns``), ``steps``, ``wall_time_s``,
        ``wall_time_std``, ``device`` and ``run_dirs``.
    """
    rows = []
    by_experiment = {name: group["variant"].tolist()
                     for name, group in runs.drop_duplicates(["experiment", "variant_key"])
                     .groupby("experiment")}
    for (experiment, _), group in runs.groupby(["experiment", "variant_key"], sort=True):
        first = group.iloc[0]
        row = {"experiment": experiment,
               "variant": _variant_text(by_experiment[experiment], first["variant"]),
               "seeds": len(group), "seed_list": " ".join(map(str, sorted(group["seed"]))),
               "generator": first["generator"]}
        mine = results[results["run"].isin(group.index)]
        for column in columns:
            values = mine[(mine["name"] == column.name) &
                          (mine["protocol_key"] == column.protocol_key)]
            summary = summarize(values)
            for field, frame_column in zip(("mean", "std", "std_over", "n"),
                                           cell_columns(column), strict=True):
                row[frame_column] = summary[field]
        wall = group["wall_time_s"]
        row.update(steps=" / ".join(str(s) for s in sorted(set(group["steps"]))),
                   wall_time_s=float(wall.mean()),
                   wall_time_std=float(wall.std(ddof=1)) if len(wall) > 1 else math.nan,
                   device=", ".join(sorted(set(group["device"]))),
                   run_dirs=" ".join(sorted(group["run_dir"])))
        rows.append(row)
    return pd.DataFrame(rows)
