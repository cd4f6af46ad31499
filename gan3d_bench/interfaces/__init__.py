"""The interfaces every registered component implements.

One base class per registry kind; see ``docs/plugins.md`` for each contract.
"""

from gan3d_bench.interfaces.dataset import Batch, Dataset
from gan3d_bench.interfaces.discriminator import Discriminator, DiscriminatorOutput
from gan3d_bench.interfaces.features import FeatureExtractor, to_uint8
from gan3d_bench.interfaces.generator import Generator, output_shape
from gan3d_bench.interfaces.loss import Loss, LossInputs, LossTerms
from gan3d_bench.interfaces.metric import Metric, MetricValue

__all__ = [
    "Batch",
    "Dataset",
    "Discriminator",
    "DiscriminatorOutput",
    "FeatureExtractor",
    "Generator",
    "Loss",
    "LossInputs",
    "LossTerms",
    "Metric",
    "MetricValue",
    "output_shape",
    "to_uint8",
]
