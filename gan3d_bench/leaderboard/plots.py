"""Comparison plots of a leaderboard (matplotlib, Agg): bars by experiment and metric curves.

For each ranked section (by default the KID of one dataset, resolution, budget and
protocol): a bar chart of the ranking metric by experiment with error bars, and the metric
versus training step for every run, from each record's ``history``. Figures are drawn on the
Agg canvas directly (no pyplot, no display).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gan3d_bench import atomic
from gan3d_bench.leaderboard.aggregate import SEEDS, WITHIN_RUN
from gan3d_bench.leaderboard.board import Leaderboard
from gan3d_bench.leaderboard.loading import history_points
from gan3d_bench.leaderboard.sections import Section

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def plot_names(board: Leaderboard) -> dict[int, str]:
    """A file-name stem for each ranked section.

    ``<dataset>_<family>`` when that is unique (``synth_cars_kid``), else with the
    resolution, budget and column key added.

    Args:
        board: the leaderboard.

    Returns:
        Section number -> stem.
    """
    ranked = {i: s for i, s in enumerate(board.sections) if s.rank_column is not None}
    short = {i: _slug(f"{s.dataset}_{s.rank_column.info.family}") for i, s in ranked.items()}
    names = {}
    for i, section in ranked.items():
        if list(short.values()).count(short[i]) == 1:
            names[i] = short[i]
        else:
            names[i] = _slug(f"{section.dataset}_{section.resolution}px_{section.budget}_"
                             f"{section.rank_column.key}")
    stems = list(names.values())
    for i in names:  # still equal (dataset options differ): number them
        if stems.count(names[i]) > 1:
            names[i] = f"{names[i]}_{i}"
    return names


def experiment_colors(experiments) -> dict[str, str]:
    """One colour per experiment (by sorted name), the same in bars and curves."""
    return {name: COLORS[i % len(COLORS)] for i, name in enumerate(sorted(set(experiments)))}


def _figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg canvas (files only: no pyplot, no display, no global state)."""
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> None:
    atomic.write_with(path, lambda handle: figure.savefig(handle, format="png", dpi=110,
                                                          bbox_inches="tight"))


def bar_chart(section: Section, path: Path) -> str | None:
    """A bar chart of the ranking metric by experiment, with error bars.

    Error bars are the std over seeds for rows with two seeds or more; for a single seed
    they are that run's own spread (for KID, over subsets), and the bar is hatched.

    Args:
        section: a ranked section.
        path: the PNG to write.

    Returns:
        The caption, or None when no row has a value (nothing written).
    """
    column = section.rank_column
    table = section.table[section.table[f"{column.key}:mean"].notna()]
    if table.empty:
        return None
    scale = column.info.scale
    labels, heights, errors, hatches, colors = [], [], [], [], []
    palette = experiment_colors(section.table["experiment"])
    for _, row in table.iterrows():
        colors.append(palette[row["experiment"]])
        labels.append(f"{row['experiment']}\n{row['variant']}".strip() +
                      f"\n(n={row['seeds']})")
        heights.append(row[f"{column.key}:mean"] * scale)
        std = row[f"{column.key}:std"]
        errors.append(std * scale if math.isfinite(std) else 0.0)
        hatches.append("//" if row[f"{column.key}:std_over"] == WITHIN_RUN else "")
    figure = _figure(max(4.0, 1.2 * len(labels) + 1.5), 4.2)
    axes = figure.add_subplot()
    bars = axes.bar(range(len(labels)), heights, yerr=errors, capsize=4,
                    color=colors,
                    edgecolor="black", linewidth=0.6)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    axes.set_xticks(range(len(labels)), labels, fontsize=8)
    axes.set_ylabel(f"{column.info.header} ({column.info.direction})")
    axes.set_title(section.title, fontsize=10)
    axes.axhline(0.0, color="black", linewidth=0.6)
    kinds = set(table[f"{column.key}:std_over"])
    own = "std over subsets" if column.info.family == "kid" else "its own std"
    notes = []
    if SEEDS in kinds:
        notes.append("error bars: std over seeds")
    if WITHIN_RUN in kinds:
        notes.append(f"hatched bars (one seed): error bar = that run's {own}")
    caption = f"{column.info.header} by experiment; " + "; ".join(notes or ["no error bars"])
    figure.text(0.5, -0.02, caption, ha="center", va="top", fontsize=8, wrap=True)
    _save(figure, path)
    return caption


def curves_chart(board: Leaderboard, section: Section, path: Path) -> str | None:
    """The ranking metric versus training step for every run of a section.

    Args:
        board: the leaderboard (for the records' histories).
        section: a ranked section.
        path: the PNG to write.

    Returns:
        The caption, or None when no run has evaluations in its history (nothing written).
    """
    column = section.rank_column
    palette = experiment_colors(section.table["experiment"])
    figure = _figure(6.4, 4.2)
    axes = figure.add_subplot()
    drawn = 0
    for index in section.run_indices:
        run = board.runs.loc[index]
        points = history_points(board.records[index], column.name, column.protocol_key)
        if not points:
            continue
        steps, values = zip(*points, strict=True)
        axes.plot(steps, [v * column.info.scale for v in values], marker="o", markersize=3,
                  color=palette[run["experiment"]],
                  label=f"{run['experiment']} (seed {run['seed']})")
        drawn += 1
    if not drawn:
        return None
    axes.set_xlabel("training step")
    axes.set_ylabel(f"{column.info.header} ({column.info.direction})")
    axes.set_title(section.title, fontsize=10)
    axes.legend(fontsize=7, loc="best")
    caption = f"{column.info.header} versus training step, one line per run"
    _save(figure, path)
    return caption


def write_plots(board: Leaderboard, folder: Path) -> dict[int, list[tuple[str, Path]]]:
    """Writes the bar chart and the curves of every ranked section.

    Args:
        board: the leaderboard.
        folder: where the PNGs go (``<stem>.png`` and ``<stem>_curves.png``).

    Returns:
        Section number -> ``[(caption, path)]`` of the files written.
    """
    written: dict[int, list[tuple[str, Path]]] = {}
    for number, stem in plot_names(board).items():
        section = board.sections[number]
        for suffix, draw in (("", lambda s, p: bar_chart(s, p)),
                             ("_curves", lambda s, p: curves_chart(board, s, p))):
            path = Path(folder) / f"{stem}{suffix}.png"
            caption = draw(section, path)
            if caption is not None:
                written.setdefault(number, []).append((caption, path))
    return written
