"""The registry: entry-point discovery, provenance, gin registration, bad plugins."""

from __future__ import annotations

import textwrap
from pathlib import Path

import gin
import pytest

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Generator
from gan3d_bench.registry import KINDS, Registry, get_registry


def test_builtin_components_come_from_our_distribution():
    registry = get_registry()
    component = registry.get("generators", "dcgan_generator")
    assert component.distribution == "gan3d-bench"
    assert component.version == "0.1.0"
    assert issubclass(component.cls, Generator)
    assert component.target == "gan3d_dcgan.generator:DCGANGenerator"
    assert registry.get("losses", "nonsaturating").kind == "losses"


def test_third_party_distribution_on_a_temporary_path_is_discovered():
    component = get_registry().get("datasets", "toy_blobs")
    assert component.distribution == "gan3d-toyplugin"
    assert component.version == "0.3.0"


def test_registered_names_are_gin_configurable():
    component = get_registry().get("generators", "dcgan_generator")
    gin.parse_config("dcgan_generator.z_dim = 7")
    assert component.configurable(resolution=32, width=0.125).z_dim == 7
    assert component.cls(resolution=32, width=0.125).z_dim == 100  # the class itself is untouched


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UserError, match="did you mean: dcgan_generator"):
        get_registry().get("generators", "dcgan_generatr")
    with pytest.raises(UserError, match="unknown component kind"):
        get_registry().get("widgets", "x")


def _write_distribution(root: Path, dist: str, version: str, package: str, modules: dict,
                        entry_points: str) -> None:
    (root / package).mkdir(parents=True)
    for name, source in modules.items():
        (root / package / f"{name}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))


GOOD_GENERATOR = """
    from gan3d_bench.interfaces import Generator

    class Tiny(Generator):
        def forward(self, z, pose=None, labels=None):
            return z
"""


def test_bad_plugins_are_reported_by_name_and_package_and_the_rest_works(tmp_path, monkeypatch):
    _write_distribution(tmp_path, "first-plugin", "1.2.0", "goodplug", {
        "__init__": 'GAN3D_BENCH_API = "1.0"\n', "gen": GOOD_GENERATOR}, """
        [gan3d_bench.generators]
        tiny_generator = goodplug.gen:Tiny
    """)
    _write_distribution(tmp_path, "second-plugin", "0.1.0", "badplug", {
        "__init__": 'GAN3D_BENCH_API = "1.0"\n',
        "broken": "import a_module_that_does_not_exist\n",
        "notagen": "class NotAGenerator:\n    pass\n",
        "gen": GOOD_GENERATOR,
    }, """
        [gan3d_bench.generators]
        broken_generator = badplug.broken:Gen
        wrong_generator = badplug.notagen:NotAGenerator
        tiny_generator = badplug.gen:Tiny
        bad-name = badplug.gen:Tiny
    """)
    _write_distribution(tmp_path, "old-plugin", "3.0.0", "oldplug", {
        "__init__": 'GAN3D_BENCH_API = "0.9"\n', "gen": GOOD_GENERATOR}, """
        [gan3d_bench.generators]
        old_generator = oldplug.gen:Tiny
    """)
    _write_distribution(tmp_path, "undeclared-plugin", "1.0.0", "undeclaredplug", {
        "__init__": "", "gen": GOOD_GENERATOR}, """
        [gan3d_bench.generators]
        undeclared_generator = undeclaredplug.gen:Tiny
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry.discover(path=[str(tmp_path)])

    assert registry.names("generators") == ["tiny_generator"]
    assert registry.get("generators", "tiny_generator").distribution == "first-plugin"
    problems = {p.name: p for p in registry.problems}
    assert set(problems) == {"broken_generator", "wrong_generator", "tiny_generator",
                             "bad-name", "old_generator", "undeclared_generator"}
    assert "a_module_that_does_not_exist" in problems["broken_generator"].message
    assert "not a subclass of gan3d_bench.interfaces.Generator" in \
        problems["wrong_generator"].message
    duplicate = problems["tiny_generator"]
    assert duplicate.distribution == "second-plugin"
    assert "already registered by package first-plugin" in duplicate.message
    assert "API 0.9" in problems["old_generator"].message
    assert "declares no GAN3D_BENCH_API" in problems["undeclared_generator"].message
    text = str(duplicate)
    assert "tiny_generator" in text and "second-plugin" in text


def test_every_kind_has_an_entry_point_group():
    assert KINDS == ("generators", "discriminators", "losses", "datasets", "metrics",
                     "features")


def test_the_api_of_the_package_an_entry_point_names_counts_too(tmp_path, monkeypatch):
    """A package written for API 2.0 cannot slip in by pointing at a class it imported from
    a package that declares 1.0."""
    _write_distribution(tmp_path, "base-plugin", "1.0.0", "baseplug", {
        "__init__": 'GAN3D_BENCH_API = "1.0"\n', "gen": GOOD_GENERATOR}, "")
    _write_distribution(tmp_path, "future-plugin", "2.0.0", "futureplug", {
        "__init__": 'GAN3D_BENCH_API = "2.0"\n',
        "gen": "from baseplug.gen import Tiny\n"}, """
        [gan3d_bench.generators]
        future_generator = futureplug.gen:Tiny
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = Registry.discover(path=[str(tmp_path)])
    assert "future_generator" not in registry.names("generators")
    (problem,) = [p for p in registry.problems if p.name == "future_generator"]
    assert "written for plugin API 2.0" in problem.message


def test_a_parameter_that_does_not_exist_lists_the_real_ones():
    from gan3d_bench.config import parse

    with pytest.raises(UserError, match=r"'kid' has no parameter 'bogus'; its parameters are: "
                                        r"features, num_real"):
        parse([], ["kid.bogus = 3"])
