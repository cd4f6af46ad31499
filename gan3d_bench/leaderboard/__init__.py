"""Leaderboards: run records -> pandas -> ranked tables (markdown, LaTeX, CSV, HTML) and plots.

* ``loading``: records into DataFrames (one row per run, one per metric result).
* ``metric_info`` / ``protocol`` / ``columns``: what a result is, and when two may share a
  column (same name, same protocol).
* ``sections``: runs that may be ranked together (dataset, resolution, budget, protocol).
* ``aggregate`` / ``ranking``: mean ± std over seeds, ranks in the metric's direction.
* ``formatting`` / ``output`` / ``latex``: text and markup.
* ``plots`` / ``publish`` / ``summary``: PNGs, the files regenerated after every run, and the
  tables printed after a run.

The names below are imported on first use, so that ``import gan3d_bench.leaderboard`` (and
every ``gan3d-bench`` command) does not pay for pandas and matplotlib until it needs them.
"""

from __future__ import annotations

import importlib

FORMATS = ("markdown", "latex", "csv", "html")

_EXPORTS = {"DEFAULT_METRIC": "board", "Leaderboard": "board", "build_leaderboard": "board",
            "regenerate": "publish", "render": "output"}

__all__ = ["FORMATS", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"gan3d_bench.leaderboard.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
