"""Turning a section's numbers into display text: scaled values, ± spreads, n/a, times.

Every renderer (markdown, HTML, LaTeX) shows the same text; only the markup differs.
"""

from __future__ import annotations

import math

import pandas as pd

from gan3d_bench.leaderboard.aggregate import SEEDS, WITHIN_RUN
from gan3d_bench.leaderboard.columns import Column
from gan3d_bench.leaderboard.protocol import describe
from gan3d_bench.leaderboard.sections import Section

NOT_AVAILABLE = "n/a"
NO_RANK = "–"

LEGEND = ("± is the sample standard deviation over seeds (seeds ≥ 2). With one seed, "
          "(± s) is that run's own spread (for KID, the standard deviation over subsets), "
          "not a spread over seeds. n/a: the metric does not apply to the model (pose "
          "metrics of 2D generators) or was not computed. [n=k]: only k of the row's seeds "
          "have this value. Wall time covers training and evaluation, mean over seeds.")


def decimals_for(value: float) -> int:
    """Decimals that show about three significant digits (0 to 4).

    Args:
        value: the (scaled) value.

    Returns:
        The number of decimals.
    """
    if not math.isfinite(value) or value == 0:
        return 2
    return max(0, min(4, 2 - math.floor(math.log10(abs(value)))))


def cell_text(row: pd.Series, column: Column) -> str:
    """A metric cell: ``12.3 ± 0.4`` over seeds, ``12.3 (± 0.4)`` within one run, or n/a.

    Args:
        row: a row of the section's table.
        column: the metric column.

    Returns:
        The text, with values multiplied by the column's display scale.
    """
    mean = row[f"{column.key}:mean"]
    if pd.isna(mean):
        return NOT_AVAILABLE
    scale = column.info.scale
    places = decimals_for(mean * scale)
    text = f"{mean * scale:.{places}f}"
    std, std_over = row[f"{column.key}:std"], row[f"{column.key}:std_over"]
    if std_over == SEEDS and pd.notna(std):
        text += f" ± {std * scale:.{places}f}"
    elif std_over == WITHIN_RUN and pd.notna(std):
        text += f" (± {std * scale:.{places}f})"
    count = int(row[f"{column.key}:n"])
    if count < int(row["seeds"]):
        text += f" [n={count}]"
    return text


def wall_time_text(seconds: float) -> str:
    """``4.2 s``, ``45 s``, ``3 min 12 s`` or ``2 h 05 min``.

    Args:
        seconds: a duration.

    Returns:
        The text (n/a when not finite).
    """
    if not math.isfinite(seconds):
        return NOT_AVAILABLE
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def display_table(section: Section) -> tuple[list[str], list[list[str]], list[str]]:
    """A section's table as text.

    Args:
        section: the section.

    Returns:
        ``(headers, rows, alignments)``; alignments are ``left`` or ``right``.
    """
    table = section.table
    show_variant = bool(table["variant"].astype(bool).any()) if not table.empty else False
    headers = ["rank", "experiment", *(["settings"] if show_variant else []), "seeds",
               *(section.headers[c.key] for c in section.columns), "steps", "wall time",
               "device"]
    aligns = ["right", "left", *(["left"] if show_variant else []), "right",
              *(["right"] * len(section.columns)), "right", "right", "left"]
    rows = []
    for _, row in table.iterrows():
        rank = NO_RANK if pd.isna(row["rank"]) else str(int(row["rank"]))
        rows.append([rank, row["experiment"], *([row["variant"]] if show_variant else []),
                     str(row["seeds"]), *(cell_text(row, c) for c in section.columns),
                     str(row["steps"]), wall_time_text(row["wall_time_s"]), row["device"]])
    return headers, rows, aligns


def section_notes(section: Section, metric: str) -> list[str]:
    """How the section's numbers were made, one line per metric column (names in backticks).

    Args:
        section: the section.
        metric: what the leaderboard ranks by (for the note of an unranked section).

    Returns:
        Lines of text.
    """
    if section.rank_column is not None:
        rank = section.rank_column
        lines = [f"Ranked by {section.headers[rank.key]}, {rank.info.direction}."]
    else:
        lines = [f"Not ranked: these runs have no `{metric}` result."]
    lines.append(section.data_note)
    for column in section.columns:
        scaled = f" {column.info.scale_text}" if column.info.scale_text else ""
        unit = f" in {column.info.unit}" if column.info.unit else ""
        lines.append(f"{section.headers[column.key]}: `{column.name}`{scaled}{unit}; "
                     f"{describe(column.protocol)}; {column.info.direction}.")
    return lines
