"""Parsing experiment configs with gin: files, bindings and budgets, with clear errors.

A budget is a gin scope. ``--budget quick`` parses ``gan3d_bench/budgets/quick.gin`` (or a
``budgets/quick.gin`` beside the config) before the config files, and builds the experiment
inside ``gin.config_scope("quick")``. Bindings written ``quick/Experiment.steps = 300`` apply
only to quick runs, while the unscoped bindings are the paper's settings; the budget file
gives generic ``quick/`` defaults that an experiment file may override. The default budget,
``paper``, adds no scope.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import gin
from gin import config_parser

from gan3d_bench.errors import UserError, did_you_mean
from gan3d_bench.registry import get_registry

PAPER_BUDGET = "paper"
PACKAGED_BUDGETS = Path(__file__).parent / "budgets"
# Configurables of the core, for "did you mean" suggestions next to registered components.
CORE_CONFIGURABLES = ("Experiment", "GANStep", "g_optimizer", "d_optimizer")


@dataclass
class ParsedConfig:
    """The result of parsing an experiment's gin input.

    Attributes:
        files: the config files, resolved.
        bindings: the extra ``--gin`` bindings.
        budget: the budget's name (``paper``, ``quick``...).
        budget_file: the gin file that defined the budget, if any.
    """

    files: list[Path]
    bindings: list[str]
    budget: str = PAPER_BUDGET
    budget_file: Path | None = None
    search_paths: list[Path] = field(default_factory=list)

    def scope(self):
        """A context manager that activates the budget's gin scope (none for ``paper``)."""
        if self.budget == PAPER_BUDGET:
            return contextlib.nullcontext()
        return gin.config_scope(self.budget)


def known_budgets(search_dirs: list[Path] | None = None) -> list[str]:
    """Names of the budgets that ``--budget`` accepts.

    Args:
        search_dirs: extra folders holding ``budgets/*.gin``.

    Returns:
        Sorted budget names, ``paper`` included.
    """
    names = {PAPER_BUDGET}
    for folder in [PACKAGED_BUDGETS, *[d / "budgets" for d in (search_dirs or [])]]:
        if folder.is_dir():
            names.update(p.stem for p in folder.glob("*.gin"))
    return sorted(names)


def resolve_budget(budget: str, config_dirs: list[Path]) -> tuple[str, Path | None]:
    """Finds the gin file behind a budget name (or takes a path to one).

    Args:
        budget: ``paper``, a budget name, or the path of a ``.gin`` file.
        config_dirs: folders of the config files (their ``budgets/`` are searched first).

    Returns:
        ``(name, file)``; ``file`` is None for ``paper``.

    Raises:
        UserError: an unknown budget.
    """
    if budget == PAPER_BUDGET:
        return PAPER_BUDGET, None
    as_path = Path(budget)
    if as_path.suffix == ".gin":
        if not as_path.is_file():
            raise UserError(f"budget file {budget} not found")
        return as_path.stem, as_path
    for folder in [*[d / "budgets" for d in config_dirs], PACKAGED_BUDGETS]:
        candidate = folder / f"{budget}.gin"
        if candidate.is_file():
            return budget, candidate
    names = known_budgets(config_dirs)
    raise UserError(f"unknown budget '{budget}'{did_you_mean(budget, names)}; "
                    f"budgets are: {', '.join(names)} (or the path of a .gin file)")


def _all_configurable_names() -> list[str]:
    return [*get_registry().names(), *CORE_CONFIGURABLES]


def _location(message: str) -> str:
    match = re.search(r'In (?:file "([^"]+)"|bindings string), line (\d+)', message)
    if not match:
        return ""
    if match.group(1):
        return f"{match.group(1)}, line {match.group(2)}"
    return f"line {match.group(2)}"


