"""The training loop: it owns time, data, checkpoints, evaluation, pictures and the record.

The model's update schedule lives in the training step (``GANStep``); the loop calls it once
per step and does everything else. Everything the next step depends on (weights, optimiser
moments, every RNG, the data position, the metric history) is in the checkpoint, so a run
killed at any moment and resumed from its last checkpoint continues exactly as an
uninterrupted run would.
"""

from __future__ import annotations

import json
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
from tqdm.auto import tqdm

from gan3d_bench import atomic, records
from gan3d_bench.distributed import SINGLE, DistInfo, gather_objects, wrap_models
from gan3d_bench.errors import TrainingDiverged, UserError
from gan3d_bench.evaluation import EvalContext, evaluate_metrics
from gan3d_bench.evaluation.curve import CURVE_FILE, save_kid_curve
from gan3d_bench.experiment import Built
from gan3d_bench.images import save_grid
from gan3d_bench.interfaces import Batch, MetricValue
from gan3d_bench.training import checkpoint, rng
from gan3d_bench.visualize import fixed_inputs, generate, save_rotation_sweeps

TRAIN_LOG = "train_log.jsonl"
SAMPLES_DIR = "samples"
GRID_SEED_OFFSET = 1_000_003
EVAL_SEED_OFFSET = 2_000_003
RANK_SEED_STRIDE = 1_000_000


def describe_device(device: torch.device) -> str:
    """A short description of a device for records (``cpu (2 threads)``, the GPU's name).

    Args:
        device: the device.

    Returns:
        The description.
    """
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


