"""Distributed evaluation: each rank extracts its share, the features are gathered in order,
KID is computed once, and the numbers equal those of a single process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from helpers import REPO

SCRIPT = REPO / "tests" / "scripts" / "eval_once.py"


def _run(args, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_two_ranks_score_exactly_what_one_process_scores(tmp_path):
    single, ddp = tmp_path / "single", tmp_path / "ddp"
    _run([str(SCRIPT), str(single)], tmp_path)
    _run(["-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29531",
          str(SCRIPT), str(ddp)], tmp_path)

    one = json.loads((single / "results.json").read_text())
    two = json.loads((ddp / "results.json").read_text())
    assert set(one) == {"kid_synth", "fid_synth"}
    assert two == one  # KID and FID: same mean, std and protocol, to the last digit
    for kind, count in (("fake", 70), ("real", 250)):
        reference = np.load(single / f"{kind}_0.npy")
        assert reference.shape[0] == count
        for rank in (0, 1):  # every rank ends with all the features, in order
            np.testing.assert_array_equal(np.load(ddp / f"{kind}_{rank}.npy"), reference)
    # the cache written by the 2-rank run holds the same reference features
    assert list((ddp / "cache").glob("*.npy"))
