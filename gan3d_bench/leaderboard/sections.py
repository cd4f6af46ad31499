"""Sections: the runs that may be ranked together, one table each.

A section holds the runs on one dataset (with the same dataset options), at one resolution
and budget, whose ranking metric was made under one protocol. Runs under another protocol,
budget or resolution go to another section, so they never share a rank; a run scored with
the ranking metric under two protocols (say two extractors) appears in both sections. Runs
without the ranking metric are listed, unranked, in a section of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from gan3d_bench.leaderboard.aggregate import aggregate_rows
from gan3d_bench.leaderboard.columns import Column, differing, headers, ordered
from gan3d_bench.leaderboard.metric_info import matches
from gan3d_bench.leaderboard.ranking import rank_rows


@dataclass
class Section:
    """One table of the leaderboard.

    Attributes:
        dataset: the dataset's name.
        dataset_options: its ``describe()`` beyond name and resolution.
        resolution: image (or voxel) side.
        budget: the budget's name.
        rank_column: the column rows are ranked by (None: unranked).
        columns: the metric columns, ranking column first.
        table: the rows, ranked (see ``aggregate.aggregate_rows``, plus ``rank``).
        run_indices: the runs it holds (rows of the runs frame).
        headers: column key -> header, unique within the table.
        distinction: what sets it apart from other sections on the same data and budget
            (``KID×10³ (synth), num_fake=500``), empty when there are none.
    """

    dataset: str
    dataset_options: dict
    resolution: int
    budget: str
    rank_column: Column | None
    columns: list[Column]
    table: pd.DataFrame
    run_indices: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    distinction: str = ""

    @property
    def title(self) -> str:
        """``synth_cars, 64×64, budget quick`` (and what sets it apart, when needed)."""
        distinction = f" · {self.distinction}" if self.distinction else ""
        return f"{self.dataset}, {self.resolution}×{self.resolution}, " \
               f"budget {self.budget}{distinction}"

    @property
    def data_note(self) -> str:
        """The dataset and its options (``describe()``), one line."""
        options = ", ".join(f"{k}={v}" for k, v in sorted(self.dataset_options.items()))
        return f"Data: `{self.dataset}` at {self.resolution}×{self.resolution}" + \
            (f" ({options})" if options else "") + "."


def _section(runs: pd.DataFrame, results: pd.DataFrame, all_columns: dict,
             rank_column: Column | None) -> Section:
    mine = results[results["run"].isin(runs.index)]
    pairs = mine.drop_duplicates(["name", "protocol_key"])
    columns = ordered([all_columns[(p.name, p.protocol_key)] for p in pairs.itertuples()],
                      first=rank_column)
    table = rank_rows(aggregate_rows(runs, mine, columns), rank_column)
    first = runs.iloc[0]
    return Section(dataset=first["dataset"], dataset_options=first["dataset_options"],
                   resolution=int(first["resolution"]), budget=first["budget"],
                   rank_column=rank_column, columns=columns, table=table,
                   run_indices=sorted(runs.index), headers=headers(columns))


def _distinguish(siblings: list[Section], metric: str) -> None:
    """Names what sets apart sections on the same data and budget (their ranking protocol)."""
    if len(siblings) < 2:
        return
    for section in siblings:
        column = section.rank_column
        if column is None:
            section.distinction = f"without {metric}"
            continue
        same_name = [s.rank_column.protocol for s in siblings
                     if s.rank_column is not None and s.rank_column.name == column.name]
        keys = differing(same_name)
        detail = ", ".join(f"{k}={column.protocol.get(k, '(unset)')}" for k in keys)
        section.distinction = column.header + (f", {detail}" if detail else "")


def _distinguish_data(sections: list[Section]) -> None:
    """Names the dataset options that set apart sections whose titles would be equal."""
    by_title: dict[str, list[Section]] = {}
    for section in sections:
        by_title.setdefault(section.title, []).append(section)
    for same in by_title.values():
        keys = differing([s.dataset_options for s in same])
        for section in same if keys else []:
            detail = ", ".join(f"{k}={section.dataset_options.get(k, '(unset)')}" for k in keys)
            section.distinction = ", ".join(filter(None, [section.distinction, detail]))


def build_sections(runs: pd.DataFrame, results: pd.DataFrame, all_columns: dict,
                   metric: str) -> list[Section]:
    """Splits runs into sections and builds each section's ranked table.

    Args:
        runs: the runs frame.
        results: the long results frame.
        all_columns: ``(name, protocol_key)`` -> ``Column`` (``columns.board_columns``).
        metric: a result name or family to rank by (``kid``, ``fid_synth``...).

    Returns:
        Sections sorted by dataset, resolution, budget; ranked ones before unranked ones.
    """
    if runs.empty:
        return []
    chosen = pd.Series([matches(name, family, metric) for name, family in
                        zip(results["name"], results["family"], strict=True)],
                       index=results.index, dtype=bool)
    selected = results[chosen]
    sections = []
    group_keys = ["dataset_key", "resolution", "budget"]
    for _, group in runs.groupby(group_keys, sort=False):
        siblings = []
        ranked = selected[selected["run"].isin(group.index)]
        for (name, key), members in ranked.groupby(["name", "protocol_key"], sort=True):
            siblings.append(_section(group.loc[sorted(set(members["run"]))], results,
                                     all_columns, all_columns[(name, key)]))
        unranked = group.loc[~group.index.isin(ranked["run"])]
        if not unranked.empty:
            siblings.append(_section(unranked, results, all_columns, None))
        _distinguish(siblings, metric)
        sections.extend(siblings)
    _distinguish_data(sections)
    sections.sort(key=lambda s: (s.dataset, s.resolution, s.budget, s.rank_column is None,
                                 s.rank_column.key if s.rank_column else "",
                                 str(s.dataset_options)))
    return sections
