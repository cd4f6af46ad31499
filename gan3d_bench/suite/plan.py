"""The plan of a suite: every experiment × seed, its deterministic run folder and its state.

Run folders are ``RESULTS/suites/<suite>/<experiment>/<budget>-seed<k>``, so running the
same suite again finds its runs: complete ones are skipped, interrupted ones resumed from
their last checkpoint, and the rest started.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gan3d_bench import records
from gan3d_bench.config import parse
from gan3d_bench.errors import UserError
from gan3d_bench.experiment import Experiment
from gan3d_bench.suite.spec import SuiteExperiment, SuiteSpec

NEW = "new"
RESUME = "resume"
COMPLETE = "complete"


@dataclass
class PlannedRun:
    """One run of a suite.

    Attributes:
        experiment: the experiment.
        seed: its seed.
        run_dir: its folder.
        state: ``new``, ``resume`` or ``complete``.
        steps: total training steps (under the suite's budget), 0 when unknown.
        steps_done: steps already done (from the run's record).
        problem: why it cannot run (its config does not parse), or empty.
    """

    experiment: SuiteExperiment
    seed: int
    run_dir: Path
    state: str
    steps: int = 0
    steps_done: int = 0
    problem: str = ""

    @property
    def label(self) -> str:
        """``dcgan_cars seed 0``."""
        return f"{self.experiment.name} seed {self.seed}"


def suite_folder(results: Path, spec: SuiteSpec) -> Path:
    """``RESULTS/suites/<suite name>``."""
    return Path(results) / "suites" / spec.name


def check_experiment(experiment: SuiteExperiment, budget: str) -> tuple[int, str, str]:
    """Parses an experiment's config under the budget, without building any model.

    Args:
        experiment: the experiment.
        budget: the budget.

    Returns:
        ``(steps, budget_name, problem)``; ``problem`` is empty when the config is fine.
    """
    try:
        parsed = parse([experiment.config], experiment.bindings, budget)
        with parsed.scope():
            steps = int(Experiment().steps)
        return steps, parsed.budget, ""
    except UserError as error:
        return 0, budget, str(error)
    except Exception as error:  # gin reports missing bindings as RuntimeError, and so on
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return 0, budget, f"{type(error).__name__}: {first}"


def _state(run_dir: Path) -> tuple[str, int]:
    if not (run_dir / records.RECORD_FILE).exists():
        return NEW, 0
    try:
        record = records.read(run_dir)
    except UserError:
        return RESUME, 0  # resuming reports what is wrong with it
    if record["status"] == "complete" and record["steps_done"] >= record["steps"]:
        return COMPLETE, record["steps_done"]
    return RESUME, record["steps_done"]


def plan_suite(spec: SuiteSpec, results: Path) -> list[PlannedRun]:
    """Every run of a suite, in order (experiments, then seeds), with its state.

    Args:
        spec: the suite.
        results: the results folder.

    Returns:
        The planned runs.
    """
    planned = []
    folder = suite_folder(results, spec)
    for experiment in spec.experiments:
        steps, budget_name, problem = check_experiment(experiment, spec.budget)
        for seed in spec.seeds:
            run_dir = folder / experiment.name / f"{Path(budget_name).stem}-seed{seed}"
            state, done = _state(run_dir)
            planned.append(PlannedRun(experiment, seed, run_dir, state, steps, done, problem))
    return planned
