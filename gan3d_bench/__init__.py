"""gan3d-bench: a plug-in benchmark suite for 3D-aware GANs.

Components (generators, discriminators, losses, datasets, metrics, feature extractors) are
registered through Python entry points and configured with gin; see ``docs/plugins.md``.
"""

__version__ = "0.1.0"

# Version of the plugin interfaces (``gan3d_bench.interfaces``). A plugin package declares the
# version it was written for as ``GAN3D_BENCH_API = "MAJOR.MINOR"`` in its top-level module; it
# loads when the major versions match and its minor version is not newer than this one.
API_VERSION = "1.0"
