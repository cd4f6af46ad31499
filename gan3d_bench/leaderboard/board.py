"""The leaderboard of a results folder: records -> DataFrames -> ranked sections."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gan3d_bench.errors import UserError, did_you_mean
from gan3d_bench.leaderboard.aggregate import cell_columns
from gan3d_bench.leaderboard.columns import board_columns
from gan3d_bench.leaderboard.loading import (
    BOOKKEEPING_SETTINGS,
    LoadedRecords,
    Skipped,
    load_records,
    to_frames,
)
from gan3d_bench.leaderboard.protocol import PER_RUN_KEYS
from gan3d_bench.leaderboard.sections import Section, build_sections

DEFAULT_METRIC = "kid"
LEADING_COLUMNS = ["section", "dataset", "dataset_options", "resolution", "budget",
                   "ranked_by", "rank", "experiment", "variant", "seeds", "seed_list"]
TRAILING_COLUMNS = ["steps", "wall_time_s", "wall_time_std", "device", "run_dirs"]


@dataclass
class Leaderboard:
    """Every complete run of a results folder, in ranked sections.

    Attributes:
        root: the results folder.
        metric: what rows are ranked by (a result name or a family such as ``kid``).
        sections: the tables.
        runs: one row per run used (``loading.RUN_COLUMNS``).
        results: one row per metric result of those runs (``loading.RESULT_COLUMNS``).
        records: the runs' records, in the order of ``runs``.
        skipped: records left out (unreadable, corrupt, unfinished, superseded).
    """

    root: Path
    metric: str
    sections: list[Section]
    runs: pd.DataFrame
    results: pd.DataFrame
    records: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def warning(self) -> str | None:
        """One line naming every record left out, or None when all were used."""
        if not self.skipped:
            return None
        names = "; ".join(str(s) for s in self.skipped)
        return f"skipped {len(self.skipped)} run record(s) under {self.root}: {names}"

    def frame(self) -> pd.DataFrame:
        """All sections in one DataFrame (raw values, not scaled), as written to CSV.

        Metric columns are ``<key>_mean``, ``<key>_std``, ``<key>_std_over`` (``seeds``, or
        ``run`` for a single run's own spread), ``<key>_n`` and ``<key>_protocol`` (JSON),
        where the key is the result name (with ``@id`` when it occurs under several
        protocols).

        Returns:
            One row per section row.
        """
        parts, metric_columns = [], []
        for number, section in enumerate(self.sections, start=1):
            table = section.table
            part = pd.DataFrame({
                "section": number, "dataset": section.dataset,
                "dataset_options": json.dumps(section.dataset_options, sort_keys=True),
                "resolution": section.resolution, "budget": section.budget,
                "ranked_by": section.rank_column.key if section.rank_column else "",
                "rank": table["rank"], "experiment": table["experiment"],
                "variant": table["variant"], "seeds": table["seeds"],
                "seed_list": table["seed_list"]}, index=table.index)
            for column in section.columns:
                mean, std, std_over, count = cell_columns(column)
                has_value = table[count] > 0
                part[f"{column.key}_mean"] = table[mean]
                part[f"{column.key}_std"] = table[std]
                part[f"{column.key}_std_over"] = table[std_over]
                part[f"{column.key}_n"] = table[count].astype("Int64")
                part[f"{column.key}_protocol"] = has_value.map(
                    {True: json.dumps(column.protocol, sort_keys=True), False: ""})
                metric_columns += [c for c in part.columns[-5:] if c not in metric_columns]
            for name in TRAILING_COLUMNS:
                part[name] = table[name]
            parts.append(part)
        if not parts:
            return pd.DataFrame(columns=[*LEADING_COLUMNS, *TRAILING_COLUMNS])
        frame = pd.concat(parts, ignore_index=True)
        for column in metric_columns:
            if column.endswith("_n"):
                frame[column] = frame[column].fillna(0).astype("Int64")
            elif column.endswith(("_std_over", "_protocol")):
                frame[column] = frame[column].fillna("")
        return frame[[*LEADING_COLUMNS, *metric_columns, *TRAILING_COLUMNS]]

    def for_dataset(self, dataset: str) -> list[Section]:
        """The sections of one dataset."""
        return [s for s in self.sections if s.dataset == dataset]


def _drop_superseded(loaded: LoadedRecords) -> list[Skipped]:
    """Keeps the newest run of each experiment, settings, dataset, budget and seed.

    Two runs of one experiment with the same settings and seed are the same measurement
    twice (a rerun), not two seeds, so only the newer one is counted.
    """
    newest: dict[tuple, tuple[Path, dict]] = {}
    superseded = []
    for path, record in loaded.records:
        dataset = {k: v for k, v in record["dataset"].items() if k not in PER_RUN_KEYS}
        key = (record["experiment"], json.dumps(dataset, sort_keys=True, default=str),
               record["resolution"], record["budget"], record["seed"],
               json.dumps({k: v for k, v in record["settings"].items()
                           if k not in BOOKKEEPING_SETTINGS},
                          sort_keys=True, default=str))
        if key in newest:
            old_path, old = newest[key]
            if record["updated"] >= old["updated"]:
                newest[key] = (path, record)
                superseded.append(Skipped(old_path, f"superseded by {path.parent}"))
            else:
                superseded.append(Skipped(path, f"superseded by {old_path.parent}"))
        else:
            newest[key] = (path, record)
    kept = {id(record) for _, record in newest.values()}
    loaded.records = [(p, r) for p, r in loaded.records if id(r) in kept]
    return superseded


def _check_metric(metric: str, results: pd.DataFrame) -> None:
    known = set(results["name"]) | set(results["family"])
    if metric not in known:
        listed = ", ".join(sorted(known)) or "none (the runs recorded no metrics)"
        raise UserError(f"--metric {metric}: no run has this metric{did_you_mean(metric, known)}"
                        f"; the metrics in these records are: {listed}")


def build_leaderboard(root: Path | str, metric: str | None = None) -> Leaderboard:
    """Reads a results folder and builds its leaderboard.

    Args:
        root: the results folder (searched recursively for ``record.json``).
        metric: rank by this result name or family (default: ``kid``, i.e. the KID of each
            run's protocol). An explicit metric that no run has is an error.

    Returns:
        The ``Leaderboard``.

    Raises:
        UserError: ``root`` is not a folder, or ``metric`` is unknown.
    """
    loaded = load_records(root)
    superseded = _drop_superseded(loaded)
    runs, results = to_frames(loaded)
    if metric is not None and loaded.records:
        _check_metric(metric, results)
    metric = metric or DEFAULT_METRIC
    sections = build_sections(runs, results, board_columns(results), metric)
    return Leaderboard(root=Path(root), metric=metric, sections=sections, runs=runs,
                       results=results, records=[r for _, r in loaded.records],
                       skipped=[*loaded.skipped, *superseded])
