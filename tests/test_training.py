"""The training step's schedule and the loop: outputs, resume, divergence."""

from __future__ import annotations

import json

import pytest
import torch

from gan3d_bench import records
from gan3d_bench.config import parse
from gan3d_bench.errors import TrainingDiverged, UserError
from gan3d_bench.experiment import Experiment
from gan3d_bench.runner import RunRequest, execute
from gan3d_bench.training import checkpoint
from gan3d_bench.training.step import GANStep


def _built(config, *bindings):
    parse([config], list(bindings))
    return Experiment().build(default_name="toy")


def _counting_stream(built):
    calls = []

    def next_batch():
        calls.append(1)
        return built.dataset.batch(len(calls), built.settings["batch_size"], seed=0)

    return next_batch, calls


def test_d_steps_draw_a_fresh_real_batch_each(toy_config):
    built = _built(toy_config)
    next_batch, calls = _counting_stream(built)
    logs = GANStep(d_steps=5)(built.models, next_batch)
    assert len(calls) == 5
    assert {"d_loss", "g_loss", "d_real", "d_fake", "d_accuracy"} <= set(logs)


def test_g_reuse_inputs_gives_the_generator_the_discriminators_z(toy_config):
    built = _built(toy_config)
    seen = []
    original = built.models.generator.forward

    def spy(z, pose=None, labels=None):
        seen.append(z.clone())
        return original(z, pose, labels)

    built.models.generator.forward = spy
    next_batch, _ = _counting_stream(built)
    GANStep(g_steps=2, g_reuse_inputs=True)(built.models, next_batch)
    assert len(seen) == 3 and torch.equal(seen[0], seen[1]) and torch.equal(seen[1], seen[2])
    seen.clear()
    GANStep(g_steps=2)(built.models, next_batch)
    assert not torch.equal(seen[0], seen[1]) and not torch.equal(seen[1], seen[2])


