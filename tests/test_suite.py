"""Suites on toy configs (DCGAN at tiny width on ``toy_blobs``): skip, resume, budget, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gan3d_bench import records
from gan3d_bench.cli import main
from gan3d_bench.errors import UserError
from gan3d_bench.suite import load_suite, plan_suite
from gan3d_bench.suite.driver import FAILED, run_one
from gan3d_bench.training.step import GANStep

TOY = """
Experiment.generator = @dcgan_generator
Experiment.discriminator = @dcgan_discriminator
Experiment.loss = @nonsaturating
Experiment.dataset = @toy_blobs
Experiment.resolution = 32
Experiment.width = 0.0625
Experiment.batch_size = 4
Experiment.steps = 2
Experiment.checkpoint_every = 1
Experiment.sample_every = 100
Experiment.num_samples_grid = 4
Experiment.prefetch = False
Experiment.device = "cpu"
quick/Experiment.steps = 1
quick/Experiment.width = 0.0625
quick/Experiment.batch_size = 4
quick/Experiment.checkpoint_every = 1
quick/Experiment.sample_every = 100
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _suite(tmp_path, experiments=("toy_a", "toy_b"), seeds=(0,), extra="") -> Path:
    for name in experiments:
        if not (tmp_path / "gin" / f"{name}.gin").exists():
            _write(tmp_path / "gin" / f"{name}.gin", TOY)
    listed = ", ".join(f'"gin/{name}.gin"' for name in experiments)
    return _write(tmp_path / "gin" / "suites" / "toys.gin",
                  f"Suite.experiments = [{listed}]\nSuite.seeds = {list(seeds)}\n{extra}")


def _cli(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--no-progress"])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.fixture
def step_calls(monkeypatch):
    """Counts training steps; ``calls.interrupt_at = n`` makes the n-th call a Ctrl-C."""
    original = GANStep.__call__

    class Calls:
        count = 0
        interrupt_at = None

    def counting(self, *args, **kwargs):
        Calls.count += 1
        if Calls.count == Calls.interrupt_at:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GANStep, "__call__", counting)
    return Calls


def test_runs_every_experiment_and_seed_into_fixed_folders_and_ranks_them(tmp_path, capsys):
    suite = _suite(tmp_path, seeds=(0, 1))
    results = tmp_path / "results"
    code, out, _ = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 0
    for name in ("toy_a", "toy_b"):
        for seed in (0, 1):
            record = records.read(results / "suites" / "toys" / name / f"paper-seed{seed}")
            assert record["status"] == "complete" and record["seed"] == seed
            assert record["steps_done"] == 2 and record["budget"] == "paper"
    board = (results / "leaderboard.md").read_text(encoding="utf-8")
    assert "toy_a" in board and "toy_b" in board
    assert "## toy_blobs, 32×32, budget paper" in out
    assert out.count(" done ") == 4


def test_budget_option_and_suite_budget_are_honoured(tmp_path, capsys):
    suite = _suite(tmp_path, experiments=("toy_a",))
    results = tmp_path / "results"
    code, _, _ = _cli(["suite", str(suite), "--results", str(results), "--budget", "quick",
                       "--seeds", "3"], capsys)
    assert code == 0
    record = records.read(results / "suites" / "toys" / "toy_a" / "quick-seed3")
    assert (record["budget"], record["steps_done"], record["seed"]) == ("quick", 1, 3)
    spec = load_suite(_suite(tmp_path, experiments=("toy_a",), extra='Suite.budget = "quick"'))
    assert spec.budget == "quick"
    assert load_suite(spec.file, budget="paper").budget == "paper"


def test_complete_runs_are_skipped(tmp_path, capsys, step_calls):
    suite = _suite(tmp_path)
    results = tmp_path / "results"
    assert _cli(["suite", str(suite), "--results", str(results)], capsys)[0] == 0
    assert step_calls.count == 4
    code, out, _ = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 0 and step_calls.count == 4  # nothing trained again
    assert out.count("complete (skipped)") == 2 and out.count(" skipped ") == 2


def test_an_interrupted_suite_resumes_where_it_stopped(tmp_path, capsys, step_calls):
    _write(tmp_path / "gin" / "toy_long.gin",
           TOY + "Experiment.steps = 4\nExperiment.checkpoint_every = 2\n")
    suite = _suite(tmp_path, experiments=("toy_long",), seeds=(0, 1))
    results = tmp_path / "results"
    step_calls.interrupt_at = 3  # Ctrl-C during step 3 of the first run (checkpoint at 2)
    code, _, err = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 130 and "run the same command again" in err
    first = results / "suites" / "toys" / "toy_long" / "paper-seed0"
    assert records.read(first)["status"] == "running"
    assert records.read(first)["steps_done"] == 2
    assert not (results / "suites" / "toys" / "toy_long" / "paper-seed1").exists()
    step_calls.interrupt_at, step_calls.count = None, 0
    code, out, _ = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 0
    assert "resume at step 2/4" in out
    assert step_calls.count == 2 + 4  # the rest of the first run, then all of the second
    assert records.read(first)["status"] == "complete"
    logged = [json.loads(line)["step"] for line in
              (first / "train_log.jsonl").read_text().splitlines()]
    assert logged == sorted(set(logged)) and logged[-1] == 4


