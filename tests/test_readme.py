"""The README's commands stay true: CI runs exactly its test command; ruff stays clean."""

from __future__ import annotations

import re
import subprocess
import sys

from helpers import REPO


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    test_commands = [block.strip() for block in _bash_blocks(readme) if "pytest" in block]
    assert len(test_commands) == 1, "the README should give one test command"
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert test_commands[0] in ci_lines


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(REPO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
