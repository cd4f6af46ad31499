"""3D-GAN: the voxel networks, the camera convention and the differentiable projection."""

from __future__ import annotations

import math

import pytest
import torch

from gan3d_bench.errors import UserError
from gan3d_voxel3dgan.camera import Camera
from gan3d_voxel3dgan.discriminator import Voxel3DGANDiscriminator
from gan3d_voxel3dgan.generator import Voxel3DGANGenerator
from gan3d_voxel3dgan.image_generator import Voxel3DGANImageGenerator
from gan3d_voxel3dgan.projection import HALF_DIAGONAL, project

V = 32          # voxel grid side in these tests
R = 48          # image side
CAMERA = Camera(distance=4.0, fov_degrees=30.0)


def box_voxels(low, high, side=V) -> torch.Tensor:
    """Occupancy 1 where the voxel centre lies in the box [low, high] (x, y, z), else 0.

    Layout [1, 1, D=z, H=y, W=x] over the cube [-1, 1]^3 (x front, y left, z up).
    """
    centres = -1 + (2 * torch.arange(side) + 1) / side
    z, y, x = torch.meshgrid(centres, centres, centres, indexing="ij")
    inside = torch.ones_like(x, dtype=torch.bool)
    for coord, lo, hi in ((x, low[0], high[0]), (y, low[1], high[1]), (z, low[2], high[2])):
        inside &= (coord >= lo) & (coord <= hi)
    return inside.float().view(1, 1, side, side, side)


def hand_silhouette(low, high, view: str) -> torch.Tensor:
    """The box's silhouette by a slab test on rays written out by hand for one view.

    Object frame: x front, y left, z up.
    ``front``: camera at (4, 0, 0) looking down -x, image right = +y (the object's left),
    image up = +z. ``side``: azimuth 90, camera at (0, 4, 0) on the object's left, looking down
    -y, image right = -x. ``top``: elevation 90, camera at (0, 0, 4) looking down, image right
    = +y, image up = -x (the object's back at the top of the picture).
    """
    half = math.tan(math.radians(CAMERA.fov_degrees) / 2)
    steps = ((torch.arange(R) + 0.5) * 2 / R - 1) * half
    v, u = torch.meshgrid(-steps, steps, indexing="ij")          # v: up, u: right
    one = torch.ones_like(u)
    d = CAMERA.distance
    if view == "front":
        origin, direction = (d, 0.0, 0.0), (-one, u, v)
    elif view == "side":
        origin, direction = (0.0, d, 0.0), (-u, -one, v)
    else:
        origin, direction = (0.0, 0.0, d), (-v, u, -one)
    t_near = torch.full_like(u, -math.inf)
    t_far = torch.full_like(u, math.inf)
    for axis in range(3):
        t1 = (low[axis] - origin[axis]) / direction[axis]
        t2 = (high[axis] - origin[axis]) / direction[axis]
        t_near = torch.maximum(t_near, torch.minimum(t1, t2))
        t_far = torch.minimum(t_far, torch.maximum(t1, t2))
    return t_near < t_far


POSES = {"front": (0.0, 0.0), "side": (90.0, 0.0), "top": (0.0, 90.0)}


@pytest.mark.parametrize("view", list(POSES))
def test_projection_of_a_box_matches_its_silhouette(view):
    # a car-like box: long along x (front-back), narrow in y, low in z, off-centre
    # (trilinear reads blur the voxel edges by about a voxel: a 64^3 grid keeps that under
    # a pixel)
    low, high = (-0.75, -0.375, -0.25), (0.875, 0.25, 0.125)
    occupancy = box_voxels(low, high, side=64)
    colour = torch.ones(1, 3, 64, 64, 64)
    pose = torch.tensor([POSES[view]])
    image, opacity = project(occupancy, colour, pose, R, torch.zeros(3), camera=CAMERA,
                             density=20.0)
    rendered = opacity[0, 0] > 0.5
    expected = hand_silhouette(low, high, view)
    intersection = (rendered & expected).sum().item()
    union = (rendered | expected).sum().item()
    assert intersection / union > 0.85
    # wrong pixels only on the outline (within one pixel of the true edge)
    wrong = rendered ^ expected
    edge = expected ^ torch.nn.functional.max_pool2d(
        expected[None].float(), 3, 1, 1)[0].bool()
    edge |= expected ^ ~torch.nn.functional.max_pool2d(
        (~expected)[None].float(), 3, 1, 1)[0].bool()
    assert not (wrong & ~edge).any()
    # white object on black: the image is the opacity in every channel
    assert torch.allclose(image[0], opacity[0].expand(3, -1, -1), atol=1e-5)


