"""HoloGAN's rigid-body transform of the feature volume (gan3d_hologan.rotation)."""

import math

import pytest
import torch

from gan3d_hologan.pose import paper_view
from gan3d_hologan.rotation import inverse_transform, transform_volume

N = 16


def _pose(azimuth, elevation, batch=2, scale=None, shift=None):
    pose = torch.tensor([[float(azimuth), float(elevation)]]).repeat(batch, 1)
    if scale is None and shift is None:
        return pose
    extra = torch.tensor([[scale or 1.0, *(shift or (0.0, 0.0, 0.0))]]).repeat(batch, 1)
    return torch.cat([pose, extra], dim=1)


def _rotate(volume, azimuth=0.0, elevation=0.0, layout="volume", **kwargs):
    return transform_volume(volume, paper_view(_pose(azimuth, elevation, volume.shape[0],
                                                     **kwargs)), layout)


def _smooth_volume(batch=2, channels=3):
    # a low-frequency field: trilinear resampling of it is accurate to well under 1e-2
    axis = torch.arange(N, dtype=torch.float32) / N * 2 * math.pi
    z, y, x = torch.meshgrid(axis, axis, axis, indexing="ij")
    fields = [torch.sin(x + 0.5 * c) * torch.cos(0.5 * y) + torch.cos(z - c) for c in
              range(channels)]
    return torch.stack(fields).unsqueeze(0).repeat(batch, 1, 1, 1, 1)


def _marker(x, y, z):
    volume = torch.zeros(1, 1, N, N, N)
    volume[0, 0, z, y, x] = 1.0  # axes (D, H, W) = (z, y, x)
    return volume


def _argmax_xyz(volume):
    index = int(volume.flatten().argmax())
    z, rest = divmod(index, N * N)
    y, x = divmod(rest, N)
    return x, y, z


def test_identity_pose_leaves_the_volume_unchanged():
    volume = torch.randn(2, 4, N, N, N)
    out = _rotate(volume)
    assert torch.allclose(out[..., 1:-1, 1:-1, 1:-1], volume[..., 1:-1, 1:-1, 1:-1], atol=1e-4)


def test_identity_pose_in_image_layout_is_the_papers_reorientation():
    # transform_voxel_to_match_image: rows = reversed y, columns = z, depth = x
    volume = torch.randn(2, 4, N, N, N)
    out = _rotate(volume, layout="image")
    expected = volume.flip(3).permute(0, 1, 4, 3, 2)  # [B, C, x, reversed y, z]
    assert torch.allclose(out, expected, atol=1e-4)


def test_azimuth_90_is_a_permutation_and_flip_of_the_axes():
    # R_Y(90°) about voxel index n/2 = 8: output (x, y, z) = (16 - z_src, y, x_src); the centre
    # at 8 (not 7.5) shifts the flipped axis by one voxel, so output plane x = 0 is empty.
    volume = torch.randn(2, 3, N, N, N)
    out = _rotate(volume, azimuth=90)
    flipped_z = volume.flip(2)  # flipped_z[k] = volume[z = 15 - k]
    expected = torch.zeros_like(volume)
    expected[..., 1:] = flipped_z.transpose(2, 4)[..., :-1]
    assert torch.allclose(out, expected, atol=1e-4)
    assert out[..., 0].abs().max() < 1e-4


def test_elevation_90_is_a_permutation_and_flip_of_the_axes():
    # our elevation +90 is the paper's R_Z(-90°): output (x, y, z) = (16 - y_src, x_src, z)
    volume = torch.randn(2, 3, N, N, N)
    out = _rotate(volume, elevation=90)
    flipped_y = volume.flip(3)  # flipped_y[k] = volume[y = 15 - k]
    expected = torch.zeros_like(volume)
    expected[..., 1:] = flipped_y.transpose(3, 4)[..., :-1]
    assert torch.allclose(out, expected, atol=1e-4)


