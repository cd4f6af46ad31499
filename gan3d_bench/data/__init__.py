"""Built-in datasets: procedurally rendered objects with ground truth, and real image folders.

* ``synth_cars``, ``synth_chairs``: images rendered on the fly by ``gan3d_bench.data.synth``
  with their pose, shape parameters and colour; ``synth_mixture``: both, with a class label;
  ``synth_cars_voxels``, ``synth_chairs_voxels``: the same objects' occupancy grids.
* ``image_folder``: the user's own photographs (CompCars, CelebA, LSUN...).

Each is registered through the ``gan3d_bench.datasets`` entry points, like any plugin.
"""

from gan3d_bench import API_VERSION

GAN3D_BENCH_API = API_VERSION
