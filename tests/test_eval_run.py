"""Evaluation inside a training run: KID in the record with its protocol, the history, and
the KID-versus-step picture in the run folder."""

from __future__ import annotations

import gin
from PIL import Image

from gan3d_bench.config import parse
from gan3d_bench.runner import RunRequest, execute

EVAL_BINDINGS = [
    "Experiment.metrics = [@kid, @fid]",
    "Experiment.eval_every = 4",
    "kid.num_real = 64",
    "kid.num_fake = 48",
    "kid.subsets = 10",
    "kid.subset_size = 32",
    "fid.num_real = 64",
    "fid.num_fake = 48",
]


def test_a_run_records_kid_with_its_protocol_and_draws_the_curve(toy_config, tmp_path):
    run_dir, record = execute(RunRequest(configs=[toy_config], bindings=EVAL_BINDINGS,
                                         results=tmp_path / "results", show_progress=False))
    kid = record["metrics"]["kid_synth"]
    assert kid["std"] is not None and kid["mean"] == kid["mean"]
    for key in ("extractor", "num_real", "num_fake", "subsets", "subset_size"):
        assert key in kid["protocol"]
    assert kid["protocol"]["extractor"] == "synth" and kid["protocol"]["num_fake"] == 48
    assert "fid_synth" in record["metrics"]
    assert [entry["step"] for entry in record["history"]] == [4, 8, 12]
    with Image.open(run_dir / "kid_curve.png") as picture:
        assert picture.size[0] > 100


def test_quick_budget_binds_the_evaluation_settings(toy_config):
    parsed = parse([toy_config], ["Experiment.metrics = [@kid]"], "quick")
    with parsed.scope():
        assert gin.query_parameter("quick/kid.num_real") == 1000
        assert gin.query_parameter("quick/pose_error.every") == -1
