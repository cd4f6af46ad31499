"""Distributed training with torchrun on 2 CPU processes (gloo), as CI can run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
from helpers import REPO

from gan3d_bench import records
from gan3d_bench.config import parse
from gan3d_bench.errors import UserError
from gan3d_bench.experiment import Experiment
from gan3d_bench.runner import RunRequest, execute
from gan3d_bench.training import checkpoint
from gan3d_bench.training.loop import Trainer


def test_two_process_run_writes_one_record_like_a_single_process_run(toy_config, tmp_path):
    run_dir = tmp_path / "ddp"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
         "--master_port", "29517", "-m", "gan3d_bench", "run", str(toy_config),
         "--run-dir", str(run_dir), "--budget", "quick", "--no-progress"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("run folder:") == 1  # only rank 0 reports
    ddp = records.read(run_dir)
    assert ddp["world_size"] == 2 and ddp["status"] == "complete" and ddp["steps_done"] == 6

    _, single = execute(RunRequest(configs=[toy_config], budget="quick",
                                            run_dir=tmp_path / "single", show_progress=False))
    assert set(ddp) == set(single) and single["world_size"] == 1
    assert ddp["components"] == single["components"]
    state = checkpoint.load(run_dir)
    assert state["world_size"] == 2 and len(state["rng"]) == 2
    assert not torch.equal(state["rng"][0]["torch"], state["rng"][1]["torch"])
    assert [p.name for p in (run_dir / "samples").iterdir()]  # rank 0 wrote the pictures


def test_resuming_with_another_number_of_processes_is_refused(toy_config, tmp_path):
    parse([toy_config])
    built = Experiment().build()
    trainer = Trainer(built, tmp_path, record={}, config_digest="x", show_progress=False)
    state = trainer.state()
    state["world_size"] = 2
    with pytest.raises(UserError, match=r"written by 2 process\(es\), but 1 are resuming"):
        trainer.load_state(state)


# Each exercises a different way a model's step can trip DDP: an output the loss ignores
# (HoloGAN's latent head with the identity loss off), a gradient penalty and 5 critic steps
# (WGAN-GP), the accuracy gate (3D-GAN; with a gate of 0 every discriminator update is
# skipped), class logits (AC-GAN) and packed samples (PacGAN).
CASES = {
    "hologan": ("hologan_cars", []),
    "wgan_gp": ("wgan_gp_cars", []),
    "voxel_gate": ("voxel3dgan_image_cars", []),
    "voxel_gate_skips": ("voxel3dgan_image_cars", ["GANStep.d_accuracy_gate = 0.0"]),
    "acgan": ("acgan_mixture", []),
    "pacgan": ("pacgan_cars", []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_two_processes_train_every_kind_of_model(case, tmp_path):
    config, extra = CASES[case]
    run_dir = tmp_path / case
    env = dict(os.environ, OMP_NUM_THREADS="1")
    port = 29540 + list(CASES).index(case)
    bindings = [arg for binding in extra for arg in ("--gin", binding)]
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
         "--master_port", str(port), "-m", "gan3d_bench", "run", f"gin/{config}.gin",
         "--run-dir", str(run_dir), "--budget", "quick", "--no-progress",
         "--gin", "quick/Experiment.steps = 2", "--gin", "quick/Experiment.width = 0.125",
         "--gin", "quick/Experiment.batch_size = 8", "--gin", "Experiment.metrics = []",
         *bindings],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    record = records.read(run_dir)
    assert record["status"] == "complete" and record["world_size"] == 2
    assert record["steps_done"] == 2
    if extra:  # every discriminator update was skipped, on both ranks alike
        log = [json.loads(line) for line in (run_dir / "train_log.jsonl").read_text()
               .splitlines()]
        assert log and all(entry["d_updated"] == 0.0 for entry in log)
