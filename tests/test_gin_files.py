"""Every experiment config in gin/ builds and runs one training step (at a tiny width)."""

from __future__ import annotations

import math

import pytest
from helpers import REPO

from gan3d_bench.config import parse
from gan3d_bench.distributed import SINGLE
from gan3d_bench.experiment import Experiment
from gan3d_bench.training.loop import BatchStream

CONFIGS = sorted(p for p in (REPO / "gin").glob("*.gin"))
SHRINK = ["quick/Experiment.width = 0.0625", "quick/Experiment.batch_size = 4",
          "quick/Experiment.metrics = []", "quick/Experiment.device = 'cpu'"]


def test_there_are_configs():
    assert len(CONFIGS) >= 10


@pytest.mark.parametrize("config", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_config_builds_and_runs_one_step(config):
    parsed = parse([config], SHRINK, budget="quick")
    with parsed.scope():
        built = Experiment().build(default_name=config.stem)
    stream = BatchStream(built, start_index=0, dist=SINGLE, prefetch=False)
    logs = built.step(built.models, stream)
    assert logs and all(math.isfinite(value) for value in logs.values())
    assert stream.index == built.step.batches_per_iteration()


@pytest.mark.parametrize("config", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_paper_settings_parse_and_name_registered_components(config):
    parse([config])
    experiment = Experiment()
    assert experiment.steps >= 1000, "the unscoped settings are the paper's full length"
