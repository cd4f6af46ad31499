"""Finding and loading the FID Inception weights from a local file (never downloaded).

The file is torch-fidelity's ``weights-inception-2015-12-05-6726825d.pth`` (TensorFlow's
2015-12-05 Inception graph converted to a torch state dict). Where it is looked for, first
match wins:

1. a path given explicitly (gin ``inception.weights_path``, ``score --inception-weights``);
2. the environment variable ``GAN3D_BENCH_INCEPTION_WEIGHTS``;
3. torch-fidelity's own cache: ``$TORCH_HOME/hub/checkpoints/<file name>``, where
   ``TORCH_HOME`` defaults to ``$XDG_CACHE_HOME/torch`` (``~/.cache/torch``). A machine where
   torch-fidelity or torchmetrics has computed FID once already has it there.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import torch

from gan3d_bench.errors import UserError

WEIGHTS_FILE = "weights-inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = ("https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/"
               f"{WEIGHTS_FILE}")
WEIGHTS_HASH_PREFIX = "6726825d"
WEIGHTS_ENV = "GAN3D_BENCH_INCEPTION_WEIGHTS"


def torch_home() -> Path:
    """torch's cache folder: ``$TORCH_HOME``, else ``$XDG_CACHE_HOME/torch``, else
    ``~/.cache/torch``."""
    if os.environ.get("TORCH_HOME"):
        return Path(os.environ["TORCH_HOME"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(cache).expanduser() / "torch"


def hub_weights_path() -> Path:
    """Where torch-fidelity keeps the weights in the torch hub cache."""
    return torch_home() / "hub" / "checkpoints" / WEIGHTS_FILE


def missing_weights_message(tried: list[str]) -> str:
    """The one-line explanation of what to do when the weights are not found."""
    return (f"the FID Inception weights were not found (looked in: {'; '.join(tried)}). "
            f"Download {WEIGHTS_FILE} from {WEIGHTS_URL} on a machine with internet access "
            f"and put it at {hub_weights_path()} (torch-fidelity's cache), or point "
            f"{WEIGHTS_ENV}, gin's inception.weights_path or --inception-weights at it; "
            f"gan3d-bench never downloads it")


def find_weights(path: str | os.PathLike | None = None) -> Path:
    """Resolves the weights file: explicit path, then environment variable, then hub cache.

    Args:
        path: an explicit file (must exist when given).

    Returns:
        The file.

    Raises:
        UserError: the explicit file (or the variable's file) does not exist, or no file
            was found at all; the message says where to put it.
    """
    if path:
        explicit = Path(path).expanduser()
        if not explicit.is_file():
            raise UserError(f"inception weights file {explicit} does not exist; "
                            + missing_weights_message([str(explicit)]))
        return explicit
    from_env = os.environ.get(WEIGHTS_ENV)
    if from_env:
        candidate = Path(from_env).expanduser()
        if not candidate.is_file():
            raise UserError(f"{WEIGHTS_ENV}={from_env} names no file; "
                            + missing_weights_message([str(candidate)]))
        return candidate
    candidate = hub_weights_path()
    if candidate.is_file():
        return candidate
    raise UserError(missing_weights_message([f"{WEIGHTS_ENV} (unset)", str(candidate)]))


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_state_dict(path: Path) -> tuple[dict, str]:
    """Reads a weights file, checking the reference file's hash when the name carries it.

    Args:
        path: the file.

    Returns:
        ``(state_dict, sha256)``.

    Raises:
        UserError: unreadable file, a file named like the reference one whose hash differs
            (a truncated download), or not a state dict.
    """
    sha = file_sha256(path)
    if WEIGHTS_HASH_PREFIX in path.name and not sha.startswith(WEIGHTS_HASH_PREFIX):
        raise UserError(f"{path} is named like the reference Inception weights, but its "
                        f"SHA-256 starts with {sha[:8]}, not {WEIGHTS_HASH_PREFIX}: the file "
                        f"is damaged or incomplete; download it again from {WEIGHTS_URL}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise UserError(f"cannot read inception weights {path}: {error}") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"],
                                                                         dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise UserError(f"{path} does not hold a state dict of the FID Inception network")
    return state, sha
