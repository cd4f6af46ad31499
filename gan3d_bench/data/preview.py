"""Previews of a dataset: N pictures as PNG, their ground truth as CSV, one contact sheet.

For a given dataset, options and seed, the files written are identical from run to run.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import torch
from tqdm.auto import tqdm

from gan3d_bench import atomic
from gan3d_bench.data import synth
from gan3d_bench.data.synth.voxels import shaded_view
from gan3d_bench.errors import UserError
from gan3d_bench.images import make_grid, save_png
from gan3d_bench.interfaces import Dataset, to_uint8

LABELS_FILE = "labels.csv"
SHEET_FILE = "contact_sheet.png"
CHUNK = 64


def _shape_columns(dataset: Dataset, width: int) -> list[str]:
    kind = getattr(dataset, "kind", None)
    if kind in synth.KINDS and len(synth.shape_names(kind)) == width:
        return list(synth.shape_names(kind))
    return [f"shape_{k}" for k in range(width)]


def _rows(dataset: Dataset, batch: dict, names: list[str], sources: list[str] | None):
    n = len(names)
    columns: dict[str, list] = {"file": names}
    if sources is not None:
        columns["source"] = sources
    if "label" in batch:
        columns["label"] = batch["label"].tolist()
        kinds = getattr(dataset, "KINDS", None)
        if kinds:
            columns["kind"] = [kinds[v] for v in batch["label"].tolist()]
    if "pose" in batch:
        columns["azimuth"] = batch["pose"][:, 0].tolist()
        columns["elevation"] = batch["pose"][:, 1].tolist()
    if "shape" in batch:
        for k, name in enumerate(_shape_columns(dataset, batch["shape"].shape[1])):
            columns[name] = batch["shape"][:, k].tolist()
    if "colour" in batch:
        for k, channel in enumerate("rgb"):
            columns[f"colour_{channel}"] = batch["colour"][:, k].tolist()
    return [{key: values[i] for key, values in columns.items()} for i in range(n)]


def _format(value) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def pictures(dataset: Dataset, batch: dict) -> torch.Tensor:
    """A batch's samples as images in [-1, 1] (voxel grids are rendered, shaded by depth).

    Args:
        dataset: the dataset (its modality).
        batch: one of its batches.

    Returns:
        ``[B, 3, H, W]`` float images.
    """
    if dataset.modality == "voxels":
        return shaded_view(batch["voxels"], resolution=max(64, dataset.resolution))
    return batch["image"]


def write_preview(dataset: Dataset, n: int, out: Path | str, seed: int = 0,
                  show_progress: bool = True) -> dict:
    """Writes ``n`` samples as PNG files, ``labels.csv`` and ``contact_sheet.png``.

    Args:
        dataset: any registered dataset.
        n: number of samples (batch indices 0, 1... of ``CHUNK`` samples for ``seed``).
        out: the folder (created if needed).
        seed: the stream's seed.
        show_progress: show a progress bar.

    Returns:
        ``{"images": [paths], "labels": path, "sheet": path, "columns": [names]}``.

    Raises:
        UserError: a bad ``n`` or an unwritable folder.
    """
    if n < 1:
        raise UserError(f"--n must be at least 1, not {n}")
    out = Path(out)
    atomic.check_writable(out)
    digits = max(5, len(str(n - 1)))
    written, rows, thumbnails = [], [], []
    chunks = range((n + CHUNK - 1) // CHUNK)
    for index in tqdm(chunks, desc="preview", unit="batch", disable=not show_progress,
                      leave=False):
        take = min(CHUNK, n - index * CHUNK)
        batch = dataset.batch(index, CHUNK, seed)
        batch = {key: value[:take] for key, value in batch.items()}
        images = to_uint8(pictures(dataset, batch))
        names = [f"{index * CHUNK + k:0{digits}d}.png" for k in range(take)]
        sources = None
        if hasattr(dataset, "sources"):
            sources = [str(path) for path in dataset.sources(index, CHUNK, seed)[:take]]
        for name, image in zip(names, images, strict=True):
            written.append(save_png(image.permute(1, 2, 0).contiguous(), out / name))
        rows.extend(_rows(dataset, batch, names, sources))
        thumbnails.append(images)
    columns = list(rows[0])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_format(row[column]) for column in columns])
    atomic.write_text(out / LABELS_FILE, text.getvalue())
    sheet = save_png(make_grid(torch.cat(thumbnails)), out / SHEET_FILE)
    return {"images": written, "labels": out / LABELS_FILE, "sheet": sheet,
            "columns": columns}
