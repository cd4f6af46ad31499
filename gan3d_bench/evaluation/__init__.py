"""Evaluation: metrics run on a generator and the real data through an ``EvalContext``."""

from gan3d_bench import API_VERSION
from gan3d_bench.evaluation.context import EvalContext, evaluate_metrics

# The metrics and extractors here register through entry points like any plugin's.
GAN3D_BENCH_API = API_VERSION

__all__ = ["EvalContext", "evaluate_metrics"]
