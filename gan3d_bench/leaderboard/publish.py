"""Regenerating a results folder's leaderboard files: markdown, CSV and plots.

``regenerate(results)`` writes ``leaderboard.md``, ``leaderboard.csv`` and ``plots/*.png``
into the results folder, each atomically, from the run records alone. It runs after every
run (``gan3d-bench run`` and each run of a suite).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from gan3d_bench import atomic
from gan3d_bench.leaderboard.board import Leaderboard, build_leaderboard
from gan3d_bench.leaderboard.output import to_csv, to_markdown
from gan3d_bench.leaderboard.plots import write_plots

MARKDOWN_FILE = "leaderboard.md"
CSV_FILE = "leaderboard.csv"
PLOTS_DIR = "plots"
_MANIFEST = ".generated.json"


def relative_images(written: dict, base: Path) -> dict[int, list[tuple[str, str]]]:
    """Plot paths relative to the folder of the document that shows them.

    Args:
        written: what ``plots.write_plots`` returned.
        base: the document's folder.

    Returns:
        Section number -> ``[(caption, relative path)]``.
    """
    return {number: [(caption, Path(os.path.relpath(path, base)).as_posix())
                     for caption, path in files] for number, files in written.items()}


def write_plots_tracked(board: Leaderboard, folder: Path) -> dict:
    """Writes the plots and removes those this function wrote last time but not now.

    Only files listed in the folder's manifest (``.generated.json``) are ever removed, so
    pictures put there by hand stay.

    Args:
        board: the leaderboard.
        folder: the plots folder.

    Returns:
        What ``plots.write_plots`` returned.
    """
    written = write_plots(board, folder)
    names = sorted(path.name for files in written.values() for _, path in files)
    manifest = folder / _MANIFEST
    try:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = []
    for name in set(previous if isinstance(previous, list) else []) - set(names):
        if isinstance(name, str) and "/" not in name and name.endswith(".png"):
            (folder / name).unlink(missing_ok=True)
    if names or previous:
        atomic.write_json(manifest, names)
    return written


def regenerate(results: Path | str) -> Leaderboard:
    """Rewrites a results folder's leaderboard (markdown, CSV, plots) from its records.

    Args:
        results: the results folder.

    Returns:
        The leaderboard.
    """
    results = Path(results)
    board = build_leaderboard(results)
    written = write_plots_tracked(board, results / PLOTS_DIR)
    atomic.write_text(results / MARKDOWN_FILE,
                      to_markdown(board, relative_images(written, results)))
    atomic.write_text(results / CSV_FILE, to_csv(board))
    return board