def test_a_failing_run_is_reported_and_the_suite_goes_on(tmp_path, capsys):
    _write(tmp_path / "gin" / "bad_size.gin", TOY + "Experiment.resolution = 48\n")
    _write(tmp_path / "gin" / "bad_name.gin", TOY.replace("@nonsaturating", "@nonsaturatin"))
    suite = _suite(tmp_path, experiments=("bad_size", "bad_name", "toy_a"))
    results = tmp_path / "results"
    code, out, err = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 1
    assert records.read(results / "suites" / "toys" / "toy_a" / "paper-seed0")["status"] == \
        "complete"
    assert "bad_size seed 0: FAILED" in err and "does not support resolution 48" in err
    assert "unknown component '@nonsaturatin'" in err
    assert "bad_name seed 0: not started: its config does not load" in err
    assert "2 of 3 run(s) failed" in err
    assert out.count(" failed ") == 2


def test_a_suite_whose_every_config_is_broken_fails_cleanly(tmp_path, capsys):
    _write(tmp_path / "gin" / "bad_name.gin", TOY.replace("@nonsaturating", "@nonsaturatin"))
    suite = _suite(tmp_path, experiments=("bad_name",))
    code, out, err = _cli(["suite", str(suite), "--results", str(tmp_path / "nothing")], capsys)
    assert code == 1 and "no run was written under" in out
    assert "Traceback" not in err and "warning: could not regenerate" not in err


def test_a_crash_inside_a_run_is_reported_with_its_traceback(tmp_path, monkeypatch):
    spec = load_suite(_suite(tmp_path, experiments=("toy_a",)))
    run = plan_suite(spec, tmp_path / "results")[0]

    def crash(request):
        raise RuntimeError("boom in a plugin")

    monkeypatch.setattr("gan3d_bench.suite.driver.execute", crash)
    outcome = run_one(run, spec.budget, tmp_path / "results", None, False)
    assert outcome.status == FAILED and outcome.message.startswith("RuntimeError: boom")
    assert "boom in a plugin" in (run.run_dir / "error.txt").read_text()


def test_a_run_whose_config_changed_is_not_silently_kept(tmp_path, capsys):
    suite = _suite(tmp_path, experiments=("toy_a",))
    results = tmp_path / "results"
    assert _cli(["suite", str(suite), "--results", str(results)], capsys)[0] == 0
    _write(tmp_path / "gin" / "toy_a.gin", TOY + "Experiment.steps = 3\n")
    code, _, err = _cli(["suite", str(suite), "--results", str(results)], capsys)
    assert code == 1
    assert "config changed since this run was made (Experiment.steps: 2 -> 3)" in err


def test_experiments_resolve_beside_the_suite_or_in_the_repository(tmp_path, monkeypatch):
    _suite(tmp_path, experiments=("toy_a",))
    _write(tmp_path / "gin" / "suites" / "near.gin", TOY)
    suite = _write(tmp_path / "gin" / "suites" / "mixed.gin",
                   'Suite.experiments = ["near.gin", "gin/toy_a.gin"]\n')
    monkeypatch.chdir(tmp_path / "gin")  # neither path is relative to the current folder
    spec = load_suite(suite)
    assert [e.config for e in spec.experiments] == [tmp_path / "gin" / "suites" / "near.gin",
                                                    tmp_path / "gin" / "toy_a.gin"]
    assert spec.name == "mixed" and spec.seeds == [0]


@pytest.mark.parametrize(("text", "message"), [
    ('Suite.experiments = ["gin/nope.gin"]', "do not exist: gin/nope.gin"),
    ("Suite.seeds = [0]", "does not set Suite.experiments"),
    ('Suite.experiments = ["gin/toy_a.gin"]\nSuite.seeds = [1, 1]', "lists a seed twice"),
    ('Suite.experiments = "gin/toy_a.gin"', "must be a list of strings"),
    ('Suite.experimens = ["gin/toy_a.gin"]', "has no parameter 'experimens'"),
])
def test_bad_suite_files_are_clear_errors(tmp_path, text, message):
    _suite(tmp_path, experiments=("toy_a",))
    with pytest.raises(UserError, match=message):
        load_suite(_write(tmp_path / "gin" / "suites" / "bad.gin", text + "\n"))


@pytest.mark.parametrize(("name", "seeds", "budget"), [("cars", [0, 1, 2], None),
                                                       ("quick_cars", [0], "quick")])
def test_the_shipped_cars_suites_list_hologan_and_the_baselines(name, seeds, budget):
    from gan3d_bench.suite.spec import _parse

    suite = _parse(Path(__file__).parents[1] / "gin" / "suites" / f"{name}.gin")
    assert list(suite.experiments) == ["gin/hologan_cars.gin", "gin/dcgan_cars.gin",
                                       "gin/lsgan_cars.gin", "gin/wgan_gp_cars.gin",
                                       "gin/voxel3dgan_image_cars.gin"]
    assert list(suite.seeds) == seeds and suite.budget == budget
