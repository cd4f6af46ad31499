"""Every output format parses back: markdown and LaTeX and HTML by structure, CSV with pandas."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from leaderboard_records import kid, make_record, plain, write_run

from gan3d_bench.leaderboard import build_leaderboard, render


@pytest.fixture
def board(tmp_path):
    """Two protocols (so two tables), seeds, a 2D model without pose metrics."""
    for seed, value in enumerate([0.010, 0.012]):
        write_run(tmp_path, make_record("hologan_cars", seed=seed, generator="hologan_generator",
                                        metrics={"kid_synth": kid(value),
                                                 "fid_synth": plain(40.0 + seed),
                                                 "pose_error_synth": plain(15.0 + seed)}))
    write_run(tmp_path, make_record("dcgan_cars", metrics={"kid_synth": kid(0.02),
                                                           "fid_synth": plain(55.5)}))
    write_run(tmp_path, make_record("wgan_gp_cars", metrics={
        "kid_synth": kid(0.03, num_fake=500)}))
    return build_leaderboard(tmp_path)


def _markdown_tables(text):
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_markdown_has_a_heading_notes_and_a_well_formed_table_per_section(board):
    text = render(board, "markdown")
    assert len(re.findall(r"^## ", text, flags=re.M)) == len(board.sections) == 2
    tables = _markdown_tables(text)
    assert len(tables) == 2
    for table in tables:
        header, rule, *rows = table
        assert all(re.fullmatch(r":?-+:?", cell) for cell in rule)
        assert all(len(row) == len(header) == len(rule) for row in rows)
    main = next(t for t in tables if len(t) == 4)  # hologan + dcgan
    header, _, first, second = main
    assert header[:4] == ["rank", "experiment", "seeds", "KID×10³ (synth)"]
    assert first[:4] == ["1", "hologan_cars", "2", "11.0 ± 1.4"]
    assert second[:4] == ["2", "dcgan_cars", "1", "20.0 (± 0.5)"]
    assert second[header.index("pose error (synth)")] == "n/a"
    assert "2000 real / 2000 generated samples; 100 subsets of 1000" in text
    assert "2000 real / 500 generated samples" in text
    assert "`kid_synth` ×10³" in text


def test_latex_is_booktabs_with_escaped_text_and_pm(board):
    text = render(board, "latex")
    assert text.count("\\begin{table}") == text.count("\\end{table}") == 2
    for token in ("\\toprule", "\\midrule", "\\bottomrule"):
        assert text.count(token) == 2
    assert "\\hline" not in text
    body = "\n".join(line for line in text.splitlines() if not line.startswith("%"))
    assert not re.search(r"(?<!\\)_", body), "unescaped underscore"
    assert not re.search(r"(?<!\\)[#%&]", body.replace(" & ", " ")), "unescaped special"
    assert body.count("{") == body.count("}")
    assert "±" not in body and "×" not in body and "$\\pm$" in body
    assert "KID$\\times 10^{3}$ (synth)" in body
    for spec, rows in re.findall(r"\\begin\{tabular\}\{(\w+)\}\n\\toprule\n(.*?)\\bottomrule",
                                 text, flags=re.S):
        lines = [line for line in rows.splitlines() if line and line != "\\midrule"]
        for line in lines:
            assert line.endswith("\\\\")
            assert len(re.findall(r"(?<!\\)&", line)) == len(spec) - 1
    assert "hologan\\_cars" in body and "11.0 $\\pm$ 1.4" in body


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_html_is_a_page_with_one_table_per_section(board):
    text = render(board, "html")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    parser = _Tables()
    parser.feed(text)
    assert len(parser.tables) == 2
    for table in parser.tables:
        assert len({len(row) for row in table}) == 1
    main = next(t for t in parser.tables if len(t) == 3)
    assert main[0][3] == "KID×10³ (synth)"
    assert main[1][:4] == ["1", "hologan_cars", "2", "11.0 ± 1.4"]


def test_csv_reads_back_with_pandas_with_raw_values_and_protocols(board):
    frame = pd.read_csv(io.StringIO(render(board, "csv")))
    assert len(frame) == 3
    assert frame["section"].nunique() == 2
    hologan = frame[frame["experiment"] == "hologan_cars"].iloc[0]
    section = next(s for s in board.sections if "hologan_cars" in set(s.table["experiment"]))
    key = section.rank_column.key
    assert hologan[f"{key}_mean"] == pytest.approx(0.011)  # raw, not ×10³
    assert hologan[f"{key}_std_over"] == "seeds" and hologan[f"{key}_n"] == 2
    assert '"num_fake": 2000' in hologan[f"{key}_protocol"]
    assert hologan["seeds"] == 2 and hologan["rank"] == 1
    dcgan = frame[frame["experiment"] == "dcgan_cars"].iloc[0]
    assert pd.isna(dcgan["pose_error_synth_mean"]) and dcgan["pose_error_synth_n"] == 0
    kid_columns = [c for c in frame.columns if c.startswith("kid_synth") and c.endswith("_mean")]
    assert len(kid_columns) == 2  # one per protocol, never shared
    for column in kid_columns:
        assert frame.groupby("section")[column].apply(lambda s: s.notna().any()).sum() == 1


def test_an_empty_results_folder_renders_in_every_format(tmp_path):
    write_run(tmp_path, make_record("a", status="running"))
    board = build_leaderboard(tmp_path)
    assert board.sections == [] and board.warning()
    assert "No complete runs yet" in render(board, "markdown")
    assert pd.read_csv(io.StringIO(render(board, "csv"))).empty
    assert "% no complete runs yet" in render(board, "latex")
    assert "No complete runs yet" in render(board, "html")
