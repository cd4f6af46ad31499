"""``image_folder``: the user's own photographs (CompCars, CelebA, LSUN...) from a folder tree.

Every ``.jpg``/``.jpeg``/``.png``/``.webp`` file under ``root`` (in sorted path order) is
an item. Loading follows HoloGAN's preprocessing: an optional centre crop (108 pixels for
CelebA, 400 for chairs, none for cars), then an antialiased resize to the resolution, then
scaling to [-1, 1]. Grey, palette and CMYK images become RGB; transparent ones are composited
onto white. Files that cannot be read are skipped and reported once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from tqdm.auto import tqdm

from gan3d_bench.data.seeding import epoch_positions
from gan3d_bench.data.synthetic import check_resolution
from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Batch, Dataset

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
_READ_ERRORS = (OSError, UnidentifiedImageError, ValueError, SyntaxError,
                Image.DecompressionBombError)


def warn(message: str) -> None:
    """Prints a one-line warning on stderr, in the command line's style."""
    print(f"gan3d-bench: warning: {message}", file=sys.stderr)


def list_images(root: Path, extensions: tuple[str, ...] = EXTENSIONS) -> list[Path]:
    """Image files under a folder tree, in sorted relative-path order.

    Args:
        root: the folder.
        extensions: lower-case suffixes to accept (case-insensitive match).

    Returns:
        The files' paths.
    """
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=True):
        subfolders.sort()
        found.extend(Path(folder) / name for name in files
                     if name.lower().endswith(extensions) and not name.startswith("."))
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow image as RGB: grey expanded, transparency composited onto white."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and
                                              "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if array.max() > 255 else 255.0
        image = Image.fromarray((array * (255.0 / peak)).clip(0, 255).astype(np.uint8))
    return image.convert("RGB")


def load_image(path: Path, resolution: int, crop: int | None) -> np.ndarray:
    """Decodes, centre-crops and resizes one image.

    Args:
        path: the file.
        resolution: output side.
        crop: side of the centre square to keep (in the file's pixels) before resizing, or
            None to resize the whole image (as HoloGAN does for cars).

    Returns:
        ``[resolution, resolution, 3]`` uint8.

    Raises:
        OSError, ValueError...: the file cannot be decoded.
    """
    with Image.open(path) as image:
        width, height = image.size
        side = min(crop, width, height) if crop else None
        if image.format == "JPEG":
            # decode at a reduced scale where that still leaves enough pixels (much faster)
            scale = resolution / side if side else resolution / min(width, height)
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        factor = image.size[0] / width
        image = to_rgb(image)
        if side:
            cropped = side * factor
            left = (image.size[0] - cropped) / 2.0
            top = (image.size[1] - cropped) / 2.0
            box = (left, top, left + cropped, top + cropped)
        else:
            box = None
        resized = image.resize((resolution, resolution), Image.Resampling.LANCZOS, box=box)
        return np.asarray(resized, dtype=np.uint8)


