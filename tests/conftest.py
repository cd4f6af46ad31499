"""Shared test setup.

A fake third-party distribution (``gan3d-toyplugin``, dataset ``toy_blobs``) is copied to a
temporary folder and put on ``sys.path`` (and ``PYTHONPATH`` for subprocesses) before the
registry is first used, exactly as installing a plugin package would make it visible.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import gin
import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
_FAKE_DIST = Path(tempfile.mkdtemp(prefix="gan3d-fake-dist-"))
shutil.copytree(TESTS / "fake_dist", _FAKE_DIST, dirs_exist_ok=True)
sys.path.insert(0, str(_FAKE_DIST))
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(_FAKE_DIST), *filter(None, [os.environ.get("PYTHONPATH")])])
# Reference-feature caches and torch hub lookups stay inside the test session.
_CACHE = Path(tempfile.mkdtemp(prefix="gan3d-cache-"))
os.environ.setdefault("GAN3D_BENCH_CACHE", str(_CACHE))
os.environ.setdefault("TORCH_HOME", str(_CACHE / "torch"))

FAKE_DIST = _FAKE_DIST


@pytest.fixture(autouse=True)
def _clean_gin():
    """Every test starts and ends with an empty gin config."""
    gin.clear_config()
    yield
    gin.clear_config()


@pytest.fixture
def toy_config(tmp_path) -> Path:
    """A tiny DCGAN experiment on ``toy_blobs`` (32x32, width 1/8, 12 steps)."""
    path = tmp_path / "toy.gin"
    path.write_text("""
Experiment.generator = @dcgan_generator
Experiment.discriminator = @dcgan_discriminator
Experiment.loss = @nonsaturating
Experiment.dataset = @toy_blobs
Experiment.resolution = 32
Experiment.width = 0.125
Experiment.batch_size = 8
Experiment.steps = 12
Experiment.sample_every = 4
Experiment.checkpoint_every = 4
Experiment.log_every = 1
Experiment.num_samples_grid = 4
Experiment.device = 'cpu'
quick/Experiment.steps = 6
""")
    return path
