"""The KID-versus-step picture of a run, redrawn from the record's history after each
evaluation."""

from __future__ import annotations

import io
from pathlib import Path

from gan3d_bench import atomic

CURVE_FILE = "kid_curve.png"


def kid_series(history: list[dict], prefix: str = "kid_") -> dict[str, list[tuple]]:
    """The KID values of a run's history, per result name.

    Args:
        history: the record's ``history`` (entries with ``step`` and ``metrics``).
        prefix: which results to take.

    Returns:
        ``{name: [(step, mean, std), ...]}`` sorted by step.
    """
    series: dict[str, list[tuple]] = {}
    for entry in sorted(history, key=lambda item: item["step"]):
        for name, value in entry.get("metrics", {}).items():
            if name.startswith(prefix) and value.get("mean") is not None:
                series.setdefault(name, []).append(
                    (entry["step"], float(value["mean"]), float(value.get("std") or 0.0)))
    return series


def save_kid_curve(history: list[dict], path: Path | str, title: str = "") -> Path | None:
    """Draws KID (mean, with a band of one subset std) against the training step.

    Args:
        history: the record's history.
        path: the PNG to write (atomically).
        title: a title (the experiment's name, say).

    Returns:
        The path, or None when the history holds no KID value.
    """
    series = kid_series(history)
    if not series:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.0, 4.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    for name, points in sorted(series.items()):
        steps = [p[0] for p in points]
        means = [p[1] for p in points]
        stds = [p[2] for p in points]
        axes.plot(steps, means, marker="o", markersize=3, label=name)
        axes.fill_between(steps, [m - s for m, s in zip(means, stds, strict=True)],
                          [m + s for m, s in zip(means, stds, strict=True)], alpha=0.2)
    axes.set_xlabel("training step")
    axes.set_ylabel("KID (mean ± subset std)")
    axes.set_title(title or "KID during training")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    atomic.write_bytes(path, buffer.getvalue())
    return Path(path)
