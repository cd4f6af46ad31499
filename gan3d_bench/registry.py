"""The registry: components discovered through Python entry points, made gin-configurable.

Every component, built-in or third-party, is a class named in one of six entry-point groups
(``gan3d_bench.generators``, ``gan3d_bench.discriminators``, ``gan3d_bench.losses``,
``gan3d_bench.datasets``, ``gan3d_bench.metrics``, ``gan3d_bench.features``). Discovery uses
the ``entrypoints`` package; it happens once per process, on first use, and always before a gin
file is parsed. Each loaded class is registered with gin under its entry-point name, so a gin
file can write ``Experiment.generator = @hologan_generator``.

A plugin that fails to import, declares an incompatible API version, reuses a name that another
package registered, or is not a subclass of its kind's interface is reported by name and
package; everything else keeps working.
"""

from __future__ import annotations

import importlib.metadata
import keyword
import sys
import traceback
from dataclasses import dataclass, field

import entrypoints
import gin

from gan3d_bench import API_VERSION
from gan3d_bench.errors import UserError, did_you_mean
from gan3d_bench.interfaces import (
    Dataset,
    Discriminator,
    FeatureExtractor,
    Generator,
    Loss,
    Metric,
)

GROUP_PREFIX = "gan3d_bench."
KIND_BASES: dict[str, type] = {
    "generators": Generator,
    "discriminators": Discriminator,
    "losses": Loss,
    "datasets": Dataset,
    "metrics": Metric,
    "features": FeatureExtractor,
}
KINDS = tuple(KIND_BASES)
SINGULAR = {"generators": "generator", "discriminators": "discriminator", "losses": "loss",
            "datasets": "dataset", "metrics": "metric", "features": "feature extractor"}
BUILTIN_DISTRIBUTION = "gan3d-bench"
API_ATTRIBUTE = "GAN3D_BENCH_API"


def normalize_distribution(name: str) -> str:
    """The canonical form of a distribution name (``gan3d_bench`` -> ``gan3d-bench``)."""
    return name.lower().replace("_", "-").replace(".", "-")


@dataclass(frozen=True)
class Component:
    """One registered component.

    Attributes:
        kind: one of ``KINDS``.
        name: the registered (and gin) name.
        cls: the class the entry point names.
        configurable: the same class as registered with gin (calling it applies bindings).
        distribution: the package it comes from.
        version: that package's version.
        target: the entry point's ``module:object``.
    """

    kind: str
    name: str
    cls: type
    configurable: type
    distribution: str
    version: str
    target: str

    @property
    def provenance(self) -> dict:
        """Name, kind, distribution and version, as stored in run records."""
        return {"name": self.name, "kind": self.kind, "distribution": self.distribution,
                "version": self.version}


@dataclass(frozen=True)
class PluginProblem:
    """A plugin entry point that was rejected, and why.

    Attributes:
        kind: the registry kind of its group.
        name: the entry-point name.
        distribution: the package that declared it.
        target: the entry point's ``module:object``.
        message: what is wrong and what to do.
    """

    kind: str
    name: str
    distribution: str
    target: str
    message: str

    def __str__(self) -> str:
        return (f"plugin '{self.name}' ({self.kind}, from package {self.distribution}, "
                f"{self.target}): {self.message}")


def _api_compatible(declared: str) -> bool:
    try:
        major, minor = (int(part) for part in str(declared).split(".")[:2])
        our_major, our_minor = (int(part) for part in API_VERSION.split("."))
    except ValueError:
        return False
    return major == our_major and minor <= our_minor


def _declared_api(module_name: str) -> str | None:
    """The ``GAN3D_BENCH_API`` of the innermost loaded package of a module that declares one."""
    parts = (module_name or "").split(".")
    for depth in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:depth]))
        if module is not None and hasattr(module, API_ATTRIBUTE):
            return str(getattr(module, API_ATTRIBUTE))
    return None


def _installed_version(distribution: str) -> str:
    # an unversioned metadata folder (a source checkout's *.egg-info): ask the installed one
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _import_error_summary(error: BaseException) -> str:
    lines = traceback.format_exception_only(type(error), error)
    return " ".join(line.strip() for line in lines if line.strip())


