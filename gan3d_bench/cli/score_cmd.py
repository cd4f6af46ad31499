"""``gan3d-bench score``: KID (and FID) between two image folders or two feature files."""

from __future__ import annotations

import json

from gan3d_bench.errors import UserError


def add_parser(subparsers) -> None:
    """Adds the ``score`` subcommand."""
    parser = subparsers.add_parser(
        "score", help="KID and FID between two image folders or feature files",
        description="Compute KID (mean and std over subsets, torch-fidelity's estimator and "
                    "subsets) and FID between two sets: folders of images (read in sorted "
                    "path order, features from --features) or N x d .npy feature files.")
    parser.add_argument("--real", required=True, metavar="DIR|FEATURES.npy",
                        help="the reference images or features")
    parser.add_argument("--fake", required=True, metavar="DIR|FEATURES.npy",
                        help="the generated images or features")
    parser.add_argument("--features", default="synth", metavar="NAME",
                        help="feature extractor for image folders: synth (default) or "
                             "inception (needs the FID Inception weights file)")
    parser.add_argument("--inception-weights", metavar="FILE",
                        help="the FID Inception weights (default: "
                             "$GAN3D_BENCH_INCEPTION_WEIGHTS, then torch-fidelity's file in "
                             "the torch hub cache)")
    parser.add_argument("--subsets", type=int, default=100, help="KID subsets (100)")
    parser.add_argument("--subset-size", type=int, default=1000,
                        help="samples per KID subset (1000)")
    parser.add_argument("--clamp-subset-size", action="store_true",
                        help="shrink the subset size to the smaller count instead of failing")
    parser.add_argument("--seed", type=int, default=2020,
                        help="seed of the KID subsets (torch-fidelity's 2020)")
    parser.add_argument("--no-fid", action="store_true", help="skip FID")
    parser.add_argument("--batch-size", type=int, default=50,
                        help="images per feature-extraction batch")
    parser.add_argument("--device", default="auto", help="auto (default), cpu or cuda[:N]")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (kid_mean, kid_std, fid, ...)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Computes and prints the scores."""
    from gan3d_bench.evaluation.extractors import build_extractor
    from gan3d_bench.evaluation.feature_sets import extract
    from gan3d_bench.evaluation.fid import fid_from_features
    from gan3d_bench.evaluation.kid import kid_from_features
    from gan3d_bench.evaluation.score_inputs import image_batches, load_side
    from gan3d_bench.experiment import resolve_device

    if args.batch_size < 1:
        raise UserError("--batch-size must be at least 1")
    device = resolve_device(args.device)
    extractor = None

    def extract_files(files) -> object:
        nonlocal extractor
        if extractor is None:
            options = {"weights_path": args.inception_weights} if args.inception_weights \
                else {}
            extractor = build_extractor(args.features, device, **options)
        return extract(extractor, image_batches(files, args.batch_size), len(files), device,
                       f"features ({args.features})")

    real, real_kind = load_side(args.real, extract_files, "--real")
    fake, fake_kind = load_side(args.fake, extract_files, "--fake")
    kid = kid_from_features(real, fake, subsets=args.subsets, subset_size=args.subset_size,
                            seed=args.seed, clamp_subset_size=args.clamp_subset_size,
                            device=device)
    fid = None if args.no_fid else fid_from_features(real, fake).value
    features = args.features if "images" in (real_kind, fake_kind) else "given"
    summary = {"kid_mean": kid.mean, "kid_std": kid.std, "fid": fid, "features": features,
               "num_real": int(real.shape[0]), "num_fake": int(fake.shape[0]),
               "dim": int(real.shape[1]), "subsets": kid.subsets,
               "subset_size": kid.subset_size, "subset_seed": args.seed}
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"KID ({features}): {kid.mean:.6g} ± {kid.std:.3g}   "
          f"[x100: {100 * kid.mean:.4f} ± {100 * kid.std:.4f}; {kid.subsets} subsets of "
          f"{kid.subset_size}; real {summary['num_real']}, fake {summary['num_fake']}]")
    if fid is not None:
        print(f"FID ({features}): {fid:.6g}")
    return 0
