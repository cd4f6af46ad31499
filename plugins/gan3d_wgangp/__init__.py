"""WGAN-GP (Gulrajani et al., 2017) as a built-in gan3d-bench plugin.

Registers the ``wgan_gp`` loss (Wasserstein critic loss with a gradient penalty) and the
``wgan_gp_critic`` discriminator (the DCGAN discriminator with layer norm instead of batch
norm). The schedule (5 critic steps per generator step, Adam 1e-4 with betas (0, 0.9)) is set
in the configs, ``gin/wgan_gp_*.gin``.
"""

GAN3D_BENCH_API = "1.0"
