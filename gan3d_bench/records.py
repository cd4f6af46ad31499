"""Run records: one JSON file per run folder, validated against its schema before use.

A record says what ran (each component with its package and version, the dataset and its
options, resolution, budget, seed), how long (steps, wall time, device, processes), what it
scored (each metric with mean, std and protocol), and the KID-versus-step history, so that
leaderboards and plots regenerate from records alone. The operative gin config is saved
beside it as ``config.gin``.
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
from pathlib import Path

from gan3d_bench import __version__, atomic
from gan3d_bench.errors import UserError

RECORD_FILE = "record.json"
CONFIG_FILE = "config.gin"
SCHEMA_VERSION = 1
STATUSES = ("running", "complete", "failed")

_NUMBER = (int, float)
SCHEMA: dict[str, tuple] = {
    "schema_version": (int,),
    "run_id": (str,),
    "experiment": (str,),
    "status": (str,),
    "components": (dict,),
    "dataset": (dict,),
    "resolution": (int,),
    "budget": (str,),
    "seed": (int,),
    "steps": (int,),
    "steps_done": (int,),
    "wall_time_s": _NUMBER,
    "device": (str,),
    "world_size": (int,),
    "metrics": (dict,),
    "history": (list,),
    "settings": (dict,),
    "git_commit": (str, type(None)),
    "gan3d_bench_version": (str,),
    "created": (str,),
    "updated": (str,),
    "config_file": (str,),
}


class RecordError(UserError):
    """A record that is missing, unreadable, or does not match the schema."""


def now() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def validate(record) -> list[str]:
    """Checks a record against the schema.

    Args:
        record: the parsed JSON.

    Returns:
        The problems found, one line each; empty when the record is valid.
    """
    if not isinstance(record, dict):
        return ["the record is not a JSON object"]
    problems = []
    for key, types in SCHEMA.items():
        if key not in record:
            problems.append(f"missing '{key}'")
        elif not isinstance(record[key], types) or (isinstance(record[key], bool) and \
                bool not in types):
            problems.append(f"'{key}' should be {' or '.join(t.__name__ for t in types)}")
    if problems:
        return problems
    if record["schema_version"] != SCHEMA_VERSION:
        problems.append(f"schema_version {record['schema_version']} is not {SCHEMA_VERSION}")
    if record["status"] not in STATUSES:
        problems.append(f"status '{record['status']}' is not one of {', '.join(STATUSES)}")
    for role, component in record["components"].items():
        if not isinstance(component, dict) or not {"name", "distribution", "version"} <= set(
                component):
            problems.append(f"component '{role}' lacks name, distribution or version")
    for name, value in record["metrics"].items():
        mean_ok = isinstance(value, dict) and isinstance(value.get("mean"), (*_NUMBER, type(None)))
        if not mean_ok or not isinstance(value.get("protocol"), dict):
            problems.append(f"metric '{name}' needs a numeric 'mean' and a 'protocol' object")
    for entry in record["history"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("step"), int) or \
                not isinstance(entry.get("metrics"), dict):
            problems.append("history entries need an integer 'step' and a 'metrics' object")
            break
    return problems


def read(run_dir: Path | str) -> dict:
    """Reads and validates a run's record.

    Args:
        run_dir: the run folder (or the record file itself).

    Returns:
        The record.

    Raises:
        RecordError: missing, unreadable, not JSON, or not matching the schema.
    """
    path = Path(run_dir)
    if path.is_dir():
        path = path / RECORD_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(f"{path} not found: is {path.parent} a gan3d-bench run folder?") \
            from None
    except OSError as error:
        raise RecordError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordError(f"{path} is corrupt (not JSON: {error.msg} at line {error.lineno})") \
            from None
    problems = validate(record)
    if problems:
        raise RecordError(f"{path} does not match the run-record schema: {'; '.join(problems)}")
    return record


def write(run_dir: Path | str, record: dict) -> Path:
    """Validates and writes a record atomically (stamping ``updated``).

    Args:
        run_dir: the run folder.
        record: the record.

    Returns:
        The record's path.
    """
    record["updated"] = now()
    problems = validate(record)
    if problems:  # our own bug, not the user's
        raise ValueError(f"refusing to write an invalid record: {'; '.join(problems)}")
    path = Path(run_dir) / RECORD_FILE
    atomic.write_json(path, record)
    return path


def git_commit(folder: Path | None = None) -> str | None:
    """The git commit of the source tree gan3d-bench runs from, when it is a checkout.

    Args:
        folder: where to look (default: this package's folder).

    Returns:
        The commit hash, with ``-dirty`` appended when there are uncommitted changes, or None.
    """
    folder = folder or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=5, check=True)
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = commit.stdout.strip()
    if not sha:
        return None
    return sha + ("-dirty" if status.stdout.strip() else "")


def new_record(*, run_id: str, experiment: str, components: dict, dataset: dict,
               settings: dict, budget: str, device: str, world_size: int,
               command: dict) -> dict:
    """A fresh record for a run that is starting.

    Args:
        run_id: the run folder's name.
        experiment: the experiment's name.
        components: role -> provenance dict (name, kind, distribution, version).
        dataset: the dataset's ``describe()``.
        settings: the experiment's scalar settings.
        budget: the budget's name.
        device: a description of the training device.
        world_size: number of training processes.
        command: how it was started (config files, bindings, budget).

    Returns:
        The record, status ``running``.
    """
    stamp = now()
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "experiment": experiment,
        "status": "running",
        "components": components,
        "dataset": dataset,
        "resolution": int(settings["resolution"]),
        "budget": budget,
        "seed": int(settings["seed"]),
        "steps": int(settings["steps"]),
        "steps_done": 0,
        "wall_time_s": 0.0,
        "device": device,
        "world_size": world_size,
        "metrics": {},
        "history": [],
        "settings": settings,
        "git_commit": git_commit(),
        "gan3d_bench_version": __version__,
        "created": stamp,
        "updated": stamp,
        "config_file": CONFIG_FILE,
        "command": command,
    }