def test_two_rotations_compose_to_one():
    # exactly, as matrices, about the same centre
    first, second = paper_view(_pose(25, 0)), paper_view(_pose(50, 0))
    both = paper_view(_pose(75, 0))
    composed = inverse_transform(first, N) @ inverse_transform(second, N)
    assert torch.allclose(composed, inverse_transform(both, N), atol=1e-5)
    tilt_a, tilt_b, tilt = (paper_view(_pose(0, e)) for e in (10, 20, 30))
    assert torch.allclose(inverse_transform(tilt_a, N) @ inverse_transform(tilt_b, N),
                          inverse_transform(tilt, N), atol=1e-5)
    # on volumes: two quarter turns are exactly a half turn where both stay inside the grid
    volume = torch.randn(1, 2, N, N, N)
    twice = _rotate(_rotate(volume, azimuth=90), azimuth=90)
    once = _rotate(volume, azimuth=180)
    assert torch.allclose(twice[..., 2:, :, 2:], once[..., 2:, :, 2:], atol=1e-4)
    # and two small turns of a smooth field match one turn away from the borders
    smooth = _smooth_volume()
    twice = _rotate(_rotate(smooth, azimuth=20), azimuth=25)
    once = _rotate(smooth, azimuth=45)
    inner = (..., slice(5, 12), slice(5, 12), slice(5, 12))
    assert (twice[inner] - once[inner]).abs().max() < 0.15
    assert (twice[inner] - once[inner]).abs().mean() < 0.03


def test_gradients_flow_through_the_resampling_into_the_volume():
    volume = torch.randn(2, 3, N, N, N, requires_grad=True)
    weights = torch.randn(2, 3, N, N, N)
    out = _rotate(volume, azimuth=33, elevation=12, layout="image")
    (out * weights).sum().backward()
    grad = volume.grad
    assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0
    # the transform is linear in the volume, so its gradient is its adjoint: <Tv, w> = <v, T'w>
    assert torch.allclose((out * weights).sum(), (volume * grad).sum(), rtol=1e-4)


def test_azimuth_turns_the_camera_anticlockwise_seen_from_above():
    # A marker nearer the camera than the centre (small x, see gan3d_hologan.pose) at azimuth
    # 0: at azimuth 90 the camera has moved anticlockwise, so the object's near side is on the
    # image's left (small column); image columns are z.
    near = _marker(x=4, y=8, z=8)
    x, _, z = _argmax_xyz(_rotate(near, azimuth=90))
    assert (x, z) == (8, 4)
    x, _, z = _argmax_xyz(_rotate(near, azimuth=270))
    assert (x, z) == (8, 12)


def test_positive_elevation_tilts_the_top_towards_the_camera():
    top = _marker(x=8, y=12, z=8)
    out = _rotate(top, elevation=30)
    weights = out[0, 0]
    y = torch.arange(N, dtype=torch.float32).view(1, N, 1)
    x = torch.arange(N, dtype=torch.float32).view(1, 1, N)
    total = weights.sum()
    centre_x = float((weights * x).sum() / total)
    centre_y = float((weights * y).sum() / total)
    assert centre_x == pytest.approx(8 - 4 * math.sin(math.radians(30)), abs=0.05)  # nearer
    assert centre_y == pytest.approx(8 + 4 * math.cos(math.radians(30)), abs=0.05)  # lower


def test_scale_and_translation():
    marker = _marker(x=10, y=8, z=8)
    scaled = _rotate(marker, scale=2.0)
    assert _argmax_xyz(scaled)[0] == 12  # 2 voxels from the centre -> 4
    shifted = _rotate(marker, shift=(0, 3, -2))
    assert _argmax_xyz(shifted) == (10, 11, 6)


def test_a_bad_pose_shape_is_refused():
    with pytest.raises(ValueError, match=r"\[B, 2\]"):
        paper_view(torch.zeros(2, 3))
