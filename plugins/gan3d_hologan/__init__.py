"""HoloGAN (Nguyen-Phuoc et al., ICCV 2019) as a built-in gan3d-bench plugin.

Registered through the ``gan3d_bench.*`` entry points in ``pyproject.toml``, one entry per
component, so a gin file can mix them with other plugins' components:

* ``hologan_generator``: learned 4x4x4 constant, 3D transposed convolutions with AdaIN, the
  rigid-body transform of the 16^3 feature volume, the projection unit and 2D upsampling.
* ``hologan_discriminator``: spectral norm + instance norm, the latent (identity) head and the
  optional multi-scale style discriminator.
* ``hologan_loss``: non-saturating GAN loss + identity loss + style-discriminator loss.

Conventions (our pose vs the paper's view angles) live in ``gan3d_hologan.pose``; the
resampling of the feature volume in ``gan3d_hologan.rotation``.
"""

GAN3D_BENCH_API = "1.0"
