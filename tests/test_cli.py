"""The command line as a user meets it: listing, running, and one-line errors (exit 2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from helpers import REPO, run_cli

from gan3d_bench import records
from gan3d_bench.training import checkpoint


def _one_clean_error_line(result):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gan3d-bench: error: ")
    return lines[0]


def test_list_shows_components_with_their_package_and_version():
    result = run_cli("list")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()[2:]}
    assert rows["dcgan_generator"][:4] == ["generators", "dcgan_generator", "gan3d-bench",
                                           "0.1.0"]
    assert rows["toy_blobs"][2:4] == ["gan3d-toyplugin", "0.3.0"]
    only = run_cli("list", "losses")
    assert "nonsaturating" in only.stdout and "dcgan_generator" not in only.stdout


def test_run_writes_a_run_folder_and_prints_where(toy_config, tmp_path):
    result = run_cli("run", str(toy_config), "--results", str(tmp_path / "results"),
                     "--budget", "quick", "--no-progress")
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / "results" / "toy").iterdir()
    assert f"run folder: {run_dir}" in result.stdout
    record = records.read(run_dir)
    assert record["budget"] == "quick" and record["steps_done"] == 6
    assert (run_dir / "checkpoint.pt").exists() and (run_dir / "config.gin").exists()
    assert any((run_dir / "samples").glob("*.png"))


@pytest.mark.parametrize("args, expected", [
    (["run", "missing.gin"], "config file missing.gin not found"),
    (["run", "{toy}", "--gin", "Experiment.dataset = @toy_blob"],
     "unknown component '@toy_blob' (did you mean: toy_blobs?)"),
    (["run", "{toy}", "--gin", "Experiment.stepz = 3"], "'Experiment' has no parameter 'stepz'"),
    (["run", "{toy}", "--budget", "quik"], "unknown budget 'quik'"),
    (["run", "{toy}", "--gin", "Experiment.steps = 0"], "Experiment.steps must be at least 1"),
    (["run", "{toy}", "--gin", "Experiment.resolution = 48"],
     "does not support resolution 48"),
    (["run", "{toy}", "--gin", "Experiment.generator = @nonsaturating"],
     "Experiment.generator = @nonsaturating is a loss, not a generator"),
    (["run", "{toy}", "--results", "/proc/forbidden"], "cannot write /proc/forbidden"),
    (["run", "--resume", "{tmp}/nothing-here"], "no such run folder"),
    (["list", "widgets"], "unknown kind 'widgets'"),
])
def test_bad_input_gets_one_clear_line_and_exit_2(args, expected, toy_config, tmp_path):
    args = [a.format(toy=toy_config, tmp=tmp_path) for a in args]
    if "--results" not in args and args[0] == "run":
        args += ["--results", str(tmp_path / "results")]
    line = _one_clean_error_line(run_cli(*args))
    assert expected in line


def test_malformed_gin_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.gin"
    bad.write_text("Experiment.steps = 3\nExperiment.steps 4\n")
    line = _one_clean_error_line(run_cli("run", str(bad)))
    assert f"{bad}, line 2: malformed gin" in line


def test_resume_with_different_config_lists_the_differences(toy_config, tmp_path):
    run_dir = tmp_path / "run"
    assert run_cli("run", str(toy_config), "--run-dir", str(run_dir), "--budget", "quick",
                   "--no-progress").returncode == 0
    line = _one_clean_error_line(run_cli("run", str(toy_config), "--resume", str(run_dir),
                                         "--gin", "dcgan_generator.z_dim = 64"))
    assert "refusing to resume" in line and "dcgan_generator.z_dim: 100 -> 64" in line


def test_sigkill_mid_training_then_resume_gives_the_uninterrupted_result(toy_config, tmp_path):
    longer = ["--gin", "Experiment.steps = 40", "--gin", "Experiment.checkpoint_every = 5",
              "--no-progress"]
    reference = tmp_path / "reference"
    assert run_cli("run", str(toy_config), "--run-dir", str(reference), *longer).returncode == 0

    killed = tmp_path / "killed"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "gan3d_bench", "run", str(toy_config),
                                "--run-dir", str(killed), *longer], cwd=REPO, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if (killed / "checkpoint.pt").exists() and \
                checkpoint.load(killed)["step"] >= 10:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail("the run finished before it could be killed")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert records.read(killed)["status"] == "running"

    result = run_cli("run", "--resume", str(killed), "--no-progress")
    assert result.returncode == 0, result.stderr
    final, expected = checkpoint.load(killed), checkpoint.load(reference)
    assert final["step"] == expected["step"] == 40
    for part in ("generator", "discriminator", "g_optimizer"):
        flat_a = torch.nn.utils.parameters_to_vector(
            [v.float() for v in _tensors(final[part])])
        flat_b = torch.nn.utils.parameters_to_vector(
            [v.float() for v in _tensors(expected[part])])
        assert torch.equal(flat_a, flat_b), part


def _tensors(tree):
    if torch.is_tensor(tree):
        yield tree.flatten()
    elif isinstance(tree, dict):
        for key in sorted(tree, key=str):
            yield from _tensors(tree[key])
    elif isinstance(tree, list | tuple):
        for item in tree:
            yield from _tensors(item)
