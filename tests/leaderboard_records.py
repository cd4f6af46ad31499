"""Hand-made run records for leaderboard tests, built with ``records.new_record``."""

from __future__ import annotations

from pathlib import Path

from gan3d_bench import records


def kid(mean: float, std: float = 0.0005, extractor: str = "synth", num_real: int = 2000,
        num_fake: int = 2000, subsets: int = 100, subset_size: int = 1000) -> dict:
    """A KID result as a record stores it."""
    return {"mean": mean, "std": std, "extra": {},
            "protocol": {"extractor": extractor, "num_real": num_real, "num_fake": num_fake,
                         "subsets": subsets, "subset_size": subset_size}}


def plain(mean: float, extractor: str = "synth", num_real: int = 2000,
          num_fake: int = 2000, **protocol) -> dict:
    """A result without a spread of its own (FID, pose error, identity)."""
    return {"mean": mean, "std": None, "extra": {},
            "protocol": {"extractor": extractor, "num_real": num_real, "num_fake": num_fake,
                         **protocol}}


def make_record(experiment: str = "dcgan_cars", *, seed: int = 0, dataset: str = "synth_cars",
                resolution: int = 64, budget: str = "quick", steps: int = 300,
                metrics: dict | None = None, history: list | None = None,
                status: str = "complete", wall_time_s: float = 100.0,
                device: str = "cpu (2 threads)", generator: str = "dcgan_generator",
                width: float = 0.25, dataset_options: dict | None = None) -> dict:
    """A valid record of a (pretend) finished run.

    Args:
        experiment: the experiment's name.
        seed: the run's seed.
        dataset: the dataset's name.
        resolution: image side.
        budget: budget name.
        steps: training steps.
        metrics: final results by name (see ``kid`` and ``plain``).
        history: history entries (default: one entry at the last step with ``metrics``).
        status: the run's status.
        wall_time_s: seconds.
        device: device description.
        generator: the generator's registered name.
        width: the width setting.
        dataset_options: more keys of the dataset's ``describe()``.

    Returns:
        The record (valid for ``records.validate``).
    """
    metrics = metrics or {}
    settings = {"resolution": resolution, "width": width, "batch_size": 32, "steps": steps,
                "seed": seed, "eval_every": 0, "sample_every": 100, "checkpoint_every": 100,
                "log_every": 10, "num_samples_grid": 64, "prefetch": True}
    component = {"kind": "generators", "distribution": "gan3d-bench", "version": "0.1.0"}
    record = records.new_record(
        run_id=f"{budget}-seed{seed}", experiment=experiment,
        components={"generator": {"name": generator, **component},
                    "dataset": {"name": dataset, **component, "kind": "datasets"}},
        dataset={"name": dataset, "resolution": resolution, **(dataset_options or {})},
        settings=settings, budget=budget, device=device, world_size=1,
        command={"configs": [f"gin/{experiment}.gin"], "bindings": [], "budget": budget})
    done = steps if status == "complete" else steps // 2
    record.update(status=status, steps_done=done, wall_time_s=wall_time_s, metrics=metrics,
                  history=history if history is not None else
                  ([{"step": done, "wall_time_s": wall_time_s, "metrics": metrics}]
                   if metrics else []))
    assert not records.validate(record), records.validate(record)
    return record


def write_run(root: Path, record: dict, folder: str | None = None) -> Path:
    """Writes a record into ``root/<experiment>/<folder>`` and returns the run folder."""
    run_dir = Path(root) / record["experiment"] / (folder or f"{record['budget']}-seed"
                                                             f"{record['seed']}")
    records.write(run_dir, record)
    return run_dir
