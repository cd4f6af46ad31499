"""``gan3d-bench leaderboard`` and the files regenerated after runs (markdown, CSV, plots)."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from leaderboard_records import kid, make_record, plain, write_run
from PIL import Image

from gan3d_bench.cli import main
from gan3d_bench.leaderboard import regenerate


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def _results(root):
    history = [{"step": step, "wall_time_s": step / 10.0,
                "metrics": {"kid_synth": kid(0.05 - step / 10000)}} for step in (100, 200)]
    for seed in (0, 1):
        write_run(root, make_record("hologan_cars", seed=seed, history=history,
                                    metrics={"kid_synth": kid(0.03 + seed / 1000),
                                             "fid_synth": plain(40.0)}))
    write_run(root, make_record("dcgan_cars", metrics={"kid_synth": kid(0.04)}))
    write_run(root, make_record("lsgan_cars", status="running"))
    return root


def test_prints_markdown_and_one_warning_naming_skipped_records(tmp_path, capsys):
    code, out, err = _cli(["leaderboard", str(_results(tmp_path))], capsys)
    assert code == 0
    assert re.search(r"^\|\s+rank\s+\|\s+experiment", out, flags=re.M) and "hologan_cars" in out
    warnings = [line for line in err.splitlines() if line]
    assert len(warnings) == 1 and warnings[0].startswith("gan3d-bench: warning: skipped 1")
    assert "lsgan_cars" in warnings[0] and "status running" in warnings[0]


@pytest.mark.parametrize("fmt", ["markdown", "latex", "csv", "html"])
def test_writes_each_format_to_a_file(tmp_path, capsys, fmt):
    out_file = tmp_path / "out" / f"board.{fmt}"
    code, out, _ = _cli(["leaderboard", str(_results(tmp_path / "results")), "--format", fmt,
                         "--out", str(out_file), "--metric", "kid_synth"], capsys)
    assert code == 0 and out == ""
    text = out_file.read_text(encoding="utf-8")
    assert "hologan" in text
    if fmt == "csv":
        assert list(pd.read_csv(io.StringIO(text))["experiment"]) == ["hologan_cars",
                                                                       "dcgan_cars"]


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    code, _, err = _cli(["leaderboard", str(tmp_path / "missing")], capsys)
    assert code == 2 and err.count("\n") == 1 and "not found" in err
    code, _, err = _cli(["leaderboard", str(_results(tmp_path)), "--metric", "fdi"], capsys)
    assert code == 2 and "did you mean: fid" in err and "Traceback" not in err


def test_plots_are_written_and_shown_in_the_markdown(tmp_path, capsys):
    results = _results(tmp_path / "results")
    out_file = tmp_path / "paper" / "board.md"
    code, _, _ = _cli(["leaderboard", str(results), "--out", str(out_file), "--plots",
                       str(tmp_path / "paper" / "figs")], capsys)
    assert code == 0
    bars = tmp_path / "paper" / "figs" / "synth_cars_kid.png"
    curves = tmp_path / "paper" / "figs" / "synth_cars_kid_curves.png"
    for path in (bars, curves):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width > 200
    text = out_file.read_text(encoding="utf-8")
    assert "](figs/synth_cars_kid.png)" in text and "](figs/synth_cars_kid_curves.png)" in text


def test_regenerate_writes_markdown_csv_and_plots_and_drops_stale_plots(tmp_path):
    results = _results(tmp_path)
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "mine.png").write_bytes(b"kept")
    board = regenerate(results)
    assert len(board.runs) == 3
    markdown = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert "![" in markdown and "plots/synth_cars_kid.png" in markdown
    assert "lsgan_cars" in markdown  # named under "Left out"
    assert len(pd.read_csv(results / "leaderboard.csv")) == 2
    assert (results / "plots" / "synth_cars_kid.png").exists()
    # a second dataset: the names get more specific and the old files go
    write_run(results, make_record("dcgan_cars", budget="paper", metrics={"kid_synth": kid(0.1)}))
    regenerate(results)
    names = sorted(p.name for p in (results / "plots").glob("*.png"))
    assert "synth_cars_kid.png" not in names and "mine.png" in names
    assert "synth_cars_64px_paper_kid_synth.png" in names
    assert not list(results.rglob(".*.tmp"))


def test_no_curves_without_history(tmp_path):
    write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.02)}, history=[]))
    regenerate(tmp_path)
    assert (tmp_path / "plots" / "synth_cars_kid.png").exists()
    assert not (tmp_path / "plots" / "synth_cars_kid_curves.png").exists()
