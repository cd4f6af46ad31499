"""DCGAN (Radford et al., 2015) as a built-in gan3d-bench plugin.

Registered through the ``gan3d_bench.*`` entry points in ``pyproject.toml``, exactly as a
third-party plugin would be: ``dcgan_generator``, ``dcgan_discriminator`` and the
``nonsaturating`` loss.
"""

GAN3D_BENCH_API = "1.0"
