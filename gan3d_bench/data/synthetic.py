"""Datasets of procedurally rendered objects: ``synth_cars``, ``synth_chairs`` and voxels.

Every sample carries its ground truth: ``"pose"`` ``[B, 2]`` (azimuth, elevation in
degrees), ``"shape"`` ``[B, K]`` shape parameters in [0, 1] (names from
``gan3d_bench.data.synth.shape_names``) and ``"colour"`` ``[B, 3]`` in [0, 1]. A dataset is
endless (``num_samples=None``: every batch index draws fresh objects and poses) or finite
(``num_samples=N``: N fixed objects and poses drawn from ``sample_seed``, walked in an order
shuffled per epoch by the stream's seed; ``reference_batches`` yields them in item order).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from gan3d_bench.data import synth
from gan3d_bench.data.cache import cache_folder, cached_pictures, to_images
from gan3d_bench.data.seeding import epoch_positions, rng
from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Batch, Dataset

RENDERER_VERSION = 1
"""Bumped whenever the pictures change, so cached reference statistics are not reused."""


def check_range(value, name: str, lowest: float, highest: float) -> tuple[float, float]:
    """Validates a ``(low, high)`` range of degrees.

    Args:
        value: what the user gave.
        name: the binding, for the message.
        lowest: smallest allowed value.
        highest: largest allowed value.

    Returns:
        ``(low, high)`` as floats.

    Raises:
        UserError: not a pair, reversed, or out of bounds.
    """
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise UserError(f"{name} must be a pair (low, high) of degrees, not {value!r}") from None
    if not lowest <= low < high <= highest:
        raise UserError(f"{name} = ({low:g}, {high:g}) must satisfy {lowest:g} <= low < high "
                        f"<= {highest:g}")
    return low, high


def check_resolution(resolution, name: str, lowest: int = 8, highest: int = 512) -> int:
    """Validates an image or grid side.

    Raises:
        UserError: not an integer in ``[lowest, highest]``.
    """
    if not isinstance(resolution, int) or not lowest <= resolution <= highest:
        raise UserError(f"{name}.resolution must be an integer from {lowest} to {highest}, "
                        f"not {resolution!r}")
    return resolution


def check_num_samples(num_samples, name: str) -> int | None:
    """Validates ``num_samples`` (None for an endless dataset)."""
    if num_samples is None:
        return None
    if not isinstance(num_samples, int) or num_samples < 1:
        raise UserError(f"{name}.num_samples must be a positive integer, or None for an "
                        f"endless dataset, not {num_samples!r}")
    return num_samples


class DrawnDataset(Dataset):
    """Base of datasets whose samples are drawn from a seeded RNG and then made (rendered).

    A subclass sets ``name`` and ``num_samples`` and implements ``_draw`` (the ground truth
    of ``n`` samples from a ``torch.Generator``) and ``make_batch`` (pictures from it). With
    ``num_samples`` set, the samples are drawn once, from ``sample_seed``, into ``_table``.
    """

    name = "drawn"
    _table: dict[str, torch.Tensor] | None = None
    _pictures = None

    def _draw(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def make_batch(self, items: dict[str, torch.Tensor], from_cache: bool = True) -> Batch:
        """Makes the batch (pictures and ground truth) of drawn items."""
        raise NotImplementedError

    def _fix_samples(self, sample_seed: int, cache=False) -> None:
        self.sample_seed = int(sample_seed)
        self._table = None if self.num_samples is None else self._draw(
            self.num_samples, rng(self.sample_seed, 0xF1A1))
        self.cache = cache
        if cache and self.num_samples is None:
            raise UserError(f"{self.name}.cache needs a finite dataset: set "
                            f"{self.name}.num_samples too (an endless one draws new samples "
                            f"for every batch)")

    def _render_rows(self, rows: slice) -> torch.Tensor:
        return self.make_batch({key: value[rows] for key, value in self._table.items()},
                               from_cache=False)[self.modality]

    def pictures(self):
        """The memory-mapped pictures of a cached finite dataset (built on first use)."""
        if self._pictures is None:
            self._pictures = cached_pictures(cache_folder(self.cache), self.describe(),
                                             self.num_samples, self._render_rows)
        return self._pictures

    def _from_cache(self, items: dict[str, torch.Tensor]) -> torch.Tensor | None:
        if not self.cache or "item" not in items:
            return None
        return to_images(self.pictures()[items["item"].numpy()])

    def items(self, index: int, batch_size: int, seed: int) -> dict[str, torch.Tensor]:
        """The ground truth of batch ``index``, without pictures.

        Args:
            index: batch number.
            batch_size: samples per batch.
            seed: the stream's seed.

        Returns:
            Tensors of ``batch_size`` rows (``"shape"``, ``"colour"``, ``"pose"``...).
        """
        if self._table is None:
            return self._draw(batch_size, rng(seed, index))
        chosen = epoch_positions(index, batch_size, self.num_samples, seed)
        return {"item": chosen, **{key: value[chosen] for key, value in self._table.items()}}

    def batch(self, index: int, batch_size: int, seed: int) -> Batch:
        """See ``Dataset.batch``; the ground truth comes with the pictures."""
        return self.make_batch(self.items(index, batch_size, seed))

    def reference_batches(self, n: int, batch_size: int, seed: int) -> Iterator[Batch]:
        """A fixed set of ``n`` samples: a finite dataset's first ``n`` items in order
        (whatever ``seed``), an endless one's stream for ``seed``."""
        if self._table is None:
            yield from super().reference_batches(n, batch_size, seed)
            return
        if n > self.num_samples:
            raise UserError(f"{self.name} holds {self.num_samples} samples, fewer than the "
                            f"{n} reference samples asked for; raise {self.name}.num_samples")
        for start in range(0, n, batch_size):
            chosen = torch.arange(start, min(start + batch_size, n))
            yield self.make_batch({"item": chosen, **{key: value[chosen]
                                                      for key, value in self._table.items()}})