def test_pose_convention_anticlockwise_from_above_and_elevation_above():
    colour = torch.ones(1, 3, V, V, V)
    # a marker on the object's front (+x) and one on its left side (+y)
    front = box_voxels((0.5, -0.25, -0.25), (1.0, 0.25, 0.25))
    left = box_voxels((-0.25, 0.5, -0.25), (0.25, 1.0, 0.25))

    def centre_column(occupancy, azimuth, elevation=0.0):
        _, opacity = project(occupancy, colour, torch.tensor([[azimuth, elevation]]), R,
                             torch.zeros(3), camera=CAMERA, density=20.0,
                             radius=HALF_DIAGONAL)
        columns = opacity[0, 0].sum(0)
        return (columns * torch.arange(R)).sum() / columns.sum() / R   # 0 left .. 1 right

    # azimuth 0 faces the front: the object's left side is on the image's right
    assert centre_column(left, 0.0) > 0.7
    # azimuth 90 (anticlockwise from above) is on the object's left: the front is on the left
    assert centre_column(front, 90.0) < 0.3
    assert centre_column(left, 90.0) == pytest.approx(0.5, abs=0.02)
    # azimuth 270 is on the object's right: the front is on the image's right
    assert centre_column(front, 270.0) > 0.7
    # elevation above: the camera sees the top of a flat plate, so it covers more pixels
    plate = box_voxels((-0.75, -0.75, -0.0625), (0.75, 0.75, 0.0625))
    areas = []
    for elevation in (0.0, 30.0, 60.0):
        _, opacity = project(plate, colour, torch.tensor([[0.0, elevation]]), R,
                             torch.zeros(3), camera=CAMERA, density=20.0,
                             radius=HALF_DIAGONAL)
        areas.append((opacity > 0.5).sum().item())
    assert areas[0] < areas[1] < areas[2]
    # a raised camera sees a marker on top (+z) above the image centre
    top = box_voxels((-0.25, -0.25, 0.75), (0.25, 0.25, 1.0))
    _, opacity = project(top, colour, torch.tensor([[0.0, 30.0]]), R, torch.zeros(3),
                         camera=CAMERA, density=20.0, radius=HALF_DIAGONAL)
    rows = opacity[0, 0].sum(1)
    assert (rows * torch.arange(R)).sum() / rows.sum() < R / 2


def test_camera_frame_by_hand():
    origin, forward, right, up = CAMERA.frame(torch.tensor([[0.0, 0.0], [90.0, 0.0],
                                                            [0.0, 30.0]]))
    assert torch.allclose(origin[0], torch.tensor([4.0, 0.0, 0.0]), atol=1e-6)
    assert torch.allclose(origin[1], torch.tensor([0.0, 4.0, 0.0]), atol=1e-6)
    assert torch.allclose(origin[2], torch.tensor([4 * math.cos(math.pi / 6), 0.0, 2.0]),
                          atol=1e-6)
    assert torch.allclose(right[0], torch.tensor([0.0, 1.0, 0.0]), atol=1e-6)
    assert torch.allclose(right[1], torch.tensor([-1.0, 0.0, 0.0]), atol=1e-6)
    assert up[2, 2] > 0.8 and up[0, 2] == pytest.approx(1.0)
    assert torch.allclose(forward, -origin / 4, atol=1e-6)


