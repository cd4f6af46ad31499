"""Errors that reach a user as one clear line instead of a traceback."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """Bad input or an unusable environment: the CLI prints the message and exits with 2.

    The message says what is wrong, where, and what to do.
    """

    exit_code = 2


class TrainingDiverged(UserError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""

    exit_code = 3


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The registered names closest to a misspelt one.

    Args:
        name: what the user wrote.
        candidates: the valid names.
        n: at most this many suggestions.

    Returns:
        Up to ``n`` names, closest first.
    """
    return difflib.get_close_matches(name, sorted(set(candidates)), n=n, cutoff=0.5)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A ``" (did you mean: a, b?)"`` suffix, or an empty string when nothing is close."""
    matches = closest(name, candidates)
    return f" (did you mean: {', '.join(matches)}?)" if matches else ""
