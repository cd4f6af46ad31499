"""Suite files: a gin file that lists experiments × seeds, run by ``gan3d-bench suite``.

    Suite.experiments = ["gin/hologan_cars.gin", "gin/dcgan_cars.gin"]
    Suite.seeds = [0, 1, 2]
    Suite.budget = "quick"                       # optional; --budget overrides it
    Suite.bindings = ["quick/Experiment.eval_every = 100"]          # optional, every run
    Suite.experiment_bindings = {"gin/hologan_cars.gin": ["quick/Experiment.steps = 500"]}

Experiment paths are relative to the suite file, the current folder, or a folder above the
suite file (the repository), in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import gin

from gan3d_bench.config import PAPER_BUDGET, translate_gin_error
from gan3d_bench.errors import UserError


@gin.configurable("Suite")
class Suite:
    """What a suite runs, as bound in its gin file.

    Args:
        experiments: experiment config files (``gin/hologan_cars.gin``), one entry each.
        seeds: the seeds every experiment runs with.
        name: the suite's name (default: the suite file's name); runs go under
            ``RESULTS/suites/<name>/``.
        budget: the budget when ``--budget`` is not given (default: ``paper``).
        bindings: extra gin bindings for every run (like ``gan3d-bench run --gin``).
        experiment_bindings: extra bindings for some experiments, by their entry in
            ``experiments`` (for a suite's own per-model budgets, say).
    """

    def __init__(self, experiments: Sequence[str] = gin.REQUIRED, seeds: Sequence[int] = (0,),
                 name: str | None = None, budget: str | None = None,
                 bindings: Sequence[str] = (), experiment_bindings: dict | None = None):
        self.experiments = experiments
        self.seeds = seeds
        self.name = name
        self.budget = budget
        self.bindings = bindings
        self.experiment_bindings = experiment_bindings or {}


@dataclass
class SuiteExperiment:
    """One experiment of a suite.

    Attributes:
        entry: the path as written in the suite file.
        config: the resolved config file.
        name: the experiment's folder name (the config file's stem).
        bindings: suite-wide bindings, then the experiment's own.
    """

    entry: str
    config: Path
    name: str
    bindings: list[str] = field(default_factory=list)


@dataclass
class SuiteSpec:
    """A loaded suite.

    Attributes:
        file: the suite file.
        name: the suite's name.
        experiments: the experiments, in the file's order.
        seeds: the seeds, in the file's order.
        budget: the budget (``--budget``, else ``Suite.budget``, else ``paper``).
    """

    file: Path
    name: str
    experiments: list[SuiteExperiment]
    seeds: list[int]
    budget: str


def resolve_experiment(entry: str, suite_file: Path) -> Path | None:
    """Finds an experiment file named in a suite.

    Args:
        entry: the path as written.
        suite_file: the suite file.

    Returns:
        The file, or None when none of the places holds it.
    """
    path = Path(entry)
    if path.is_absolute():
        return path if path.is_file() else None
    folder = suite_file.resolve().parent
    for base in (folder, Path.cwd(), *folder.parents):
        if (base / path).is_file():
            return base / path
    return None


def _strings(value, what: str, where: Path) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence) or \
            not all(isinstance(item, str) for item in value):
        raise UserError(f"{where}: {what} must be a list of strings, e.g. [\"gin/dcgan_cars.gin\"]")
    return list(value)


def _seeds(value, where: Path) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value or \
            not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value):
        raise UserError(f"{where}: Suite.seeds must be a non-empty list of non-negative "
                        f"integers, e.g. [0, 1, 2]")
    if len(set(value)) != len(value):
        raise UserError(f"{where}: Suite.seeds lists a seed twice ({list(value)})")
    return list(value)


def _parse(path: Path) -> Suite:
    gin.clear_config()
    try:
        gin.parse_config_file(str(path))
    except Exception as error:  # gin raises ValueError, SyntaxError, TokenError...
        raise translate_gin_error(error, str(path)) from None
    try:
        return Suite()
    except RuntimeError as error:
        if "Required bindings" in str(error):
            raise UserError(f"{path} does not set Suite.experiments; list the experiment "
                            f"files, e.g. Suite.experiments = [\"gin/dcgan_cars.gin\"]") from None
        raise
    finally:
        gin.clear_config()


def load_suite(path: Path | str, budget: str | None = None,
               seeds: Sequence[int] | None = None) -> SuiteSpec:
    """Reads and checks a suite file.

    Args:
        path: the suite file.
        budget: ``--budget`` (overrides ``Suite.budget``).
        seeds: ``--seeds`` (overrides ``Suite.seeds``).

    Returns:
        The ``SuiteSpec``.

    Raises:
        UserError: a missing or malformed file, a missing experiment file, bad seeds.
    """
    path = Path(path)
    if not path.is_file():
        hint = " (it is a folder)" if path.is_dir() else ""
        raise UserError(f"suite file {path} not found{hint}; give the path of a suite .gin "
                        f"file, e.g. gin/suites/quick_cars.gin")
    suite = _parse(path)
    entries = _strings(suite.experiments, "Suite.experiments", path)
    if not entries:
        raise UserError(f"{path}: Suite.experiments is empty; list at least one experiment")
    common = _strings(suite.bindings, "Suite.bindings", path)
    if not isinstance(suite.experiment_bindings, dict):
        raise UserError(f"{path}: Suite.experiment_bindings must be a dict from an entry of "
                        f"Suite.experiments to a list of bindings")
    unknown = sorted(set(suite.experiment_bindings) - set(entries))
    if unknown:
        raise UserError(f"{path}: Suite.experiment_bindings names {', '.join(unknown)}, which "
                        f"Suite.experiments does not list")
    experiments, missing = [], []
    for entry in entries:
        config = resolve_experiment(entry, path)
        if config is None:
            missing.append(entry)
            continue
        own = _strings(suite.experiment_bindings.get(entry, []),
                       f"Suite.experiment_bindings[{entry!r}]", path)
        experiments.append(SuiteExperiment(entry, config, config.stem, [*common, *own]))
    if missing:
        raise UserError(f"{path} lists experiment file(s) that do not exist: "
                        f"{', '.join(missing)} (looked beside the suite file, in the current "
                        f"folder and in the folders above the suite file)")
    names = [e.name for e in experiments]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UserError(f"{path}: two experiments share the name {', '.join(twice)}; run "
                        f"folders are named after the config file, so rename one")
    chosen_seeds = _seeds(list(seeds) if seeds is not None else suite.seeds, path)
    name = suite.name or path.stem
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise UserError(f"{path}: Suite.name must be a plain folder name, not {name!r}")
    return SuiteSpec(file=path, name=name, experiments=experiments, seeds=chosen_seeds,
                     budget=budget or suite.budget or PAPER_BUDGET)