def test_each_update_changes_only_its_own_network(toy_config):
    built = _built(toy_config)
    g_before = [p.detach().clone() for p in built.generator.parameters()]
    d_before = [p.detach().clone() for p in built.discriminator.parameters()]
    next_batch, _ = _counting_stream(built)
    step = GANStep()
    step.discriminator_update(built.models, next_batch(),
                              built.generator.sample_inputs(8))
    assert all(torch.equal(a, b) for a, b in zip(g_before, built.generator.parameters(),
                                                 strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(d_before, built.discriminator.parameters(),
                                                     strict=True))
    d_after = [p.detach().clone() for p in built.discriminator.parameters()]
    step.generator_update(built.models, built.generator.sample_inputs(8))
    assert not all(torch.equal(a, b) for a, b in zip(g_before, built.generator.parameters(),
                                                     strict=True))
    assert all(torch.equal(a, b) for a, b in zip(d_after, built.discriminator.parameters(),
                                                 strict=True))
    assert all(p.requires_grad for p in built.discriminator.parameters())


def _run(config, tmp_path, name, *bindings):
    return execute(RunRequest(configs=[config], bindings=list(bindings), run_dir=tmp_path / name,
                              show_progress=False))


def test_a_run_writes_record_config_samples_log_and_checkpoint(toy_config, tmp_path):
    run_dir, record = _run(toy_config, tmp_path, "run")
    assert record["status"] == "complete" and record["steps_done"] == 12
    stored = records.read(run_dir)
    assert stored["components"]["generator"] == {
        "name": "dcgan_generator", "kind": "generators", "distribution": "gan3d-bench",
        "version": "0.1.0"}
    assert stored["components"]["dataset"]["distribution"] == "gan3d-toyplugin"
    assert stored["dataset"] == {"name": "toy_blobs", "resolution": 32}
    assert stored["budget"] == "paper" and stored["seed"] == 0 and stored["world_size"] == 1
    assert "Experiment.steps = 12" in (run_dir / "config.gin").read_text()
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == [
        "step_0000004.png", "step_0000008.png", "step_0000012.png"]
    lines = [json.loads(line) for line in (run_dir / "train_log.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == list(range(1, 13))
    assert checkpoint.load(run_dir)["step"] == 12


def test_same_seed_same_weights_other_seed_other_weights(toy_config, tmp_path):
    a, _ = _run(toy_config, tmp_path, "a")
    b, _ = _run(toy_config, tmp_path, "b")
    c, _ = _run(toy_config, tmp_path, "c", "Experiment.seed = 1")
    wa, wb, wc = (checkpoint.load(d)["generator"] for d in (a, b, c))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa)


def test_resume_after_a_crash_continues_bitwise_identically(toy_config, tmp_path, monkeypatch):
    reference, _ = _run(toy_config, tmp_path, "reference")

    original = GANStep.__call__
    calls = {"n": 0}

    def crash_at_step_10(self, models, next_batch):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt  # as good as a kill: nothing after the step-8 checkpoint
        return original(self, models, next_batch)

    monkeypatch.setattr(GANStep, "__call__", crash_at_step_10)
    with pytest.raises(KeyboardInterrupt):
        _run(toy_config, tmp_path, "crashed")
    monkeypatch.setattr(GANStep, "__call__", original)
    crashed = tmp_path / "crashed"
    assert checkpoint.load(crashed)["step"] == 8
    assert records.read(crashed)["status"] == "running"

    _, record = execute(RunRequest(resume=crashed, show_progress=False))
    assert record["status"] == "complete" and record["steps_done"] == 12
    final, expected = checkpoint.load(crashed), checkpoint.load(reference)
    for part in ("generator", "discriminator"):
        assert all(torch.equal(final[part][k], expected[part][k]) for k in expected[part])
    log = lambda d: [json.loads(x) for x in (d / "train_log.jsonl").read_text().splitlines()]  # noqa: E731
    strip = lambda rows: [{k: v for k, v in r.items() if k != "wall_time_s"} for r in rows]  # noqa: E731
    assert strip(log(crashed)) == strip(log(reference))


def test_resume_with_a_different_config_is_refused_with_the_differences(toy_config, tmp_path):
    run_dir, _ = _run(toy_config, tmp_path, "run")
    with pytest.raises(UserError, match=r"Experiment.steps: 12 -> 20"):
        execute(RunRequest(configs=[toy_config], bindings=["Experiment.steps = 20"],
                           resume=run_dir, show_progress=False))


def test_a_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(toy_config, tmp_path,
                                                                     monkeypatch):
    original = GANStep.__call__
    calls = {"n": 0}

    def nan_at_step_6(self, models, next_batch):
        calls["n"] += 1
        logs = original(self, models, next_batch)
        return {**logs, "g_loss": float("nan")} if calls["n"] == 6 else logs

    monkeypatch.setattr(GANStep, "__call__", nan_at_step_6)
    with pytest.raises(TrainingDiverged, match=r"loss 'g_loss' became nan at step 6.*step 4"):
        _run(toy_config, tmp_path, "nan")
    record = records.read(tmp_path / "nan")
    assert record["status"] == "failed" and record["steps_done"] == 4
    assert checkpoint.load(tmp_path / "nan")["step"] == 4


def test_bf16_mixed_precision_trains_and_fp16_needs_a_gpu(toy_config, tmp_path):
    _, record = _run(toy_config, tmp_path, "bf16", "Experiment.precision = 'bf16'",
                     "Experiment.steps = 2")
    assert record["status"] == "complete" and record["settings"]["precision"] == "bf16"
    with pytest.raises(UserError, match="'fp16' needs a GPU"):
        _run(toy_config, tmp_path, "fp16", "Experiment.precision = 'fp16'")
    with pytest.raises(UserError, match="is not one of fp32, bf16, fp16"):
        _run(toy_config, tmp_path, "fp8", "Experiment.precision = 'fp8'")


def test_auto_resume_starts_a_missing_run_and_resumes_an_existing_one(toy_config, tmp_path):
    request = RunRequest(configs=[toy_config], run_dir=tmp_path / "auto", auto_resume=True,
                         bindings=["Experiment.steps = 4"], show_progress=False)
    _, first = execute(request)
    assert first["status"] == "complete" and first["steps_done"] == 4
    _, again = execute(request)  # same command again: resumes (here: already complete)
    assert again["run_id"] == first["run_id"] and again["created"] == first["created"]
    with pytest.raises(UserError, match="--auto-resume needs --run-dir"):
        execute(RunRequest(configs=[toy_config], auto_resume=True))


def test_a_generator_with_the_wrong_output_size_is_one_clear_error():
    from gan3d_bench.experiment import _check_generator_output
    from gan3d_bench.interfaces import Generator

    class Small(Generator):
        z_dim = 4

        def forward(self, z, pose=None, labels=None):
            return torch.zeros(z.shape[0], 3, 16, 16)

    with pytest.raises(UserError, match=r"generator 'small' returned \(2, 3, 16, 16\) for 2 "
                                        r"samples, but this experiment needs image of shape "
                                        r"\(2, 3, 32, 32\)"):
        _check_generator_output(Small(), "small", "image", 32)
    _check_generator_output(Small(), "small", "image", 16)  # the right size passes
