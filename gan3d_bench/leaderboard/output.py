"""Rendering a leaderboard as markdown, HTML or CSV (LaTeX is in ``latex.py``).

Tables are made with tabulate; CSV comes straight from pandas (raw values, unscaled).
"""

from __future__ import annotations

import html
import re

from tabulate import tabulate

from gan3d_bench.leaderboard import FORMATS
from gan3d_bench.leaderboard.board import Leaderboard
from gan3d_bench.leaderboard.formatting import LEGEND, display_table, section_notes
from gan3d_bench.leaderboard.sections import Section

# Images shown under a section: section number (0-based) -> [(caption, relative path)].
Images = dict[int, list[tuple[str, str]]]


def regenerate_command(board: Leaderboard) -> str:
    """The command that rebuilds this leaderboard."""
    metric = f" --metric {board.metric}" if board.metric != "kid" else ""
    return f"gan3d-bench leaderboard {board.root}{metric}"


def intro(board: Leaderboard) -> str:
    """The paragraph that says where the numbers come from."""
    count = len(board.runs)
    return (f"Generated from {count} complete run record(s) under `{board.root}` by "
            f"`{regenerate_command(board)}`. Every number comes from the runs' `record.json`; "
            f"the file is rewritten after every run, so edits are lost.")


def _empty_note(board: Leaderboard) -> str:
    return "No complete runs yet." if not board.skipped else \
        f"No complete runs yet ({len(board.skipped)} record(s) left out, listed below)."


def section_markdown(section: Section, metric: str,
                     images: list[tuple[str, str]] | None = None) -> str:
    """One section in markdown: heading, how its numbers were made, table, plots.

    Args:
        section: the section.
        metric: what the leaderboard ranks by.
        images: ``(caption, relative path)`` of plots to show under it.

    Returns:
        Markdown, ending with a blank line.
    """
    headers, rows, aligns = display_table(section)
    parts = [f"## {section.title}", ""]
    parts += [f"- {line}" for line in section_notes(section, metric)] + [""]
    parts += [tabulate(rows, headers=headers, tablefmt="pipe", colalign=aligns,
                       disable_numparse=True), ""]
    for caption, path in images or []:
        parts += [f"![{caption}]({path})", ""]
    return "\n".join(parts)


def to_markdown(board: Leaderboard, images: Images | None = None) -> str:
    """The leaderboard as a markdown document (GitHub tables).

    Args:
        board: the leaderboard.
        images: plots to show under each section.

    Returns:
        The document.
    """
    parts = ["# gan3d-bench leaderboard", "", intro(board), "", LEGEND, ""]
    if not board.sections:
        parts += [_empty_note(board), ""]
    for number, section in enumerate(board.sections):
        parts.append(section_markdown(section, board.metric, (images or {}).get(number)))
    if board.skipped:
        parts += ["## Left out", ""] + [f"- `{s.path}`: {s.reason}" for s in board.skipped]
        parts.append("")
    return "\n".join(parts)


def _html_text(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def to_html(board: Leaderboard, images: Images | None = None) -> str:
    """The leaderboard as a standalone HTML page.

    Args:
        board: the leaderboard.
        images: plots to show under each section.

    Returns:
        The page.
    """
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             "<title>gan3d-bench leaderboard</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:auto}"
             "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ccc}"
             "td{text-align:right}</style>", "</head>", "<body>",
             "<h1>gan3d-bench leaderboard</h1>", f"<p>{_html_text(intro(board))}</p>",
             f"<p>{_html_text(LEGEND)}</p>"]
    if not board.sections:
        parts.append(f"<p>{_html_text(_empty_note(board))}</p>")
    for number, section in enumerate(board.sections):
        headers, rows, _ = display_table(section)
        parts.append(f"<h2>{_html_text(section.title)}</h2>")
        parts.append("<ul>" + "".join(f"<li>{_html_text(line)}</li>"
                                      for line in section_notes(section, board.metric)) + "</ul>")
        parts.append(str(tabulate(rows, headers=headers, tablefmt="html",
                                  disable_numparse=True)))
        for caption, path in (images or {}).get(number, []):
            parts.append(f'<figure><img src="{html.escape(path)}" alt="{html.escape(caption)}">'
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    if board.skipped:
        parts.append("<h2>Left out</h2><ul>" + "".join(
            f"<li><code>{html.escape(str(s.path))}</code>: {html.escape(s.reason)}</li>"
            for s in board.skipped) + "</ul>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def to_csv(board: Leaderboard) -> str:
    """The leaderboard as CSV (``Leaderboard.frame()``: raw values, one row per table row)."""
    return board.frame().to_csv(index=False)


def render(board: Leaderboard, fmt: str, images: Images | None = None) -> str:
    """Renders a leaderboard.

    Args:
        board: the leaderboard.
        fmt: one of ``FORMATS``.
        images: plots to show (markdown and HTML only).

    Returns:
        The text.
    """
    from gan3d_bench.leaderboard.latex import to_latex

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats are {', '.join(FORMATS)}")
    renderers = {"markdown": lambda: to_markdown(board, images),
                 "html": lambda: to_html(board, images),
                 "latex": lambda: to_latex(board), "csv": lambda: to_csv(board)}
    return renderers[fmt]()
