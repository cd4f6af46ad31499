"""Loading run records into pandas: one row per run, and one row per metric result.

Every ``record.json`` under a results folder is read and validated (``records.read``).
Records that cannot be used (unreadable, corrupt, not matching the schema, or of a run that
is not complete) are set aside with the reason, for one warning that names them all.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gan3d_bench import records
from gan3d_bench.errors import UserError
from gan3d_bench.leaderboard.metric_info import metric_info
from gan3d_bench.leaderboard.protocol import PER_RUN_KEYS, protocol_key

# Settings that do not change what a run produces (only when it logs, samples, saves).
BOOKKEEPING_SETTINGS = frozenset({"seed", "eval_every", "sample_every", "checkpoint_every",
                                  "log_every", "num_samples_grid", "prefetch"})

RUN_COLUMNS = ["record_path", "run_dir", "run_id", "experiment", "dataset", "dataset_key",
               "dataset_options", "resolution", "budget", "seed", "steps", "steps_done",
               "wall_time_s", "device", "generator", "variant_key", "variant", "updated"]
RESULT_COLUMNS = ["run", "name", "family", "protocol_key", "protocol", "mean", "std",
                  "higher_is_better"]


@dataclass
class Skipped:
    """A record left out of the leaderboard.

    Attributes:
        path: the record file.
        reason: why (short).
    """

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path} ({self.reason})"


@dataclass
class LoadedRecords:
    """The usable records of a results folder, and those set aside.

    Attributes:
        root: the results folder.
        records: ``(record file, record)`` of complete runs, sorted by path.
        skipped: records that could not be used, with the reason.
    """

    root: Path
    records: list[tuple[Path, dict]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def num_found(self) -> int:
        """How many record files were found."""
        return len(self.records) + len(self.skipped)


def find_record_files(root: Path) -> list[Path]:
    """Every ``record.json`` under ``root``, sorted.

    Args:
        root: the results folder.

    Returns:
        Record paths.
    """
    return sorted(path for path in root.rglob(records.RECORD_FILE) if path.is_file())


def _short_reason(error: Exception, path: Path) -> str:
    text = str(error)
    for prefix in (f"{path} does not match the run-record schema: ", f"{path} is ",
                   f"cannot read {path}: "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def load_records(root: Path | str) -> LoadedRecords:
    """Reads every run record under a results folder.

    Args:
        root: the results folder.

    Returns:
        The complete runs' records and the records set aside.

    Raises:
        UserError: ``root`` is not a folder.
    """
    root = Path(root)
    if not root.is_dir():
        hint = " (it is a file)" if root.exists() else ""
        raise UserError(f"results folder {root} not found{hint}; give the folder that "
                        f"`gan3d-bench run --results DIR` wrote to (default: results)")
    loaded = LoadedRecords(root=root)
    for path in find_record_files(root):
        try:
            record = records.read(path)
        except UserError as error:
            loaded.skipped.append(Skipped(path, _short_reason(error, path)))
            continue
        if record["status"] != "complete":
            loaded.skipped.append(Skipped(
                path, f"status {record['status']}, {record['steps_done']}/{record['steps']} "
                      f"steps"))
            continue
        loaded.records.append((path, record))
    return loaded


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def run_row(path: Path, record: dict) -> dict:
    """One run as a flat row (the columns of ``RUN_COLUMNS``).

    Args:
        path: the record file.
        record: the validated record.

    Returns:
        The row.
    """
    dataset = {key: value for key, value in record["dataset"].items() if key not in PER_RUN_KEYS}
    dataset_name = str(dataset.get("name") or record["components"].get("dataset", {}).get(
        "name", "?"))
    options = {key: value for key, value in dataset.items() if key not in ("name", "resolution")}
    settings = record["settings"]
    variant = {key: value for key, value in sorted(settings.items())
               if key not in BOOKKEEPING_SETTINGS}
    generator = record["components"].get("generator", {})
    return {
        "record_path": str(path),
        "run_dir": str(path.parent),
        "run_id": record["run_id"],
        "experiment": record["experiment"],
        "dataset": dataset_name,
        "dataset_key": _canonical(dataset),
        "dataset_options": options,
        "resolution": record["resolution"],
        "budget": record["budget"],
        "seed": record["seed"],
        "steps": record["steps"],
        "steps_done": record["steps_done"],
        "wall_time_s": float(record["wall_time_s"]),
        "device": record["device"],
        "generator": generator.get("name", "?") if isinstance(generator, dict) else "?",
        "variant_key": _canonical(variant),
        "variant": variant,
        "updated": record["updated"],
    }


def result_rows(run_index: int, record: dict) -> list[dict]:
    """A run's final metric results as flat rows (the columns of ``RESULT_COLUMNS``).

    Args:
        run_index: the run's row in the runs frame.
        record: the validated record.

    Returns:
        One row per result.
    """
    rows = []
    for name, value in record["metrics"].items():
        protocol = value.get("protocol", {})
        info = metric_info(name, protocol, value.get("extra"))
        rows.append({"run": run_index, "name": name, "family": info.family,
                     "protocol_key": protocol_key(protocol), "protocol": protocol,
                     "mean": _number(value.get("mean")), "std": _number(value.get("std")),
                     "higher_is_better": info.higher_is_better})
    return rows


def to_frames(loaded: LoadedRecords) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The loaded records as two DataFrames.

    Args:
        loaded: what ``load_records`` returned.

    Returns:
        ``(runs, results)``: one row per run (``RUN_COLUMNS``), and one row per metric
        result (``RESULT_COLUMNS``; ``run`` is the run's row number).
    """
    run_rows, results = [], []
    for index, (path, record) in enumerate(loaded.records):
        run_rows.append(run_row(path, record))
        results.extend(result_rows(index, record))
    runs = pd.DataFrame(run_rows, columns=RUN_COLUMNS)
    return runs, pd.DataFrame(results, columns=RESULT_COLUMNS)


def history_points(record: dict, name: str, key: str) -> list[tuple[int, float]]:
    """``(step, value)`` of one metric result over a run's history, under one protocol.

    Args:
        record: the run's record.
        name: the result name.
        key: the protocol key the values must have.

    Returns:
        Points sorted by step.
    """
    points = []
    for entry in record["history"]:
        value = entry["metrics"].get(name)
        if not isinstance(value, dict) or protocol_key(value.get("protocol", {})) != key:
            continue
        mean = _number(value.get("mean"))
        if math.isfinite(mean):
            points.append((entry["step"], mean))
    return sorted(points)
