"""Evaluation: metrics run on a generator and the real data through an ``EvalContext``."""

from gan3d_bench.evaluation.context import EvalContext, evaluate_metrics

__all__ = ["EvalContext", "evaluate_metrics"]
