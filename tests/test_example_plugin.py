"""The example external plugin (examples/gan3d_splat), installed with pip into a temporary
folder as a user would install it: it is listed, trains, is scored, appears in the
leaderboard and is covered by the contract suite, both ours and the pytest plugin's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from helpers import REPO

EXAMPLE = REPO / "examples" / "gan3d_splat"


def _pip_install(target: Path) -> None:
    """``pip install --no-deps --target TARGET examples/gan3d_splat``; the build backend comes
    from this environment when it is recent enough, else pip fetches it."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--target", str(target), str(EXAMPLE)]
    try:
        if int(metadata.version("setuptools").split(".")[0]) >= 69:
            command.insert(4, "--no-build-isolation")
    except metadata.PackageNotFoundError:
        pass
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            cwd=target.parent)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The example installed into a fresh folder, and the environment that sees it."""
    root = tmp_path_factory.mktemp("splat")
    target = root / "site"
    _pip_install(target)
    assert (target / "gan3d_splat" / "generator.py").is_file()
    assert list(target.glob("gan3d_splat-*.dist-info"))  # entry points travel in here
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(target), *filter(
                   None, [os.environ.get("PYTHONPATH")])]))
    return root, env


def _run(args, env, cwd=REPO, timeout=600):
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                            timeout=timeout, env=env, cwd=cwd)
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-3000:])
    return result


def test_not_visible_before_installation():
    result = subprocess.run([sys.executable, "-m", "gan3d_bench", "list", "generators"],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0 and "splat_generator" not in result.stdout


def test_installed_plugin_is_listed_with_its_package(installed):
    _, env = installed
    out = _run(["-m", "gan3d_bench", "list", "generators"], env).stdout
    line = next(line for line in out.splitlines() if "splat_generator" in line)
    assert "gan3d-splat" in line and "gan3d_splat.generator:PointSplatGenerator" in line


def test_installed_plugin_trains_is_scored_and_ranked(installed):
    root, env = installed
    results = root / "results"
    _run(["-m", "gan3d_bench", "run", str(EXAMPLE / "gin" / "splat_cars.gin"),
          "--budget", "quick", "--results", str(results), "--no-progress",
          "--gin", "quick/Experiment.steps = 4", "--gin", "quick/Experiment.width = 0.25",
          "--gin", "Experiment.metrics = [@kid, @pose_error]",
          "--gin", "kid.num_real = 60", "--gin", "kid.num_fake = 40",
          "--gin", "kid.subsets = 5", "--gin", "kid.subset_size = 20",
          "--gin", "pose_error.num_samples = 4"], env)
    (record_file,) = results.rglob("record.json")
    record = json.loads(record_file.read_text())
    assert record["status"] == "complete"
    assert "kid_synth" in record["metrics"] and "pose_error_synth" in record["metrics"]
    generator = json.dumps(record["components"])
    assert "splat_generator" in generator and "gan3d-splat" in generator
    assert "splat_cars" in (results / "leaderboard.md").read_text()

    table = _run(["-m", "gan3d_bench", "leaderboard", str(results), "--format", "csv"],
                 env).stdout
    assert "splat_cars" in table


def test_our_contract_suite_covers_the_installed_plugin(installed):
    _, env = installed
    out = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_contract.py",
                "-k", "splat_generator"], env).stdout
    assert " passed" in out and "failed" not in out and "skipped" not in out


def test_pytest_plugin_runs_the_contract_suite_for_the_package(installed):
    root, env = installed
    out = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
                "gan3d_bench.testing", "--gan3d-package", "gan3d-splat"], env,
               cwd=root).stdout
    assert "splat_generator" in out or " passed" in out
    assert "failed" not in out and "no tests ran" not in out
    assert int(out.strip().splitlines()[-1].split(" passed")[0].split()[-1]) >= 5