def translate_gin_error(error: Exception, source: str) -> UserError:
    """Turns a gin parsing error into one clear line.

    Args:
        error: what gin raised.
        source: the file name or ``--gin 'BINDING'`` being parsed.

    Returns:
        A ``UserError`` saying what is wrong, where, and what to do.
    """
    message = str(error)
    where = _location(message) or source
    if source.startswith("--gin") and where != source:
        where = source
    first = message.splitlines()[0] if message else type(error).__name__
    if match := re.search(r"No configurable matching reference '@?([\w./]+)'", first):
        name = match.group(1).split("/")[-1]
        rejected = [p for p in get_registry().problems if p.name == name]
        if rejected:
            return UserError(f"{where}: component '@{name}' was not loaded: {rejected[0]}")
        return UserError(f"{where}: unknown component '@{name}'"
                         f"{did_you_mean(name, _all_configurable_names())}; "
                         f"`gan3d-bench list` shows the registered ones")
    if match := re.search(r"No configurable matching '([\w./]+)'", first):
        name = match.group(1).split("/")[-1]
        return UserError(f"{where}: unknown configurable '{name}'"
                         f"{did_you_mean(name, _all_configurable_names())}; "
                         f"`gan3d-bench list` shows the registered components")
    if match := re.search(r"Configurable '([\w.]+)' doesn't have a parameter named '(\w+)'",
                          first):
        owner, param = match.groups()
        known = _parameters_of(owner)
        hint = did_you_mean(param, known)
        if not hint and known:
            hint = f"; its parameters are: {', '.join(known)}"
        return UserError(f"{where}: '{owner}' has no parameter '{param}'{hint}")
    if isinstance(error, tokenize.TokenError):
        return UserError(f"{source}: malformed gin: unexpected end of input "
                         f"(an unclosed bracket or quote?)")
    if isinstance(error, SyntaxError):
        line = f", line {error.lineno}" if error.lineno else ""
        file = error.filename if error.filename and error.filename != "<unknown>" else source
        text = f": {error.text.strip()}" if error.text else ""
        return UserError(f"{file}{line}: malformed gin ({error.msg}){text}")
    return UserError(f"{where}: {first}")


def _parameters_of(selector: str) -> list[str]:
    name = selector.split(".")[-1]
    for component in get_registry().all():
        if component.name == name:
            return list(inspect.signature(component.cls).parameters)
    try:
        configurable = gin.get_configurable(name)
        return list(inspect.signature(configurable).parameters)
    except (ValueError, TypeError):
        return []


def parse(config_files: list[str | Path], bindings: list[str] | None = None,
          budget: str = PAPER_BUDGET, *, clear: bool = True) -> ParsedConfig:
    """Parses config files, a budget and bindings into gin's global config.

    Plugins are discovered first, so every registered component is known to gin.

    Args:
        config_files: gin files, parsed in order.
        bindings: extra bindings (``--gin``), parsed last.
        budget: ``paper``, a budget name, or a budget file.
        clear: clear gin's config first.

    Returns:
        The ``ParsedConfig``.

    Raises:
        UserError: a missing or malformed file, an unknown name, a bad binding.
    """
    get_registry()
    bindings = list(bindings or [])
    if clear:
        gin.clear_config()
    files = []
    for name in config_files:
        path = Path(name)
        if not path.is_file():
            hint = " (it is a folder)" if path.is_dir() else ""
            raise UserError(f"config file {name} not found{hint}; give the path of a .gin file, "
                            f"e.g. gin/dcgan_cars.gin")
        files.append(path.resolve())
    config_dirs = []
    for path in files:
        for folder in (path.parent, path.parent.parent):
            if folder not in config_dirs:
                config_dirs.append(folder)
    for folder in [Path.cwd(), *config_dirs]:
        with contextlib.suppress(Exception):
            gin.add_config_file_search_path(str(folder))
    budget_name, budget_file = resolve_budget(budget, config_dirs)
    # The budget file first: it holds the budget's generic defaults (``quick/...``), which an
    # experiment file may override with bindings of its own in the same scope.
    for path in [*([budget_file] if budget_file else []), *files]:
        try:
            gin.parse_config_file(str(path))
        except Exception as error:  # gin raises ValueError, SyntaxError, TokenError...
            raise translate_gin_error(error, str(path)) from None
    for binding in bindings:
        try:
            gin.parse_config(binding)
        except Exception as error:
            raise translate_gin_error(error, f"--gin '{binding}'") from None
    return ParsedConfig(files, bindings, budget_name, budget_file, config_dirs)


class _TextReferences(config_parser.ParserDelegate):
    def configurable_reference(self, scoped_configurable_name, evaluate):
        return f"@{scoped_configurable_name}{'()' if evaluate else ''}"

    def macro(self, macro_name):
        return f"%{macro_name}"


def bindings_of(config_text: str) -> dict[str, str]:
    """Reads a gin config (such as an operative config) into ``{binding: value}``.

    Args:
        config_text: gin source.

    Returns:
        ``"scope/Configurable.param"`` mapped to the value's repr.
    """
    result = {}
    parser = config_parser.ConfigParser(config_text, _TextReferences())
    for statement in parser:
        if isinstance(statement, config_parser.BindingStatement):
            selector = "/".join(filter(None, [statement.scope, statement.selector]))
            result[f"{selector}.{statement.arg_name}"] = repr(statement.value)
    return result


def diff_configs(old_text: str, new_text: str) -> list[str]:
    """The bindings that differ between two gin configs, one line each.

    Args:
        old_text: the stored config.
        new_text: the new config.

    Returns:
        Lines like ``"Experiment.steps: 100 -> 200"``; empty when they agree.
    """
    old, new = bindings_of(old_text), bindings_of(new_text)
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines.append(f"{key}: {old.get(key, '(unset)')} -> {new.get(key, '(unset)')}")
    return lines