class ImageFolder(Dataset):
    """Real images from a folder tree, as a finite dataset.

    Args:
        root: the folder (searched recursively; symbolic links are followed). Relative
            paths are relative to the working directory.
        resolution: output side.
        crop: centre crop side in the files' pixels before resizing (HoloGAN: 108 for CelebA,
            400 for chairs), or None to resize whole images (HoloGAN's cars).
        workers: threads decoding a batch (Pillow decodes without holding the GIL).
        check_files: open every file's header once at start-up, so unreadable files are
            skipped (and reported) before training; files that fail later, while decoding,
            are replaced by the next readable file and reported once.
    """

    modality = "image"
    name = "image_folder"

    def __init__(self, root: str | os.PathLike | None = None, resolution: int = 64,
                 crop: int | None = None, workers: int = 1, check_files: bool = True):
        self.resolution = check_resolution(resolution, self.name)
        if root is None or str(root) == "":
            raise UserError("image_folder.root is not set; bind it to a folder of images, "
                            "e.g. --gin \"image_folder.root = '/data/cars'\"")
        self.root = Path(os.path.expanduser(str(root))).resolve()
        if crop is not None and (not isinstance(crop, int) or crop < 1):
            raise UserError(f"image_folder.crop must be None or a positive number of pixels, "
                            f"not {crop!r}")
        self.crop = crop
        self.workers = max(1, int(workers))
        if not self.root.exists():
            raise UserError(f"image_folder.root = '{root}': folder not found ({self.root}); "
                            f"give the folder that holds your images")
        if not self.root.is_dir():
            raise UserError(f"image_folder.root = '{root}' is a file, not a folder; give the "
                            f"folder that holds your images")
        files = list_images(self.root)
        if not files:
            others = sum(len(names) for _, _, names in os.walk(self.root, followlinks=True))
            raise UserError(f"image_folder.root = '{root}': no images found under "
                            f"{self.root} ({others} other files); images must end in "
                            f"{', '.join(EXTENSIONS)}")
        self.skipped: list[tuple[Path, str]] = []
        self.files = self._readable(files) if check_files else files
        if not self.files:
            raise UserError(f"image_folder.root = '{root}': none of the {len(files)} image "
                            f"files under {self.root} can be read (first: "
                            f"{self.skipped[0][0].name}: {self.skipped[0][1]})")
        self.num_samples = len(self.files)
        self.total_bytes = sum(path.stat().st_size for path in self.files)
        self._reported_decode_failure = False

    @classmethod
    def contract_kwargs(cls, workdir: Path) -> dict:
        """A folder of twelve small distinct images, for the contract suite."""
        folder = Path(workdir) / "images"
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(12):
            pixels = np.zeros((24, 32, 3), dtype=np.uint8)
            pixels[..., k % 3] = 40 + 17 * k
            pixels[k:k + 6, 2 * k:2 * k + 6] = 255
            Image.fromarray(pixels).save(folder / f"{k:02d}.png")
        return {"root": str(folder)}

    def _readable(self, files: list[Path]) -> list[Path]:
        good = []
        for path in tqdm(files, desc="checking images", unit="file", leave=False,
                         disable=len(files) < 2000, file=sys.stderr):
            try:
                with Image.open(path) as image:
                    image.size  # noqa: B018 (the header is parsed on open)
                good.append(path)
            except _READ_ERRORS as error:
                self.skipped.append((path, _describe(error)))
        if self.skipped:
            first, why = self.skipped[0]
            warn(f"image_folder: skipped {len(self.skipped)} of {len(files)} files under "
                 f"{self.root} that are not readable images (first: "
                 f"{first.relative_to(self.root)}: {why})")
        return good

    def _load(self, item: int) -> np.ndarray:
        """Item ``item``'s pixels; an undecodable file is replaced by the next good one."""
        for offset in range(self.num_samples):
            path = self.files[(item + offset) % self.num_samples]
            try:
                return load_image(path, self.resolution, self.crop)
            except _READ_ERRORS as error:
                if not any(path == bad for bad, _ in self.skipped):
                    self.skipped.append((path, _describe(error)))
                    if not self._reported_decode_failure:
                        self._reported_decode_failure = True
                        warn(f"image_folder: cannot decode {path} ({_describe(error)}); it "
                             f"and any other such file are replaced by the next image")
        raise UserError(f"image_folder: no image under {self.root} can be decoded")

    def load(self, items: torch.Tensor) -> torch.Tensor:
        """Images of the given items.

        Args:
            items: ``[B]`` long item numbers (positions in sorted file order).

        Returns:
            ``[B, 3, R, R]`` float32 in [-1, 1].
        """
        indices = items.tolist()
        if self.workers > 1 and len(indices) > 1:
            with ThreadPoolExecutor(self.workers) as pool:
                arrays = list(pool.map(self._load, indices))
        else:
            arrays = [self._load(item) for item in indices]
        pixels = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2)
        return pixels.to(torch.float32).div_(127.5).sub_(1.0)

    def batch(self, index: int, batch_size: int, seed: int) -> Batch:
        """See ``Dataset.batch``: ``{"image"}``, epoch by epoch in an order shuffled by
        ``seed``."""
        items = epoch_positions(index, batch_size, self.num_samples, seed)
        return {"image": self.load(items)}

    def sources(self, index: int, batch_size: int, seed: int) -> list[Path]:
        """The files behind ``batch(index, batch_size, seed)`` (before any replacement of an
        undecodable file)."""
        items = epoch_positions(index, batch_size, self.num_samples, seed)
        return [self.files[item] for item in items.tolist()]

    def reference_batches(self, n: int, batch_size: int, seed: int) -> Iterator[Batch]:
        """The first ``n`` images in sorted file order (whatever ``seed``)."""
        if n > self.num_samples:
            raise UserError(f"image_folder: {self.root} holds {self.num_samples} readable "
                            f"images, fewer than the {n} reference samples asked for")
        for start in range(0, n, batch_size):
            yield {"image": self.load(torch.arange(start, min(start + batch_size, n)))}

    def describe(self) -> dict:
        """See ``Dataset.describe``: the folder, its size, and the preprocessing."""
        return {"name": self.name, "root": str(self.root), "resolution": self.resolution,
                "crop": self.crop, "num_samples": self.num_samples,
                "total_bytes": self.total_bytes}


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
