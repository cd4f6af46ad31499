"""Leaderboards from hand-made records: grouping, mean ± std, ranks, protocols, skipped records."""

from __future__ import annotations

import json
import math

import pytest
from leaderboard_records import kid, make_record, plain, write_run

from gan3d_bench.errors import UserError
from gan3d_bench.leaderboard import build_leaderboard
from gan3d_bench.leaderboard.formatting import cell_text, display_table
from gan3d_bench.leaderboard.metric_info import family_of, metric_info


def _row(section, experiment):
    table = section.table
    return table[table["experiment"] == experiment].iloc[0]


def _only(board, **where):
    found = [s for s in board.sections
             if all(getattr(s, key) == value for key, value in where.items())]
    assert len(found) == 1, [s.title for s in board.sections]
    return found[0]


def test_seeds_are_grouped_into_one_row_with_mean_and_sample_std(tmp_path):
    for seed, value in enumerate([0.010, 0.014, 0.018]):
        write_run(tmp_path, make_record("hologan_cars", seed=seed, wall_time_s=100 + seed,
                                        metrics={"kid_synth": kid(value),
                                                 "fid_synth": plain(30.0 + seed)}))
    board = build_leaderboard(tmp_path)
    section = _only(board)
    assert len(section.table) == 1
    row = _row(section, "hologan_cars")
    assert row["seeds"] == 3 and row["seed_list"] == "0 1 2"
    assert row["kid_synth:mean"] == pytest.approx(0.014)
    assert row["kid_synth:std"] == pytest.approx(0.004)  # sample std (ddof 1) of the 3 seeds
    assert row["kid_synth:std_over"] == "seeds"
    assert row["fid_synth:mean"] == pytest.approx(31.0)
    assert row["wall_time_s"] == pytest.approx(101.0)
    kid_column = section.columns[0]
    assert kid_column.name == "kid_synth"
    assert cell_text(row, kid_column) == "14.0 ± 4.0"  # shown ×10³


def test_single_seed_shows_its_own_spread_marked_as_within_run(tmp_path):
    write_run(tmp_path, make_record("dcgan_cars", metrics={"kid_synth": kid(0.0123, 0.0004)}))
    section = _only(build_leaderboard(tmp_path))
    row = _row(section, "dcgan_cars")
    assert row["kid_synth:std_over"] == "run"
    assert cell_text(row, section.columns[0]) == "12.3 (± 0.4)"


def test_rows_are_ranked_by_kid_lower_is_better_with_ties(tmp_path):
    values = {"hologan_cars": 0.010, "dcgan_cars": 0.030, "lsgan_cars": 0.020,
              "wgan_gp_cars": 0.020}
    for name, value in values.items():
        write_run(tmp_path, make_record(name, metrics={"kid_synth": kid(value)}))
    table = _only(build_leaderboard(tmp_path)).table
    assert list(table["experiment"]) == ["hologan_cars", "lsgan_cars", "wgan_gp_cars",
                                         "dcgan_cars"]
    assert list(table["rank"]) == [1, 2, 2, 4]


def test_higher_is_better_metrics_rank_descending(tmp_path):
    for name, value in {"a": 0.5, "b": 0.9, "c": 0.7}.items():
        write_run(tmp_path, make_record(name, metrics={"identity_synth": plain(value),
                                                       "kid_synth": kid(0.01)}))
    section = _only(build_leaderboard(tmp_path, metric="identity"))
    assert section.rank_column.name == "identity_synth"
    assert list(section.table["experiment"]) == ["b", "c", "a"]
    assert list(section.table["rank"]) == [1, 2, 3]


def test_a_metric_flagged_higher_is_better_in_its_protocol_is_ranked_that_way(tmp_path):
    for name, value in {"a": 0.2, "b": 0.8}.items():
        write_run(tmp_path, make_record(name, metrics={
            "coverage_synth": plain(value, higher_is_better=True)}))
    section = _only(build_leaderboard(tmp_path, metric="coverage"))
    assert list(section.table["experiment"]) == ["b", "a"]
    assert section.columns[0].header == "coverage (synth)"