@dataclass
class Registry:
    """The components found on a search path.

    Attributes:
        components: kind -> name -> ``Component``.
        problems: the rejected entry points.
    """

    components: dict[str, dict[str, Component]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS})
    problems: list[PluginProblem] = field(default_factory=list)
    _gin_registered: bool = False

    @classmethod
    def discover(cls, path: list[str] | None = None, register_gin: bool = False) -> Registry:
        """Finds and loads every entry point of every kind.

        Args:
            path: folders to search for installed distributions (default ``sys.path``).
            register_gin: also register every component with gin (once per process: only the
                global registry does this).

        Returns:
            The registry.
        """
        registry = cls()
        found = []
        for config, distro in entrypoints.iter_files_distros(path=path):
            dist_name = normalize_distribution(distro.name)
            for kind in KINDS:
                group = GROUP_PREFIX + kind
                if group not in config:
                    continue
                for name, spec in config[group].items():
                    found.append((kind, name, spec.strip(), dist_name,
                                  distro.version or _installed_version(distro.name)))
        # Our own components claim their names first; then packages in a stable order.
        found.sort(key=lambda item: (item[3] != BUILTIN_DISTRIBUTION, item[3], KINDS.index(
            item[0]), item[1]))
        for kind, name, spec, dist_name, version in found:
            registry._load_one(kind, name, spec, dist_name, version)
        if register_gin:
            registry._register_with_gin()
        return registry

    def _load_one(self, kind: str, name: str, spec: str, dist_name: str, version: str) -> None:
        def reject(message: str) -> None:
            self.problems.append(PluginProblem(kind, name, dist_name, spec, message))

        if not name.isidentifier() or keyword.iskeyword(name):
            reject("the name is not a valid Python identifier, so gin cannot refer to it; "
                   "rename the entry point")
            return
        try:
            entry = entrypoints.EntryPoint.from_string(spec, name)
            obj = entry.load()
        except entrypoints.BadEntryPoint:
            reject("the entry point is not of the form 'module:Class'")
            return
        except Exception as error:  # a broken plugin must not break the host
            reject(f"failed to import: {_import_error_summary(error)}")
            return
        base = KIND_BASES[kind]
        if not (isinstance(obj, type) and issubclass(obj, base)):
            reject(f"{obj!r} is not a subclass of gan3d_bench.interfaces.{base.__name__}; "
                   f"every {SINGULAR[kind]} must subclass it")
            return
        # the package the entry point names and the one that defines the class both count
        declarations = [_declared_api(entry.module_name),
                        _declared_api(getattr(obj, "__module__", ""))]
        if all(declared is None for declared in declarations):
            reject(f"its package declares no {API_ATTRIBUTE}; add "
                   f"{API_ATTRIBUTE} = \"{API_VERSION}\" to its top-level __init__.py")
            return
        for declared in filter(None, declarations):
            if not _api_compatible(declared):
                reject(f"written for plugin API {declared}, but this gan3d-bench provides "
                       f"{API_VERSION}; install a version of {dist_name} written for "
                       f"{API_VERSION.split('.')[0]}.x, or a gan3d-bench that provides "
                       f"{declared}")
                return
        for other_kind in KINDS:
            existing = self.components[other_kind].get(name)
            if existing is not None:
                reject(f"the name is already registered by package {existing.distribution} "
                       f"({existing.target}, {other_kind}); rename the entry point")
                return
        self.components[kind][name] = Component(kind, name, obj, obj, dist_name, version, spec)

    def _register_with_gin(self) -> None:
        if self._gin_registered:
            return
        for kind, by_name in self.components.items():
            for name, component in list(by_name.items()):
                try:
                    configurable = gin.external_configurable(component.cls, name=name,
                                                             module=kind)
                except ValueError as error:  # already registered with gin by other code
                    self.problems.append(PluginProblem(
                        kind, name, component.distribution, component.target,
                        f"gin refused the name: {error}"))
                    del by_name[name]
                    continue
                by_name[name] = Component(kind, name, component.cls, configurable,
                                          component.distribution, component.version,
                                          component.target)
        self._gin_registered = True

    def names(self, kind: str | None = None) -> list[str]:
        """Registered names, of one kind or of all.

        Args:
            kind: one of ``KINDS``, or None for every kind.

        Returns:
            Sorted names.
        """
        kinds = [kind] if kind else list(KINDS)
        return sorted(name for k in kinds for name in self.components[k])

    def get(self, kind: str, name: str) -> Component:
        """Looks up a component by kind and name.

        Args:
            kind: one of ``KINDS``.
            name: its registered name.

        Returns:
            The ``Component``.

        Raises:
            UserError: unknown kind or name, with the closest registered names.
        """
        if kind not in self.components:
            raise UserError(f"unknown component kind '{kind}'{did_you_mean(kind, KINDS)}; "
                            f"kinds are: {', '.join(KINDS)}")
        try:
            return self.components[kind][name]
        except KeyError:
            raise UserError(
                f"unknown {SINGULAR[kind]} '{name}'{did_you_mean(name, self.names(kind))}; "
                f"`gan3d-bench list {kind}` shows them all") from None

    def find(self, obj) -> Component | None:
        """The component whose class (or gin-configurable class) is ``obj``, if any.

        Args:
            obj: a class or a gin reference's target.

        Returns:
            The ``Component`` or None.
        """
        for by_name in self.components.values():
            for component in by_name.values():
                if obj is component.configurable or obj is component.cls:
                    return component
        return None

    def all(self, kind: str | None = None) -> list[Component]:
        """Every component, of one kind or of all, sorted by kind then name."""
        kinds = [kind] if kind else list(KINDS)
        return [self.components[k][n] for k in kinds for n in sorted(self.components[k])]


_GLOBAL: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry: discovered on first call, registered with gin, then reused.

    Returns:
        The global ``Registry``.
    """
    global _GLOBAL
    if _GLOBAL is None:
        _GLOBAL = Registry.discover(register_gin=True)
    return _GLOBAL
