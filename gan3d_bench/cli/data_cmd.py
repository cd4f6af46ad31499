"""``gan3d-bench data preview DATASET ...``: look at a dataset's pictures and ground truth."""

from __future__ import annotations

from pathlib import Path

from gan3d_bench import config
from gan3d_bench.cli.common import registry_with_warnings
from gan3d_bench.errors import UserError


def add_parser(subparsers) -> None:
    """Adds the ``data`` subcommand and its ``preview`` action."""
    parser = subparsers.add_parser(
        "data", help="look at datasets",
        description="Tools for datasets. `data preview` writes sample pictures, their "
                    "ground-truth labels and a contact sheet.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    preview = actions.add_parser(
        "preview", help="write N samples as PNG, a CSV of their labels, and a contact sheet",
        description="Write N samples of a registered dataset as PNG files, labels.csv (one "
                    "row per image: file name, and azimuth, elevation, shape parameters, "
                    "colour and class where the dataset has them) and contact_sheet.png. "
                    "Dataset options are gin bindings on its registered name, e.g. "
                    "--gin 'synth_chairs.elevation_range = (0, 60)'. The same seed writes "
                    "the same files.")
    preview.add_argument("dataset", help="a registered dataset (`gan3d-bench list datasets`)")
    preview.add_argument("--gin", action="append", default=[], metavar="BINDING",
                         help="a gin binding, e.g. --gin \"image_folder.root = '/data/cars'\"")
    preview.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    preview.add_argument("--out", type=Path, required=True, metavar="DIR",
                         help="folder to write into")
    preview.add_argument("--seed", type=int, default=0, help="the stream's seed (default 0)")
    preview.add_argument("--resolution", type=int, default=None,
                         help="image (or voxel grid) side; default: the dataset's")
    preview.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    preview.set_defaults(handler=run)


def run(args) -> int:
    """Builds the dataset from its gin bindings and writes the preview."""
    from gan3d_bench.data.preview import write_preview
    from gan3d_bench.experiment import call_with_accepted

    registry = registry_with_warnings()
    component = registry.get("datasets", args.dataset)
    config.parse([], args.gin)
    offered = {} if args.resolution is None else {"resolution": args.resolution}
    try:
        dataset = call_with_accepted(component.configurable, offered, signature_of=component.cls)
    except TypeError as error:
        raise UserError(f"dataset '{args.dataset}': {error}") from None
    result = write_preview(dataset, args.n, args.out, seed=args.seed,
                           show_progress=not args.no_progress)
    print(f"wrote {len(result['images'])} images, {result['labels'].name} "
          f"({', '.join(result['columns'])}) and {result['sheet'].name} to {args.out}")
    return 0