def test_different_kid_protocols_never_share_a_section_or_a_rank(tmp_path):
    write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.02)}))
    write_run(tmp_path, make_record("b", metrics={"kid_synth": kid(0.01, num_fake=500)}))
    write_run(tmp_path, make_record("c", metrics={"kid_synth": kid(0.03, subsets=10)}))
    write_run(tmp_path, make_record("d", metrics={"kid_inception": kid(0.05, "inception")}))
    board = build_leaderboard(tmp_path)
    assert len(board.sections) == 4
    for section in board.sections:
        assert len(section.table) == 1
        assert list(section.table["rank"]) == [1]
    keys = {s.rank_column.key for s in board.sections}
    assert len(keys) == 4  # one column per (name, protocol)
    titles = [s.title for s in board.sections]
    assert len(set(titles)) == 4, titles  # each heading says what sets it apart
    assert any("num_fake=500" in t for t in titles)


def test_budgets_resolutions_and_datasets_are_separate_sections(tmp_path):
    write_run(tmp_path, make_record("a", budget="quick", metrics={"kid_synth": kid(0.02)}))
    write_run(tmp_path, make_record("a", budget="paper", metrics={"kid_synth": kid(0.01)}))
    write_run(tmp_path, make_record("b", resolution=128, metrics={"kid_synth": kid(0.01)}),
              folder="r128")
    write_run(tmp_path, make_record("c", dataset="synth_chairs", metrics={"kid_synth": kid(0.04)}))
    board = build_leaderboard(tmp_path)
    found = {(s.dataset, s.resolution, s.budget) for s in board.sections}
    assert found == {("synth_cars", 64, "quick"), ("synth_cars", 64, "paper"),
                     ("synth_cars", 128, "quick"), ("synth_chairs", 64, "quick")}
    assert all(len(s.table) == 1 for s in board.sections)


def test_a_secondary_metric_under_two_protocols_gets_two_columns(tmp_path):
    write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.02),
                                                  "fid_synth": plain(40.0)}))
    write_run(tmp_path, make_record("b", metrics={"kid_synth": kid(0.03),
                                                  "fid_synth": plain(50.0, num_fake=500)}))
    section = _only(build_leaderboard(tmp_path))
    fid_columns = [c for c in section.columns if c.name == "fid_synth"]
    assert len(fid_columns) == 2
    headers = [section.headers[c.key] for c in fid_columns]
    assert len(set(headers)) == 2 and all(h.startswith("FID (synth) [") for h in headers)
    a, b = _row(section, "a"), _row(section, "b")
    assert sum(math.isfinite(a[f"{c.key}:mean"]) for c in fid_columns) == 1
    assert sum(math.isfinite(b[f"{c.key}:mean"]) for c in fid_columns) == 1


def test_2d_models_show_na_for_pose_metrics(tmp_path):
    write_run(tmp_path, make_record("hologan_cars", metrics={
        "kid_synth": kid(0.01), "pose_error_synth": plain(12.5), "identity_synth": plain(0.8)}))
    write_run(tmp_path, make_record("dcgan_cars", metrics={"kid_synth": kid(0.02)}))
    section = _only(build_leaderboard(tmp_path))
    headers, rows, _ = display_table(section)
    pose = headers.index("pose error (synth)")
    by_name = {row[1]: row for row in rows}
    assert by_name["dcgan_cars"][pose] == "n/a"
    assert by_name["hologan_cars"][pose] == "12.5"
    assert headers[3] == "KID×10³ (synth)"


def test_unfinished_and_corrupt_records_are_skipped_and_named(tmp_path):
    write_run(tmp_path, make_record("good", metrics={"kid_synth": kid(0.01)}))
    write_run(tmp_path, make_record("running", status="running"))
    write_run(tmp_path, make_record("failed", status="failed"))
    corrupt = tmp_path / "corrupt" / "run"
    corrupt.mkdir(parents=True)
    (corrupt / "record.json").write_text('{"schema_version": 1, "run_id"')
    invalid = tmp_path / "invalid" / "run"
    invalid.mkdir(parents=True)
    (invalid / "record.json").write_text('{"schema_version": 1}')
    board = build_leaderboard(tmp_path)
    assert list(board.runs["experiment"]) == ["good"]
    warning = board.warning()
    assert warning.count("\n") == 0
    assert "skipped 4 run record(s)" in warning
    for name in ("running", "failed", "corrupt", "invalid"):
        assert f"{name}/" in warning
    assert "status running" in warning and "status failed" in warning
    assert "not JSON" in warning and "missing 'run_id'" in warning


