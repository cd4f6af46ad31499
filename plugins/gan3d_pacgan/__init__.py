"""PacGAN (Lin et al., 2018) as a built-in gan3d-bench plugin: ``pacgan_discriminator``.

It wraps any registered image discriminator so that it judges packs of m samples of the
same source, concatenated on the channel axis; only the inner discriminator's input layer
changes (``in_channels = 3 m``).
"""

GAN3D_BENCH_API = "1.0"
