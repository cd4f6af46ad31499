"""3D-GAN (Wu et al., 2016) as a built-in gan3d-bench plugin, in two modes.

* Voxel mode: ``voxel3dgan_generator`` (z of 200 -> 64^3 occupancy) against
  ``voxel3dgan_discriminator`` on voxel datasets, as in the paper.
* Image mode: ``voxel3dgan_image_generator`` renders its voxels (occupancy and colour) at a
  camera pose with a differentiable projection, so it trains on 2D images like HoloGAN,
  against any image discriminator.

Both use the paper's update rule (``GANStep.d_accuracy_gate = 0.8``), set in the configs.
"""

GAN3D_BENCH_API = "1.0"
