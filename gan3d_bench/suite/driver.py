"""Running a suite: each planned run in turn, with suite-wide progress, going on past failures.

A run that fails (bad config, diverged loss, a bug in a model) is reported and the suite
goes on with the next; the caller exits non-zero at the end. Ctrl-C stops the suite; the
same command continues it, skipping complete runs and resuming the interrupted one.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from gan3d_bench import atomic, records
from gan3d_bench.config import diff_configs
from gan3d_bench.errors import UserError
from gan3d_bench.runner import RunRequest, build_experiment, execute, publish_leaderboard
from gan3d_bench.suite.plan import COMPLETE, NEW, PlannedRun

ERROR_FILE = "error.txt"
SKIPPED = "skipped"
DONE = "done"
FAILED = "failed"


@dataclass
class Outcome:
    """What happened to one planned run.

    Attributes:
        run: the planned run.
        status: ``done``, ``skipped`` (already complete) or ``failed``.
        message: the error, for a failed run.
        seconds: wall-clock time spent on it in this session.
    """

    run: PlannedRun
    status: str
    message: str = ""
    seconds: float = 0.0


@dataclass
class SuiteReport:
    """The outcomes of a suite session.

    Attributes:
        outcomes: one per planned run, in order.
    """

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        """The failed runs."""
        return [o for o in self.outcomes if o.status == FAILED]


def request_for(run: PlannedRun, budget: str, results: Path, device: str | None,
                show_progress: bool) -> RunRequest:
    """The ``RunRequest`` of a planned run: a new run in its folder, or a resume of it.

    Args:
        run: the planned run.
        budget: the suite's budget.
        results: the results folder.
        device: ``--device``.
        show_progress: show the run's own progress bar.

    Returns:
        The request (its config and bindings are given even when resuming, so a config
        changed since the run started is refused rather than silently continued).
    """
    return RunRequest(configs=[run.experiment.config], bindings=list(run.experiment.bindings),
                      budget=budget, results=results,
                      resume=None if run.state == NEW else run.run_dir,
                      run_dir=run.run_dir if run.state == NEW else None, device=device,
                      seed=run.seed, show_progress=show_progress)


def config_changes(run: PlannedRun, request: RunRequest) -> list[str]:
    """How the experiment's config now differs from the one an existing run was made with.

    Args:
        run: a planned run whose folder holds a run.
        request: its request.

    Returns:
        One line per changed binding; empty when the run can be continued or kept.

    Raises:
        UserError: the config no longer builds, or the run's stored config is missing.
    """
    stored_path = run.run_dir / records.CONFIG_FILE
    try:
        stored = stored_path.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"{stored_path} is missing, so the run cannot be checked or continued; "
                        f"delete {run.run_dir} to start it afresh") from None
    _, operative, _ = build_experiment(request, request.budget)
    return diff_configs(stored, operative)


def _save_traceback(run: PlannedRun, error: BaseException) -> Path | None:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        atomic.write_text(run.run_dir / ERROR_FILE, text)
    except UserError:
        return None
    return run.run_dir / ERROR_FILE


def run_one(run: PlannedRun, budget: str, results: Path, device: str | None,
            show_progress: bool) -> Outcome:
    """Runs, resumes or checks one planned run, turning any failure into an ``Outcome``.

    An existing run (complete or interrupted) is first checked against the experiment's
    config as it is now: a changed config is a failure that says what changed, since the
    run folder can hold only one of them.

    Args:
        run: the planned run.
        budget: the suite's budget.
        results: the results folder.
        device: ``--device``.
        show_progress: show the run's own progress bar.

    Returns:
        The outcome.
    """
    started = time.perf_counter()
    if run.problem:
        return Outcome(run, FAILED, f"config: {run.problem}")
    request = request_for(run, budget, results, device, show_progress)
    try:
        changes = config_changes(run, request) if run.state != NEW else []
        if changes:
            shown = "; ".join(changes[:6]) + ("; ..." if len(changes) > 6 else "")
            return Outcome(run, FAILED, f"the experiment's config changed since this run was "
                                        f"made ({shown}); delete {run.run_dir} to run it again "
                                        f"with the new config", time.perf_counter() - started)
        if run.state == COMPLETE:
            return Outcome(run, SKIPPED, seconds=time.perf_counter() - started)
        execute(request)
    except UserError as error:
        from gan3d_bench.cli import clean_message

        return Outcome(run, FAILED, clean_message(error), time.perf_counter() - started)
    except Exception as error:  # a bug in one model must not stop the benchmark
        saved = _save_traceback(run, error)
        where = f" (traceback in {saved})" if saved else ""
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Outcome(run, FAILED, f"{type(error).__name__}: {first}{where}",
                       time.perf_counter() - started)
    (run.run_dir / ERROR_FILE).unlink(missing_ok=True)
    return Outcome(run, DONE, seconds=time.perf_counter() - started)


def run_suite(plan: list[PlannedRun], budget: str, results: Path, name: str,
              device: str | None = None, show_progress: bool = True) -> SuiteReport:
    """Runs every planned run in order, with a suite-wide progress bar above each run's own.

    The suite bar counts training steps still to do (runs differ in length), so its ETA
    follows the work done so far in this session; its label says which run of how many.

    Args:
        plan: the planned runs.
        budget: the suite's budget.
        results: the results folder.
        name: the suite's name (for the bar).
        device: ``--device``.
        show_progress: show progress bars (lines are printed either way).

    Returns:
        The report.
    """
    report = SuiteReport()
    todo = {id(r): max(r.steps - r.steps_done, 0) for r in plan
            if r.state != COMPLETE and not r.problem}
    bar = tqdm(total=sum(todo.values()), desc=f"suite {name}", unit="step", position=0,
               smoothing=0.0,
               disable=not show_progress, dynamic_ncols=True, file=sys.stderr,
               bar_format="{desc} |{bar}| {percentage:3.0f}% of steps "
                          "[{elapsed}<{remaining}]")
    try:
        for number, run in enumerate(plan, start=1):
            action = {NEW: "starting", COMPLETE: "already complete, checking"}.get(
                run.state, f"resuming from step {run.steps_done}")
            if run.problem:
                action = "not started: its config does not load"
            bar.set_description(f"suite {name} [run {number}/{len(plan)}: {run.label}]")
            tqdm.write(f"[{number}/{len(plan)}] {run.label}: {action} ({run.run_dir})",
                       file=sys.stderr)
            outcome = run_one(run, budget, results, device, show_progress)
            report.outcomes.append(outcome)
            if outcome.status == FAILED:
                tqdm.write(f"[{number}/{len(plan)}] {run.label}: FAILED: {outcome.message}",
                           file=sys.stderr)
            bar.update(todo.get(id(run), 0))
    finally:
        bar.close()
    if not any(o.status == DONE for o in report.outcomes) and Path(results).is_dir():
        publish_leaderboard(results)  # no run regenerated it
    return report
