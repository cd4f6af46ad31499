"""HoloGAN's 3D rigid-body transform of a feature volume, by trilinear resampling.

A feature volume is ``[B, C, D, H, W]``; its voxel index coordinates are the paper's
(x, y, z) with x along W, y along H and z along D (the sampler of the paper's code indexes
``[B, A1, A2, A3, C]`` with x = A3, y = A2, z = A1, and ``grid_sample`` reads its grid as
(W, H, D): the same order).

The forward transform of output voxel coordinates is (paper, ``tools/rotation_utils.py``)

    M = T(+n/2) · T_translate · S · R_Z(e) · R_Y(a - 90°) · T(-n/2)

so rotation is about voxel index n/2 (8 for n = 16), not the geometric centre 7.5. Sampling is
by inverse mapping: each output voxel reads the source at ``M^-1 · p``, trilinearly, with
zeros outside the grid (``grid_sample(padding_mode="zeros", align_corners=True)``; the paper's
own sampler differs only within one voxel of the border).

The paper then reorients the result for the projection unit
(``transform_voxel_to_match_image``): image rows = reversed y, columns = z, depth = x. Here
that reorientation is folded into the same sampling grid (``layout="image"``), so the whole
transform is one ``affine_grid`` and one ``grid_sample``, with no transposes or flips copied
afterwards.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gan3d_hologan.pose import View

LAYOUTS = ("volume", "image")


def rotation_matrix(view: View) -> torch.Tensor:
    """The paper's rotation ``R_Z(elevation) · R_Y(azimuth - 90°)``, applied to (x, y, z).

    Args:
        view: paper view parameters.

    Returns:
        ``[B, 3, 3]`` rotation matrices.
    """
    a = view.azimuth - torch.pi / 2
    e = view.elevation
    cos_a, sin_a, cos_e, sin_e = torch.cos(a), torch.sin(a), torch.cos(e), torch.sin(e)
    zero, one = torch.zeros_like(a), torch.ones_like(a)
    rot_y = torch.stack([cos_a, zero, -sin_a,
                         zero, one, zero,
                         sin_a, zero, cos_a], dim=1).view(-1, 3, 3)
    rot_z = torch.stack([cos_e, sin_e, zero,
                         -sin_e, cos_e, zero,
                         zero, zero, one], dim=1).view(-1, 3, 3)
    return rot_z @ rot_y


def inverse_transform(view: View, size: int) -> torch.Tensor:
    """``M^-1``: output voxel index coordinates -> source index coordinates (x, y, z).

    In closed form, ``p_src = R^T (p_out - c - t) / s + c`` with c = n/2.

    Args:
        view: paper view parameters.
        size: the volume's side n.

    Returns:
        ``[B, 4, 4]`` homogeneous matrices.
    """
    rotation_t = rotation_matrix(view).transpose(1, 2) / view.scale.view(-1, 1, 1)
    centre = torch.full((3,), size / 2.0, dtype=rotation_t.dtype, device=rotation_t.device)
    offset = centre - (rotation_t @ (centre + view.translation).unsqueeze(-1)).squeeze(-1)
    matrix = torch.zeros(rotation_t.shape[0], 4, 4, dtype=rotation_t.dtype,
                         device=rotation_t.device)
    matrix[:, :3, :3] = rotation_t
    matrix[:, :3, 3] = offset
    matrix[:, 3, 3] = 1.0
    return matrix


def _normalized_to_index(size: int, layout: str, like: torch.Tensor) -> torch.Tensor:
    """Maps normalised output coords (w, h, d) in [-1, 1] to the paper's output (x, y, z)."""
    k = (size - 1) / 2.0
    if layout == "volume":  # D = z, H = y, W = x
        rows = [[k, 0, 0, k], [0, k, 0, k], [0, 0, k, k]]
    else:  # D = x (depth), H = reversed y (image rows), W = z (image columns)
        rows = [[0, 0, k, k], [0, -k, 0, size - 1 - k], [k, 0, 0, k]]
    return torch.tensor([*rows, [0, 0, 0, 1]], dtype=like.dtype, device=like.device)


def _index_to_normalized(size: int, like: torch.Tensor) -> torch.Tensor:
    """Maps source index coords (x, y, z) to grid_sample's normalised (W, H, D) coords."""
    s = 2.0 / (size - 1)
    return torch.tensor([[s, 0, 0, -1], [0, s, 0, -1], [0, 0, s, -1]], dtype=like.dtype,
                        device=like.device)


def sampling_grid(view: View, size: int, layout: str = "volume") -> torch.Tensor:
    """The sampling grid of the transform, built once for the batch.

    Args:
        view: paper view parameters (batch B).
        size: the volume's side n (the output has the same side).
        layout: ``"volume"`` (output axes as the input's) or ``"image"`` (depth = x,
            rows = reversed y, columns = z, for the projection unit).

    Returns:
        ``[B, n, n, n, 3]`` normalised source coordinates for ``grid_sample``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
    inverse = inverse_transform(view, size)
    theta = _index_to_normalized(size, inverse) @ inverse @ _normalized_to_index(
        size, layout, inverse)
    batch = theta.shape[0]
    return F.affine_grid(theta, [batch, 1, size, size, size], align_corners=True)


def transform_volume(volume: torch.Tensor, view: View, layout: str = "volume") -> torch.Tensor:
    """Rotates (and optionally scales and shifts) a batch of feature volumes.

    Args:
        volume: ``[B, C, n, n, n]`` features, axes (z, y, x).
        view: paper view parameters, one per sample.
        layout: see ``sampling_grid``.

    Returns:
        ``[B, C, n, n, n]`` resampled features (trilinear, zeros outside).
    """
    size = volume.shape[-1]
    if volume.shape[-3:] != (size, size, size):
        raise ValueError(f"the feature volume must be cubic, got {tuple(volume.shape)}")
    grid = sampling_grid(view, size, layout).to(volume.dtype)
    return F.grid_sample(volume, grid, mode="bilinear", padding_mode="zeros",
                         align_corners=True)
