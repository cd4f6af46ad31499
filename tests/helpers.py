"""Helpers for tests that drive the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs ``python -m gan3d_bench ARGS`` in a subprocess and captures its output.

    Args:
        args: command-line arguments.
        cwd: working folder.
        timeout: seconds before the test fails.

    Returns:
        The completed process (``returncode``, ``stdout``, ``stderr``).
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "gan3d_bench", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=env)