def test_empty_voxels_show_the_background_and_colour_shows_through():
    pose = torch.tensor([[10.0, 20.0]])
    background = torch.tensor([0.2, 0.4, 0.6])
    image, opacity = project(torch.zeros(1, 1, V, V, V), torch.rand(1, 3, V, V, V), pose, R,
                             background, camera=CAMERA)
    assert opacity.abs().max() == 0
    assert torch.allclose(image[0], background.view(3, 1, 1).expand(3, R, R))
    solid = box_voxels((-0.5, -0.5, -0.5), (0.5, 0.5, 0.5))
    red = torch.zeros(1, 3, V, V, V)
    red[:, 0] = 1.0
    image, opacity = project(solid, red, pose, R, background, camera=CAMERA, density=20.0)
    centre = image[0, :, R // 2, R // 2]
    assert torch.allclose(centre, torch.tensor([1.0, 0.0, 0.0]), atol=1e-3)


def test_gradients_reach_the_voxels():
    occupancy = (box_voxels((-0.5, -0.5, -0.5), (0.5, 0.5, 0.5)) * 0.5).requires_grad_(True)
    colour = torch.full((1, 3, V, V, V), 0.5, requires_grad=True)
    image, _ = project(occupancy, colour, torch.tensor([[30.0, 20.0]]), R, torch.ones(3),
                       camera=CAMERA)
    image.mean().backward()
    assert occupancy.grad.abs().sum() > 0 and colour.grad.abs().sum() > 0
    # only voxels that rays reach get a gradient: the far corner behind the box gets little,
    # the voxels outside every ray's path (beyond the cube) none
    seen = colour.grad[0, 0].abs()
    assert seen.sum() > 0 and (seen > 0).float().mean() < 1.0


def test_image_generator_end_to_end_gradients_and_shapes():
    torch.manual_seed(0)
    generator = Voxel3DGANImageGenerator(resolution=32, voxel_resolution=16, width=0.05)
    assert generator.pose_aware and generator.modality == "image"
    inputs = generator.sample_inputs(3)
    assert inputs["pose"].shape == (3, 2)
    images = generator(**inputs)
    assert images.shape == (3, 3, 32, 32)
    assert images.min() >= -1 and images.max() <= 1
    images.mean().backward()
    first = generator.decoder[0].weight
    assert first.grad is not None and first.grad.abs().sum() > 0
    assert generator.background_logit.grad.abs().sum() > 0
    # the same z at two poses gives different images of the same voxels
    z = inputs["z"][:1].repeat(2, 1)
    generator.eval()
    with torch.no_grad():
        two = generator(z, torch.tensor([[0.0, 10.0], [90.0, 10.0]]))
    assert not torch.allclose(two[0], two[1])


def test_voxel_networks_paper_shapes():
    generator = Voxel3DGANGenerator(resolution=64, width=0.05)
    assert generator.z_dim == 200 and generator.modality == "voxels"
    kernels = [m for m in generator.decoder if isinstance(m, torch.nn.ConvTranspose3d)]
    assert [m.kernel_size for m in kernels] == [(4, 4, 4)] * 5
    assert [m.stride for m in kernels] == [(1, 1, 1)] + [(2, 2, 2)] * 4
    assert all(m.bias is None for m in kernels)
    voxels = generator(**generator.sample_inputs(2))
    assert voxels.shape == (2, 1, 64, 64, 64)
    assert voxels.min() >= 0 and voxels.max() <= 1
    preview = generator.preview(voxels)
    assert preview.shape == (2, 3, 64, 64) and preview.min() >= -1 and preview.max() <= 1
    full = Voxel3DGANGenerator(resolution=64)
    assert [m.out_channels for m in full.decoder if isinstance(m, torch.nn.ConvTranspose3d)] \
        == [512, 256, 128, 64, 1]
    discriminator = Voxel3DGANDiscriminator(resolution=64, width=0.05)
    assert discriminator(voxels).logits.shape == (2,)
    assert [m.out_channels for m in Voxel3DGANDiscriminator(resolution=64).encoder
            if isinstance(m, torch.nn.Conv3d)] == [64, 128, 256, 512, 1]
    with pytest.raises(UserError, match="resolution 48"):
        Voxel3DGANGenerator(resolution=48)


def test_preview_renders_a_solid_darker_than_the_white_background():
    voxels = box_voxels((-0.5, -0.5, -0.5), (0.5, 0.5, 0.5))
    preview = Voxel3DGANGenerator(resolution=V, width=0.05).preview(voxels)
    assert preview[0, :, 0, 0].tolist() == pytest.approx([1.0, 1.0, 1.0], abs=1e-4)
    assert preview[0, :, 32, 32].max() < 0.9


@pytest.mark.parametrize("kind", ["cars", "chairs"])
def test_projection_of_the_datas_voxels_matches_the_datas_renders(kind):
    """Same camera convention as the data renderer: projected voxel shapes cover the same
    pixels as the rendered objects, at poses all around."""
    from gan3d_bench.data.synth import render, sample_shapes, voxelize

    shapes = sample_shapes(kind, 4, torch.Generator().manual_seed(0))
    pose = torch.tensor([[0.0, 10.0], [90.0, 20.0], [215.0, 30.0], [300.0, -10.0]])
    _, mask = render(kind, shapes, pose, 48, return_mask=True)
    _, opacity = project(voxelize(kind, shapes, 64), torch.ones(4, 3, 64, 64, 64), pose, 48,
                         torch.zeros(3), density=20.0)   # the default camera: the renderer's
    rendered, projected = mask[:, 0] > 0.5, opacity[:, 0] > 0.5
    iou = (rendered & projected).sum((1, 2)) / (rendered | projected).sum((1, 2))
    assert iou.min() > 0.8
    # and a mirrored azimuth convention would not match
    _, mirrored = project(voxelize(kind, shapes, 64), torch.ones(4, 3, 64, 64, 64),
                          pose * torch.tensor([-1.0, 1.0]), 48, torch.zeros(3), density=20.0)
    wrong = (rendered & (mirrored[:, 0] > 0.5)).sum((1, 2)) / (
        rendered | (mirrored[:, 0] > 0.5)).sum((1, 2))
    assert wrong.min() < iou.min()
