"""AC-GAN (Odena et al., 2017) as a built-in gan3d-bench plugin.

Registers ``acgan_generator`` (DCGAN generator fed z concatenated with a one-hot class),
``acgan_discriminator`` (DCGAN discriminator with a source head and a class head) and the
``acgan`` loss (auxiliary class cross-entropy on real and fake images).
"""

GAN3D_BENCH_API = "1.0"
