"""After every run the results folder's leaderboard is rewritten, and ``run`` prints it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gan3d_bench.cli import main
from gan3d_bench.runner import RunRequest, results_root

TOY = """
Experiment.generator = @dcgan_generator
Experiment.discriminator = @dcgan_discriminator
Experiment.loss = @nonsaturating
Experiment.dataset = @toy_blobs
Experiment.resolution = 32
Experiment.width = 0.0625
Experiment.batch_size = 4
Experiment.steps = 1
Experiment.num_samples_grid = 4
Experiment.prefetch = False
Experiment.device = "cpu"
"""


def test_run_rewrites_the_leaderboard_and_prints_its_table(tmp_path, capsys):
    config = tmp_path / "toy.gin"
    config.write_text(TOY)
    results = tmp_path / "results"
    for run_dir in (None, tmp_path / "elsewhere" / "run"):
        argv = ["run", str(config), "--results", str(results), "--no-progress"]
        if run_dir is not None:
            argv += ["--run-dir", str(run_dir), "--seed", "1"]
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "## toy_blobs, 32×32, budget paper" in out
    assert f"{results / 'leaderboard.md'}" in out
    assert "the run folder is outside it" in out  # the --run-dir run is not under results
    board = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert re.search(r"^\|\s+–\s+\|\s+toy\s+\|\s+1\s+\|", board, flags=re.M), board
    assert (results / "leaderboard.csv").exists()


def test_results_root_of_new_resumed_and_moved_runs(tmp_path):
    results = tmp_path / "results"
    inside = results / "exp" / "run"
    outside = tmp_path / "old" / "exp" / "run"
    assert results_root(RunRequest(results=results), inside) == results
    assert results_root(RunRequest(results=results, run_dir=outside), outside) == results
    assert results_root(RunRequest(results=results, resume=inside), inside) == results
    assert results_root(RunRequest(results=results, resume=outside), outside) == \
        Path(tmp_path / "old")
