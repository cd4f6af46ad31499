"""A fake third-party plugin package used by the tests (installed by placing it on a path)."""

GAN3D_BENCH_API = "1.0"
