"""Checkpoints: written atomically, loaded safely (``weights_only=True``)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path

import torch

from gan3d_bench import atomic
from gan3d_bench.errors import UserError

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_FORMAT = 2
REQUIRED_KEYS = ("format", "step", "data_index", "generator", "discriminator", "g_optimizer",
                 "d_optimizer", "rng", "wall_time", "config_digest")


def save(run_dir: Path, state: dict) -> Path:
    """Writes a checkpoint atomically: a crash mid-write keeps the previous one.

    Args:
        run_dir: the run folder.
        state: the checkpoint dict (tensors, numbers, strings, lists, dicts, tuples only).

    Returns:
        The checkpoint's path.
    """
    path = Path(run_dir) / CHECKPOINT_FILE
    atomic.write_with(path, lambda handle: torch.save(state, handle))
    return path


def load(run_dir: Path, map_location: str | torch.device = "cpu") -> dict | None:
    """Reads a run's checkpoint, refusing anything but plain tensors and containers.

    Args:
        run_dir: the run folder.
        map_location: where to put the tensors.

    Returns:
        The checkpoint dict, or None when the run has none yet.

    Raises:
        UserError: the file is corrupt, truncated, of another format, or holds objects that
            ``weights_only`` loading refuses.
    """
    path = Path(run_dir) / CHECKPOINT_FILE
    if not path.exists():
        return None
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, zipfile.BadZipFile, EOFError, ValueError,
            OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"checkpoint {path} is corrupt or unreadable ({first[:160]}); delete it "
                        f"to restart the run from its beginning") from None
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise UserError(f"checkpoint {path} is not a gan3d-bench checkpoint of format "
                        f"{CHECKPOINT_FORMAT}; delete it to restart the run")
    missing = [key for key in REQUIRED_KEYS if key not in state]
    if missing:
        raise UserError(f"checkpoint {path} lacks {', '.join(missing)}; delete it to restart "
                        f"the run")
    return state
