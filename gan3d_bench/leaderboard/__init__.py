"""Leaderboards: run records -> pandas -> ranked tables (markdown, LaTeX, CSV, HTML) and plots.

* ``loading``: records into DataFrames (one row per run, one per metric result).
* ``metric_info`` / ``protocol`` / ``columns``: what a result is, and when two may share a
  column (same name, same protocol).
* ``sections``: runs that may be ranked together (dataset, resolution, budget, protocol).
* ``aggregate`` / ``ranking``: mean ± std over seeds, ranks in the metric's direction.
* ``formatting`` / ``render`` / ``latex``: text and markup.
* ``plots`` / ``publish``: PNGs, and the files regenerated after every run.
"""

from gan3d_bench.leaderboard.board import DEFAULT_METRIC, Leaderboard, build_leaderboard
from gan3d_bench.leaderboard.publish import regenerate
from gan3d_bench.leaderboard.render import FORMATS, render

__all__ = ["DEFAULT_METRIC", "FORMATS", "Leaderboard", "build_leaderboard", "regenerate",
           "render"]
