"""Parametrisation of the contract checks over the registered components."""

from __future__ import annotations

from gan3d_bench.testing.construct import selected_components

# fixture name -> (registry kind, which components of that kind it covers)
FIXTURES = {
    "generator_component": ("generators", lambda c: True),
    "pose_aware_component": ("generators", lambda c: c.cls.pose_aware),
    "discriminator_component": ("discriminators", lambda c: True),
    "loss_component": ("losses", lambda c: True),
    "dataset_component": ("datasets", lambda c: True),
    "metric_component": ("metrics", lambda c: True),
    "features_component": ("features", lambda c: True),
}


def selected_package(config) -> str | None:
    """The ``--gan3d-package`` option, or None when unset or the plugin is not loaded."""
    try:
        return config.getoption("gan3d_package")
    except ValueError:
        return None


def generate_tests(metafunc) -> None:
    """``pytest_generate_tests``: one test per registered component of the fixture's kind."""
    package = selected_package(metafunc.config)
    for fixture, (kind, keep) in FIXTURES.items():
        if fixture in metafunc.fixturenames:
            components = [c for c in selected_components(kind, package) if keep(c)]
            metafunc.parametrize(fixture, components, ids=[c.name for c in components])
