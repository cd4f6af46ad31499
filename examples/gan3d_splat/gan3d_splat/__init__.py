"""gan3d-splat: an example third-party plugin for gan3d-bench.

It adds one pose-aware generator, ``splat_generator``, registered through the
``gan3d_bench.generators`` entry point in this package's ``pyproject.toml``.
"""

# The version of gan3d-bench's plugin interfaces this package was written for.
GAN3D_BENCH_API = "1.0"
