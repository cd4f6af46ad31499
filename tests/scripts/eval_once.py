"""Scores one fixed generator with KID and FID, in one process or under torchrun.

    python tests/scripts/eval_once.py OUT_DIR
    python -m torch.distributed.run --nproc_per_node 2 tests/scripts/eval_once.py OUT_DIR

Rank 0 writes ``results.json`` (the metric values) and ``fake.npy`` / ``real.npy`` (the
features every rank ended with) into OUT_DIR; other ranks write ``fake_<rank>.npy``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

from gan3d_bench import distributed
from gan3d_bench.data.synthetic import SynthCars
from gan3d_bench.evaluation import EvalContext, evaluate_metrics
from gan3d_bench.evaluation.fid_metric import FID
from gan3d_bench.evaluation.kid_metric import KID
from gan3d_dcgan.generator import DCGANGenerator


def main(out: Path) -> None:
    """Evaluates and writes the results (see the module docstring)."""
    info = distributed.init_from_env("cpu")
    torch.manual_seed(0)
    generator = DCGANGenerator(resolution=32, width=0.25)
    # 70 fake samples in batches of 16: 5 batches, the last one short, shared unevenly
    context = EvalContext(generator=generator, dataset=SynthCars(resolution=32), batch_size=16,
                          rank=info.rank, world_size=info.world_size, show_progress=False,
                          cache_dir=out / "cache")
    metrics = [KID(num_real=250, num_fake=70, subsets=20, subset_size=50),
               FID(num_real=250, num_fake=70)]
    results = evaluate_metrics(metrics, context)
    fake = next(v for k, v in context.memo.items() if k[0] == "fake_features")
    real = next(v for k, v in context.memo.items() if k[0] == "real_features")
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / f"fake_{info.rank}.npy", fake)
    np.save(out / f"real_{info.rank}.npy", real)
    if info.is_main:
        (out / "results.json").write_text(json.dumps(
            {name: value.to_json() for name, value in results.items()}, sort_keys=True))
    distributed.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
