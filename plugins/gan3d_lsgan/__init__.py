"""LSGAN (Mao et al., 2017) as a built-in gan3d-bench plugin: the ``lsgan`` loss.

LSGAN changes only the objective; its configs pair the loss with the DCGAN networks
(``dcgan_generator``, ``dcgan_discriminator``, whose output is already a linear logit).
"""

GAN3D_BENCH_API = "1.0"
