"""Starting and resuming runs: from gin input to a finished run folder.

This is what ``gan3d-bench run`` (and a suite, for each of its runs) calls. A run folder holds
``record.json``, the operative ``config.gin``, ``checkpoint.pt``, ``train_log.jsonl``,
``samples/step_*.png`` and, for pose-aware generators, ``rotation_*.png``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import gin

from gan3d_bench import atomic, records
from gan3d_bench.config import PAPER_BUDGET, diff_configs, parse
from gan3d_bench.distributed import SINGLE, DistInfo, broadcast_object, device_for
from gan3d_bench.errors import UserError
from gan3d_bench.experiment import Built, Experiment
from gan3d_bench.training import checkpoint
from gan3d_bench.training.loop import Trainer, describe_device


@dataclass
class RunRequest:
    """What to run.

    Attributes:
        configs: gin files (may be empty when resuming: the run's own config is used).
        bindings: extra gin bindings.
        budget: budget name or file; None means ``paper`` for a new run and the run's own
            budget when resuming.
        results: the results folder new runs go under.
        resume: a run folder to continue.
        run_dir: an exact folder for a new run (suites use this).
        device: overrides ``Experiment.device``.
        seed: overrides ``Experiment.seed``.
        show_progress: show the progress bar.
        auto_resume: with ``run_dir``: resume the run there if there is one, else start it
            (for preemptible jobs and torchrun restarts that rerun the same command).
        leaderboard: regenerate the results folder's leaderboard (``leaderboard.md``, CSV,
            plots) when the run completes.
    """

    configs: list[Path] = field(default_factory=list)
    bindings: list[str] = field(default_factory=list)
    budget: str | None = None
    results: Path = Path("results")
    resume: Path | None = None
    run_dir: Path | None = None
    device: str | None = None
    seed: int | None = None
    show_progress: bool = True
    auto_resume: bool = False
    leaderboard: bool = True


def build_experiment(request: RunRequest, budget: str) -> tuple[Built, str, str]:
    """Parses the config and constructs the experiment inside the budget's scope.

    Args:
        request: the run request.
        budget: the budget to use.

    Returns:
        ``(built, operative_config, budget_name)``.

    Raises:
        UserError: any problem with the config or the components.
    """
    bindings = list(request.bindings)
    if request.seed is not None:
        bindings.append(f"Experiment.seed = {int(request.seed)}")
    parsed = parse(request.configs, bindings, budget)
    default_name = Path(request.configs[0]).stem if request.configs else "experiment"
    with parsed.scope():
        try:
            experiment = Experiment()
            built = experiment.build(default_name=default_name, device=request.device)
        except UserError:
            raise
        except RuntimeError as error:
            if "Required bindings" in str(error):
                missing = str(error).split(":", 1)[-1].strip()
                raise UserError(f"the config does not set Experiment parameters {missing}; "
                                f"bind them in the gin file (see gin/dcgan_cars.gin)") from None
            raise
        except (TypeError, ValueError) as error:
            from gan3d_bench.cli import clean_message

            sources = ", ".join(map(str, request.configs))
            raise UserError(f"cannot build the experiment from {sources}: "
                            f"{clean_message(error)}") from None
    return built, gin.operative_config_str(), parsed.budget


def _for_rank(request: RunRequest, dist: DistInfo) -> RunRequest:
    device = device_for(dist, request.device)
    return dataclasses.replace(request, device=device,
                               show_progress=request.show_progress and dist.is_main)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _new_run_dir(request: RunRequest, built: Built, budget: str) -> Path:
    if request.run_dir is not None:
        return Path(request.run_dir)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{budget}-seed{built.settings['seed']}-{stamp}"
    return Path(request.results) / built.name / name


def results_root(request: RunRequest, run_dir: Path) -> Path:
    """The results folder a run belongs to (where its leaderboard is regenerated).

    Args:
        request: the run request.
        run_dir: the run's folder.

    Returns:
        ``request.results`` when the run lies inside it, or was started with ``--run-dir``;
        for a resumed run outside it, the folder two levels up (``RESULTS/EXPERIMENT/RUN``).
    """
    results = Path(request.results)
    if request.resume is None or Path(run_dir).resolve().is_relative_to(results.resolve()):
        return results
    return Path(run_dir).parent.parent


def publish_leaderboard(results: Path) -> None:
    """Regenerates ``RESULTS/leaderboard.md`` (and CSV, plots); a failure only warns.

    Args:
        results: the results folder.
    """
    from gan3d_bench.leaderboard import regenerate

    try:
        regenerate(results)
    except Exception as error:  # the run itself succeeded: never fail it for its table
        message = error if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        print(f"gan3d-bench: warning: could not regenerate {results / 'leaderboard.md'}: "
              f"{message}; rebuild it with `gan3d-bench leaderboard {results}`", file=sys.stderr)


def execute(request: RunRequest, dist: DistInfo = SINGLE) -> tuple[Path, dict]:
    """Starts a new run or resumes one, trains it to the end, and regenerates the leaderboard.

    Args:
        request: what to run.
        dist: rank and world size (distributed runs).

    Returns:
        ``(run_dir, record)``.

    Raises:
        UserError: bad input; a resume whose config differs (with the differences);
            an unwritable results folder.
    """
    run_dir, record = _execute(request, dist)
    if dist.is_main and request.leaderboard and record.get("status") == "complete":
        publish_leaderboard(results_root(request, run_dir))
    return run_dir, record


def _execute(request: RunRequest, dist: DistInfo = SINGLE) -> tuple[Path, dict]:
    """Starts a new run or resumes one, and trains it to the end.

    Args:
        request: what to run.
        dist: rank and world size (distributed runs).

    Returns:
        ``(run_dir, record)``.

    Raises:
        UserError: bad input; a resume whose config differs (with the differences);
            an unwritable results folder.
    """
    if request.auto_resume:
        if request.run_dir is None:
            raise UserError("--auto-resume needs --run-dir DIR: the folder to resume or start")
        if (Path(request.run_dir) / records.RECORD_FILE).exists():
            request = dataclasses.replace(request, resume=request.run_dir, run_dir=None)
    if request.resume is not None:
        return _resume(request, dist)
    request = _for_rank(request, dist)
    built, operative, budget = build_experiment(request, request.budget or PAPER_BUDGET)
    run_dir = broadcast_object(_new_run_dir(request, built, budget), dist)  # rank 0's clock
    if dist.is_main and (run_dir / records.RECORD_FILE).exists():
        raise UserError(f"{run_dir} already holds a run; continue it with --resume {run_dir}, "
                        f"or choose another folder")
    record = records.new_record(
        run_id=run_dir.name, experiment=built.name,
        components={role: c.provenance for role, c in built.components.items()},
        dataset=built.dataset.describe(), settings=built.settings, budget=budget,
        device=describe_device(built.device), world_size=dist.world_size,
        command={"configs": [str(p) for p in request.configs], "bindings": request.bindings,
                 "budget": budget})
    if dist.is_main:
        atomic.check_writable(run_dir)
        atomic.write_text(run_dir / records.CONFIG_FILE, operative)
        records.write(run_dir, record)
    trainer = Trainer(built, run_dir, record, _digest(operative), dist=dist,
                      show_progress=request.show_progress)
    return run_dir, trainer.run()


def _resume(request: RunRequest, dist: DistInfo) -> tuple[Path, dict]:
    request = _for_rank(request, dist)
    run_dir = Path(request.resume)
    if not run_dir.is_dir():
        raise UserError(f"--resume {run_dir}: no such run folder")
    record = records.read(run_dir)
    stored_path = run_dir / records.CONFIG_FILE
    try:
        stored = stored_path.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"--resume {run_dir}: {stored_path} is missing; the run cannot be "
                        f"rebuilt without it") from None
    if not request.configs:
        request.configs = [stored_path]
    budget = request.budget or record["budget"]
    built, operative, budget = build_experiment(request, budget)
    differences = diff_configs(stored, operative)
    if budget != record["budget"]:
        differences.insert(0, f"budget: {record['budget']} -> {budget}")
    if differences:
        shown = "; ".join(differences[:12]) + ("; ..." if len(differences) > 12 else "")
        raise UserError(f"refusing to resume {run_dir}: the config differs from the run's "
                        f"({len(differences)} difference(s): {shown}); to continue it as it was, "
                        f"run `gan3d-bench run --resume {run_dir}` with no config files or "
                        f"bindings")
    if dist.is_main:
        atomic.check_writable(run_dir)
    # rank 0 reads the checkpoint and sends it to the others (no shared filesystem needed)
    state = broadcast_object(checkpoint.load(run_dir, map_location="cpu") if dist.is_main
                             else None, dist)
    if state is not None and state["config_digest"] != _digest(stored):
        raise UserError(f"checkpoint in {run_dir} belongs to another config; delete it to "
                        f"restart the run")
    record["device"] = describe_device(built.device)
    record["world_size"] = dist.world_size
    trainer = Trainer(built, run_dir, record, _digest(stored), dist=dist,
                      show_progress=request.show_progress)
    if state is not None and record["status"] == "complete" and \
            int(state["step"]) >= built.settings["steps"]:
        return run_dir, record
    return run_dir, trainer.run(resume_state=state)
