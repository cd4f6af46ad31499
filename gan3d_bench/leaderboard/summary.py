"""The part of a leaderboard that a finished run appears in, for printing after the run."""

from __future__ import annotations

from pathlib import Path

from gan3d_bench.leaderboard.board import Leaderboard, build_leaderboard
from gan3d_bench.leaderboard.output import section_markdown


def sections_with_runs(board: Leaderboard, run_dirs: list[Path]) -> list[int]:
    """The sections (numbers) holding any of the given runs.

    Args:
        board: the leaderboard.
        run_dirs: run folders.

    Returns:
        Section numbers, in order.
    """
    wanted = {Path(d).resolve() for d in run_dirs}
    indices = {index for index, run_dir in board.runs["run_dir"].items()
               if Path(run_dir).resolve() in wanted}
    return [number for number, section in enumerate(board.sections)
            if indices & set(section.run_indices)]


def tables_for_runs(results: Path, run_dirs: list[Path]) -> str:
    """Markdown of the leaderboard sections that hold the given runs.

    Args:
        results: the results folder.
        run_dirs: the runs just made.

    Returns:
        The sections' markdown, then where the whole leaderboard is.
    """
    board = build_leaderboard(results)
    numbers = sections_with_runs(board, run_dirs)
    parts = [section_markdown(board.sections[n], board.metric) for n in numbers]
    if not numbers:
        parts.append(f"(not in the leaderboard of {results}: the run folder is outside it, or "
                     f"the run is not complete)")
    parts.append(f"Leaderboard of all {len(board.runs)} complete run(s): "
                 f"{Path(results) / 'leaderboard.md'}")
    return "\n".join(parts)