def _set_updated(run_dir, stamp):
    path = run_dir / "record.json"
    record = json.loads(path.read_text())
    record["updated"] = stamp
    path.write_text(json.dumps(record))


def test_a_rerun_of_the_same_seed_supersedes_the_older_one(tmp_path):
    new_dir = write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.01)}),
                        folder="a-first-folder")
    _set_updated(new_dir, "2026-02-01T00:00:00+00:00")
    old_dir = write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.05)}),
                        folder="b-second-folder")
    _set_updated(old_dir, "2026-01-01T00:00:00+00:00")
    board = build_leaderboard(tmp_path)
    row = _row(_only(board), "a")
    assert row["seeds"] == 1 and row["kid_synth:mean"] == pytest.approx(0.01)
    assert f"superseded by {new_dir}" in board.warning()


def test_runs_with_other_settings_are_separate_rows_that_say_how(tmp_path):
    write_run(tmp_path, make_record("a", steps=300, metrics={"kid_synth": kid(0.02)}))
    write_run(tmp_path, make_record("a", steps=600, metrics={"kid_synth": kid(0.01)}),
              folder="long")
    table = _only(build_leaderboard(tmp_path)).table
    assert list(table["variant"]) == ["steps=600", "steps=300"]
    assert list(table["rank"]) == [1, 2]


def test_runs_without_the_ranking_metric_are_listed_unranked(tmp_path):
    write_run(tmp_path, make_record("scored", metrics={"kid_synth": kid(0.02)}))
    write_run(tmp_path, make_record("unscored"))
    board = build_leaderboard(tmp_path)
    unranked = [s for s in board.sections if s.rank_column is None]
    assert len(unranked) == 1 and list(unranked[0].table["experiment"]) == ["unscored"]
    assert unranked[0].table["rank"].isna().all()


def test_an_unknown_metric_is_a_clear_error(tmp_path):
    write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.02)}))
    with pytest.raises(UserError, match=r"--metric kdi: .*did you mean: kid"):
        build_leaderboard(tmp_path, metric="kdi")
    assert build_leaderboard(tmp_path, metric="kid_synth").sections[0].rank_column


def test_a_missing_results_folder_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match=r"results folder .* not found"):
        build_leaderboard(tmp_path / "nope")


def test_per_run_seeds_in_a_protocol_do_not_split_columns(tmp_path):
    for seed in (0, 1):
        value = kid(0.01 + seed * 0.01)
        value["protocol"]["seed"] = 1000 + seed
        write_run(tmp_path, make_record("a", seed=seed, metrics={"kid_synth": value}))
    row = _row(_only(build_leaderboard(tmp_path)), "a")
    assert row["seeds"] == 2 and row["kid_synth:n"] == 2


def test_metric_names_are_taken_apart_generically():
    assert family_of("kid_synth", "synth") == "kid"
    assert family_of("pose_error_inception", "inception") == "pose_error"
    assert family_of("sharpness_newnet", "newnet") == "sharpness"
    info = metric_info("kid_newnet", {"extractor": "newnet"})
    assert (info.family, info.scale, info.header) == ("kid", 1000.0, "KID×10³ (newnet)")
    assert metric_info("identity_synth", {"extractor": "synth"}).higher_is_better


def test_dataset_options_split_sections_and_are_named(tmp_path):
    write_run(tmp_path, make_record("a", metrics={"kid_synth": kid(0.02)},
                                    dataset_options={"num_samples": None, "antialias": True}))
    write_run(tmp_path, make_record("b", metrics={"kid_synth": kid(0.01)},
                                    dataset_options={"num_samples": 1000, "antialias": True}))
    board = build_leaderboard(tmp_path)
    assert len(board.sections) == 2
    titles = sorted(s.title for s in board.sections)
    assert titles == ["synth_cars, 64×64, budget quick · num_samples=1000",
                      "synth_cars, 64×64, budget quick · num_samples=None"]
    assert "Data: `synth_cars` at 64×64 (antialias=True, num_samples=1000)." in \
        [s.data_note for s in board.sections]