class SynthObjects(DrawnDataset):
    """Rendered objects of one family, with ground truth.

    Args:
        kind: ``"cars"`` or ``"chairs"``.
        name: the registered name (for messages and ``describe``).
        resolution: image side (32 to 128 are the tested sizes).
        num_samples: None for endless data, or the number N of fixed samples.
        elevation_range: degrees ``(low, high)``; default: the family's.
        azimuth_range: degrees ``(low, high)``, within [-360, 720].
        sample_seed: which N samples a finite dataset holds.
        antialias: supersampling factor (1 = none; 2 renders 4 rays per pixel).
        cache: for a finite dataset, render its pictures once and read them from an on-disk
            cache from then on (True: the default folder, see ``gan3d_bench.data.cache``;
            or a folder). Cached pictures are quantised to 8 bits.
    """

    modality = "image"
    has_pose = True
    kind = "cars"
    name = "synth"

    def __init__(self, resolution: int = 64, num_samples: int | None = None,
                 elevation_range: tuple[float, float] | None = None,
                 azimuth_range: tuple[float, float] = (0.0, 360.0), sample_seed: int = 0,
                 antialias: int = 1, cache: bool | str = False):
        self.resolution = check_resolution(resolution, self.name)
        self.num_samples = check_num_samples(num_samples, self.name)
        module = synth.family(self.kind)
        self.elevation_range = check_range(
            module.DEFAULT_ELEVATION if elevation_range is None else elevation_range,
            f"{self.name}.elevation_range", -89.0, 89.0)
        self.azimuth_range = check_range(azimuth_range, f"{self.name}.azimuth_range",
                                         -360.0, 720.0)
        if not isinstance(antialias, int) or not 1 <= antialias <= 4:
            raise UserError(f"{self.name}.antialias must be 1, 2, 3 or 4, not {antialias!r}")
        self.antialias = antialias
        self._fix_samples(sample_seed, cache)

    def _draw(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Draws ``n`` objects and poses."""
        shapes = synth.sample_shapes(self.kind, n, generator)
        u = torch.rand(n, 2, generator=generator)
        lows = torch.tensor([self.azimuth_range[0], self.elevation_range[0]])
        highs = torch.tensor([self.azimuth_range[1], self.elevation_range[1]])
        shapes["pose"] = lows + u * (highs - lows)
        return shapes

    def make_batch(self, items: dict[str, torch.Tensor], from_cache: bool = True) -> Batch:
        """Renders items into a batch (or reads them from the cache).

        Args:
            items: ``{"shape", "colour", "pose"}`` (and ``"item"`` numbers of a finite set).
            from_cache: read cached pictures where the dataset has a cache.

        Returns:
            ``{"image", "pose", "shape", "colour"}``.
        """
        image = self._from_cache(items) if from_cache else None
        if image is None:
            image = synth.render(self.kind, items, items["pose"], self.resolution,
                                 antialias=self.antialias)
        return {"image": image, "pose": items["pose"], "shape": items["shape"],
                "colour": items["colour"]}

    def describe(self) -> dict:
        """See ``Dataset.describe``."""
        return {"name": self.name, "resolution": self.resolution,
                "num_samples": self.num_samples,
                "elevation_range": list(self.elevation_range),
                "azimuth_range": list(self.azimuth_range),
                "sample_seed": self.sample_seed if self.num_samples else None,
                "antialias": self.antialias, "renderer_version": RENDERER_VERSION}


class SynthCars(SynthObjects):
    """``synth_cars``: rendered cars, elevation 0-35 degrees by default (HoloGAN's cars).

    See ``SynthObjects`` for the arguments.
    """

    kind = "cars"
    name = "synth_cars"


class SynthChairs(SynthObjects):
    """``synth_chairs``: rendered chairs, elevation -20 to 70 degrees by default.

    HoloGAN trains on chairs over 160 degrees of elevation; the default here is narrower
    because below -20 degrees a chair shows mostly the underside of its seat and near +90 its
    azimuth becomes ambiguous. Set ``synth_chairs.elevation_range`` for another range. See
    ``SynthObjects`` for the arguments.
    """

    kind = "chairs"
    name = "synth_chairs"


class SynthMixture(DrawnDataset):
    """``synth_mixture``: cars (label 0) and chairs (label 1), for class-conditional GANs.

    Each sample is a car or a chair with probability 1/2. Batches carry ``"label"`` ``[B]``
    long besides the ground truth of ``synth_cars``; ``"shape"`` is padded with zeros to the
    longer of the two families' parameter lists.

    Args:
        resolution: image side.
        num_samples: None for endless data, or the number of fixed samples.
        car_elevation_range: cars' elevations (default 0-35 degrees).
        chair_elevation_range: chairs' elevations (default -20 to 70 degrees).
        sample_seed: which samples a finite dataset holds.
        antialias: supersampling factor.
        cache: as ``synth_cars.cache``.
    """

    modality = "image"
    has_pose = True
    num_classes = 2
    name = "synth_mixture"
    KINDS = ("cars", "chairs")

    def __init__(self, resolution: int = 64, num_samples: int | None = None,
                 car_elevation_range: tuple[float, float] | None = None,
                 chair_elevation_range: tuple[float, float] | None = None,
                 sample_seed: int = 0, antialias: int = 1, cache: bool | str = False):
        self.resolution = check_resolution(resolution, self.name)
        self.num_samples = check_num_samples(num_samples, self.name)
        self.parts = {
            "cars": SynthCars(resolution, elevation_range=car_elevation_range,
                              antialias=antialias),
            "chairs": SynthChairs(resolution, elevation_range=chair_elevation_range,
                                  antialias=antialias),
        }
        self.width = max(len(synth.shape_names(kind)) for kind in self.KINDS)
        self.antialias = antialias
        self._fix_samples(sample_seed, cache)

    def _draw(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        label = (torch.rand(n, generator=generator) < 0.5).long()
        out = {"label": label, "shape": torch.zeros(n, self.width),
               "colour": torch.zeros(n, 3), "pose": torch.zeros(n, 2)}
        for value, kind in enumerate(self.KINDS):
            rows = (label == value).nonzero().squeeze(1)
            drawn = self.parts[kind]._draw(len(rows), generator)
            out["shape"][rows, :drawn["shape"].shape[1]] = drawn["shape"]
            out["colour"][rows] = drawn["colour"]
            out["pose"][rows] = drawn["pose"]
        return out

    def make_batch(self, items: dict[str, torch.Tensor], from_cache: bool = True) -> Batch:
        """Renders items (cars and chairs separately) into one batch, or reads the cache."""
        n = items["label"].shape[0]
        cached = self._from_cache(items) if from_cache else None
        image = torch.empty(n, 3, self.resolution, self.resolution) if cached is None else cached
        for value, kind in enumerate(self.KINDS if cached is None else ()):
            rows = (items["label"] == value).nonzero().squeeze(1)
            if len(rows):
                width = len(synth.shape_names(kind))
                part = {"shape": items["shape"][rows, :width], "colour": items["colour"][rows]}
                image[rows] = synth.render(kind, part, items["pose"][rows], self.resolution,
                                           antialias=self.antialias)
        return {"image": image, **{k: v for k, v in items.items() if k != "item"}}

    def describe(self) -> dict:
        """See ``Dataset.describe``."""
        return {"name": self.name, "resolution": self.resolution,
                "num_samples": self.num_samples,
                "car_elevation_range": list(self.parts["cars"].elevation_range),
                "chair_elevation_range": list(self.parts["chairs"].elevation_range),
                "sample_seed": self.sample_seed if self.num_samples else None,
                "antialias": self.antialias, "renderer_version": RENDERER_VERSION}


class SynthVoxels(DrawnDataset):
    """Occupancy grids of the synthetic objects, for voxel GANs and 3D metrics.

    Batches: ``"voxels"`` ``[B, 1, R, R, R]`` in {0, 1} (layout: ``synth.voxelize``),
    ``"shape"`` and ``"colour"``. The objects are drawn exactly as the image dataset of the
    same family draws them.

    Args:
        resolution: cells per side (32 or 64 usually).
        num_samples: None for endless data, or the number of fixed samples.
        sample_seed: which samples a finite dataset holds.
    """

    modality = "voxels"
    kind = "cars"
    name = "synth_voxels"

    def __init__(self, resolution: int = 32, num_samples: int | None = None,
                 sample_seed: int = 0):
        self.resolution = check_resolution(resolution, self.name, 8, 128)
        self.num_samples = check_num_samples(num_samples, self.name)
        self._fix_samples(sample_seed)

    def _draw(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        return synth.sample_shapes(self.kind, n, generator)

    def make_batch(self, items: dict[str, torch.Tensor], from_cache: bool = True) -> Batch:
        """Voxelises items into a batch."""
        voxels = synth.voxelize(self.kind, items, self.resolution)
        return {"voxels": voxels, "shape": items["shape"], "colour": items["colour"]}

    def describe(self) -> dict:
        """See ``Dataset.describe``."""
        return {"name": self.name, "resolution": self.resolution,
                "num_samples": self.num_samples,
                "sample_seed": self.sample_seed if self.num_samples else None,
                "renderer_version": RENDERER_VERSION}


class SynthCarsVoxels(SynthVoxels):
    """``synth_cars_voxels``: occupancy grids of ``synth_cars``' cars."""

    kind = "cars"
    name = "synth_cars_voxels"


class SynthChairsVoxels(SynthVoxels):
    """``synth_chairs_voxels``: occupancy grids of ``synth_chairs``' chairs."""

    kind = "chairs"
    name = "synth_chairs_voxels"