class BatchStream:
    """Real batches by index, optionally prepared one ahead in a background thread.

    Batch ``i`` of this process is the dataset's batch ``i * world_size + rank``, so ranks
    see disjoint data and a resumed run continues from the same index.

    Args:
        built: the experiment (dataset, batch size, seed, device).
        start_index: how many batches this process has already consumed.
        dist: the process's rank and the world size.
        prefetch: prepare the next batch in a thread.
    """

    def __init__(self, built: Built, start_index: int, dist: DistInfo, prefetch: bool):
        self.dataset = built.dataset
        self.batch_size = built.settings["batch_size"]
        self.seed = built.settings["seed"]
        self.device = built.device
        self.dist = dist
        self.index = start_index
        self._pool = ThreadPoolExecutor(max_workers=1) if prefetch else None
        self._pending = None

    def _load(self, index: int) -> Batch:
        global_index = index * self.dist.world_size + self.dist.rank
        return self.dataset.batch(global_index, self.batch_size, self.seed)

    def __call__(self) -> Batch:
        """The next batch, on the training device."""
        if self._pending is not None and self._pending[0] == self.index:
            batch = self._pending[1].result()
        else:
            batch = self._load(self.index)
        self.index += 1
        if self._pool is not None:
            self._pending = (self.index, self._pool.submit(self._load, self.index))
        return {key: value.to(self.device, non_blocking=True) for key, value in batch.items()}

    def close(self) -> None:
        """Stops the background thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _finite_or_raise(logs: dict[str, float], step: int, last_checkpoint: int) -> None:
    for name, value in logs.items():
        if not math.isfinite(value):
            kept = (f"the last good checkpoint (step {last_checkpoint}) is kept"
                    if last_checkpoint else "no checkpoint had been written yet")
            raise TrainingDiverged(
                f"loss '{name}' became {value} at step {step}; the run stopped and {kept}. "
                f"Lower the learning rate or check the data, then resume with --resume")


def _truncate_log(path: Path, step: int) -> None:
    """Drops log lines written after ``step`` (they are redone after a resume)."""
    if not path.exists():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                kept.append(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    atomic.write_text(path, "".join(line + "\n" for line in kept))


class Trainer:
    """Runs an experiment in a run folder.

    Args:
        built: the constructed experiment.
        run_dir: the run folder (exists, holds ``config.gin`` and ``record.json``).
        record: the run's record (updated as training goes).
        config_digest: a digest of the operative config, stored in checkpoints.
        dist: rank and world size; only rank 0 writes files, and the networks are wrapped
            in DistributedDataParallel when there are several processes.
        show_progress: show a progress bar.
    """

    def __init__(self, built: Built, run_dir: Path, record: dict, config_digest: str,
                 dist: DistInfo = SINGLE, show_progress: bool = True):
        self.built = built
        self.run_dir = Path(run_dir)
        self.record = record
        self.config_digest = config_digest
        self.dist = dist
        self.show_progress = show_progress and dist.is_main
        self.settings = built.settings
        self.models = built.models
        wrap_models(self.models, dist)
        self.step = 0
        self.data_index = 0
        self.wall_before = 0.0
        self.started = time.perf_counter()
        self.last_checkpoint = 0
        self.history: list[dict] = []
        self.latest_logs: dict[str, float] = {}

    # -- state ----------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything needed to continue exactly from here, for ``checkpoint.save``."""
        models = self.models
        scalers = {name: scaler.state_dict() for name, scaler in
                   (("g", models.g_scaler), ("d", models.d_scaler)) if scaler is not None}
        return {
            "format": checkpoint.CHECKPOINT_FORMAT,
            "step": self.step,
            "data_index": self.data_index,
            "generator": models.generator.state_dict(),
            "discriminator": models.discriminator.state_dict(),
            "g_optimizer": models.g_optimizer.state_dict(),
            "d_optimizer": models.d_optimizer.state_dict(),
            "rng": gather_objects(rng.capture(), self.dist),  # one state per rank
            "scalers": scalers,
            "world_size": self.dist.world_size,
            "history": self.history,
            "wall_time": self.wall_time(),
            "config_digest": self.config_digest,
        }

    def load_state(self, state: dict) -> None:
        """Restores a checkpoint taken by ``state()``.

        Args:
            state: a loaded checkpoint.
        """
        models = self.models
        saved_world = int(state.get("world_size", 1))
        if saved_world != self.dist.world_size:
            raise UserError(f"the checkpoint was written by {saved_world} process(es), but "
                            f"{self.dist.world_size} are resuming it; resume with the same "
                            f"number of processes (torchrun --nproc_per_node)")
        models.generator.load_state_dict(state["generator"])
        models.discriminator.load_state_dict(state["discriminator"])
        models.g_optimizer.load_state_dict(state["g_optimizer"])
        models.d_optimizer.load_state_dict(state["d_optimizer"])
        for name, scaler in (("g", models.g_scaler), ("d", models.d_scaler)):
            if scaler is not None and name in state.get("scalers", {}):
                scaler.load_state_dict(state["scalers"][name])
        rng.restore(state["rng"][self.dist.rank])
        self.step = int(state["step"])
        self.data_index = int(state["data_index"])
        self.history = list(state.get("history", []))
        self.wall_before = float(state["wall_time"])
        self.last_checkpoint = self.step

    def wall_time(self) -> float:
        """Seconds of training so far, across resumptions."""
        return self.wall_before + (time.perf_counter() - self.started)

    # -- outputs --------------------------------------------------------------------------
    def _write_record(self, status: str = "running") -> None:
        if not self.dist.is_main:
            return
        self.record.update(status=status, steps_done=self.step,
                           wall_time_s=round(self.wall_time(), 3), history=self.history)
        if self.history:
            self.record["metrics"] = self.history[-1]["metrics"]
        records.write(self.run_dir, self.record)

    def _checkpoint(self) -> None:
        state = self.state()  # every rank: the RNG capture must not diverge between ranks
        if self.dist.is_main:
            checkpoint.save(self.run_dir, state)
        self.last_checkpoint = self.step
        self._write_record()

    def _save_samples(self) -> None:
        if not self.dist.is_main:
            return
        saved = rng.capture()
        try:
            generator = self.models.generator
            inputs = fixed_inputs(generator, self.settings.get("num_samples_grid", 64),
                                  self.settings["seed"] + GRID_SEED_OFFSET)
            images = generate(generator, inputs)
            save_grid(images, self.run_dir / SAMPLES_DIR / f"step_{self.step:07d}.png")
        finally:
            rng.restore(saved)

    def _evaluate(self, final: bool = False) -> dict[str, MetricValue]:
        if not self.built.metrics:
            return {}
        saved = rng.capture()
        try:
            context = EvalContext(generator=self.models.generator, dataset=self.built.dataset,
                                  device=self.built.device, step=self.step,
                                  seed=self.settings["seed"] + EVAL_SEED_OFFSET,
                                  rank=self.dist.rank, world_size=self.dist.world_size,
                                  final=final, show_progress=self.show_progress)
            results = evaluate_metrics(self.built.metrics, context)
        finally:
            rng.restore(saved)
        entry = {"step": self.step, "wall_time_s": round(self.wall_time(), 3),
                 "metrics": {name: value.to_json() for name, value in results.items()}}
        self.history = [h for h in self.history if h["step"] != self.step] + [entry]
        if self.dist.is_main:
            save_kid_curve(self.history, self.run_dir / CURVE_FILE, title=self.built.name)
        return results

    def _log(self, logs: dict[str, float]) -> None:
        if not self.dist.is_main:
            return
        line = {"step": self.step, "wall_time_s": round(self.wall_time(), 3), **logs}
        atomic.append_line(self.run_dir / TRAIN_LOG, json.dumps(line))

    # -- the loop -------------------------------------------------------------------------
    def run(self, resume_state: dict | None = None) -> dict:
        """Trains to ``steps``, evaluating, sampling and checkpointing on the way.

        Args:
            resume_state: a checkpoint to continue from, or None to start afresh.

        Returns:
            The final record.

        Raises:
            TrainingDiverged: a loss became NaN or infinite.
        """
        settings = self.settings
        if resume_state is not None:
            self.load_state(resume_state)
        else:  # each rank draws its own z and data noise; weights are the same (DDP syncs)
            rng.seed_everything(int(settings["seed"]) + RANK_SEED_STRIDE * self.dist.rank)
        if self.dist.is_main:
            _truncate_log(self.run_dir / TRAIN_LOG, self.step)
        self.started = time.perf_counter()
        total = int(settings["steps"])
        stream = BatchStream(self.built, self.data_index, self.dist,
                             prefetch=settings.get("prefetch", True))
        interactive = sys.stderr.isatty()
        bar = tqdm(total=total, initial=self.step, desc=self.built.name, unit="step",
                   disable=not self.show_progress, dynamic_ncols=True,
                   mininterval=0.5 if interactive else 30.0, file=sys.stderr)
        self._write_record()
        try:
            while self.step < total:
                logs = self.built.step(self.models, stream)
                self.step += 1
                self.data_index = stream.index
                _finite_or_raise(logs, self.step, self.last_checkpoint)
                self.latest_logs = logs
                if self.step % settings["log_every"] == 0 or self.step == total:
                    self._log(logs)
                if self.step % settings["sample_every"] == 0 and self.step != total:
                    self._save_samples()
                if settings["eval_every"] and self.step % settings["eval_every"] == 0 \
                        and self.step != total:
                    self._report(bar, self._evaluate())
                if self.step % settings["checkpoint_every"] == 0 and self.step != total:
                    self._checkpoint()
                bar.set_postfix({key: f"{logs[key]:.3f}" for key in ("d_loss", "g_loss")
                                 if key in logs}, refresh=False)
                bar.update(1)
        except TrainingDiverged as error:
            self._write_failure(str(error))
            raise
        finally:
            stream.close()
            bar.close()
        return self.finish()

    def _report(self, bar, results: dict[str, MetricValue]) -> None:
        if results and self.show_progress:
            shown = ", ".join(f"{name} {value.mean:.4g}" for name, value in results.items())
            bar.write(f"step {self.step}: {shown}")

    def _write_failure(self, message: str) -> None:
        if not self.dist.is_main:
            return
        # the record keeps the last checkpoint's progress; the weights after it are unusable
        self.record["failure"] = message
        self.record.update(status="failed", steps_done=self.last_checkpoint)
        records.write(self.run_dir, self.record)

    def finish(self) -> dict:
        """Final evaluation, pictures, checkpoint and record (also for an already-done run).

        Returns:
            The completed record.
        """
        if not self.history or self.history[-1]["step"] != self.step:
            self._evaluate(final=True)
        self._save_samples()
        if self.dist.is_main:
            saved = rng.capture()
            try:
                save_rotation_sweeps(self.models.generator, self.run_dir,
                                     self.settings["seed"] + GRID_SEED_OFFSET)
            finally:
                rng.restore(saved)
        state = self.state()
        if self.dist.is_main:
            checkpoint.save(self.run_dir, state)
        self.last_checkpoint = self.step
        self.record.pop("failure", None)
        self._write_record(status="complete")
        return self.record
