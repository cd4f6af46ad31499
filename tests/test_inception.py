"""The TF-compatible Inception extractor: TF1 resize, the reference state-dict layout, weight
lookup and its messages. Only the last test needs the real weights (and skips without)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.evaluation import inception_weights
from gan3d_bench.evaluation.inception import InceptionFeatures
from gan3d_bench.evaluation.inception_net import FIDInceptionV3
from gan3d_bench.evaluation.tf1_resize import resize_bilinear_tf1

# A few entries of torch-fidelity's weights file (name -> shape), as its network defines them.
REFERENCE_ENTRIES = {
    "Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3),
    "Conv2d_1a_3x3.bn.running_var": (32,),
    "Conv2d_4a_3x3.conv.weight": (192, 80, 3, 3),
    "Mixed_5b.branch_pool.conv.weight": (32, 192, 1, 1),
    "Mixed_5d.branch5x5_2.conv.weight": (64, 48, 5, 5),
    "Mixed_6a.branch3x3.conv.weight": (384, 288, 3, 3),
    "Mixed_6b.branch7x7_2.conv.weight": (128, 128, 1, 7),
    "Mixed_6e.branch7x7dbl_5.conv.weight": (192, 192, 1, 7),
    "Mixed_7a.branch3x3_2.conv.weight": (320, 192, 3, 3),
    "Mixed_7b.branch3x3dbl_1.conv.weight": (448, 1280, 1, 1),
    "Mixed_7c.branch3x3dbl_3b.conv.weight": (384, 384, 3, 1),
    "Mixed_7c.branch_pool.bn.bias": (192,),
    "fc.weight": (1008, 2048),
    "fc.bias": (1008,),
}


def tf1_resize_per_pixel(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """TF1's resize_bilinear (align_corners=False) written per output pixel in float32."""
    in_h, in_w = image.shape[-2:]
    scale_y = np.float32(in_h / out_h)
    scale_x = np.float32(in_w / out_w)
    out = np.empty((*image.shape[:-2], out_h, out_w), dtype=np.float32)
    for i in range(out_h):
        sy = np.float32(i) * scale_y
        y0 = int(sy)
        y1 = min(y0 + 1, in_h - 1)
        dy = sy - np.float32(y0)
        for j in range(out_w):
            sx = np.float32(j) * scale_x
            x0 = int(sx)
            x1 = min(x0 + 1, in_w - 1)
            dx = sx - np.float32(x0)
            top = image[..., y0, x0] + (image[..., y0, x1] - image[..., y0, x0]) * dx
            bottom = image[..., y1, x0] + (image[..., y1, x1] - image[..., y1, x0]) * dx
            out[..., i, j] = top + (bottom - top) * dy
    return out


@pytest.mark.parametrize("in_size,out_size", [((7, 5), (23, 31)), ((40, 40), (13, 13))])
def test_tf1_resize_matches_the_per_pixel_formula_bit_for_bit(in_size, out_size):
    rng = np.random.RandomState(0)
    image = rng.randint(0, 256, size=(2, 3, *in_size)).astype(np.float32)
    ours = resize_bilinear_tf1(torch.from_numpy(image), out_size).numpy()
    np.testing.assert_array_equal(ours, tf1_resize_per_pixel(image, *out_size))


def test_tf1_resize_has_no_half_pixel_offset():
    # upsampling 2 -> 4 samples source positions 0, 0.5, 1, 1.5 (the last clamped)
    row = torch.tensor([[[[0.0, 10.0]]]])
    assert resize_bilinear_tf1(row, (1, 4)).flatten().tolist() == [0.0, 5.0, 10.0, 10.0]
    same = torch.rand(1, 3, 299, 299)
    assert resize_bilinear_tf1(same, (299, 299)) is same


@pytest.fixture(scope="module")
def reference_state():
    """Random weights in the reference layout (He-scaled convolutions, unit BatchNorm
    statistics, so that features depend on the image), without BatchNorm batch counters:
    converted files need not carry them."""
    generator = torch.Generator().manual_seed(0)
    state = {}
    for key, value in FIDInceptionV3().state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue
        if key.endswith("conv.weight"):
            fan_in = value[0].numel()
            state[key] = torch.randn(value.shape, generator=generator) * (2.0 / fan_in) ** 0.5
        elif key.endswith(("running_mean", "bias")):
            state[key] = torch.randn(value.shape, generator=generator) * 0.05
        elif key.endswith(("running_var", "bn.weight")):
            state[key] = 1.0 + torch.rand(value.shape, generator=generator) * 0.1
        else:
            state[key] = torch.randn(value.shape, generator=generator) * 0.01
    return state


@pytest.fixture(scope="module")
def reference_file(reference_state, tmp_path_factory):
    path = tmp_path_factory.mktemp("weights") / "random-inception.pth"
    torch.save(reference_state, path)
    return path


def test_network_has_the_reference_layout():
    state = FIDInceptionV3().state_dict()
    for key, shape in REFERENCE_ENTRIES.items():
        assert tuple(state[key].shape) == shape, key
    conv_and_bn = [k for k in state if k.endswith((".conv.weight", ".bn.running_mean"))]
    assert len(conv_and_bn) == 2 * 94  # 94 conv+BN units in the FID Inception graph
    assert sum(v.numel() for k, v in state.items()
               if not k.endswith("num_batches_tracked")) == 23_885_392


def test_loads_reference_layout_weights_and_extracts_features(reference_state,
                                                              reference_file):
    extractor = InceptionFeatures(weights_path=str(reference_file))
    assert torch.equal(extractor.network.Mixed_6c.branch7x7dbl_3.conv.weight,
                       reference_state["Mixed_6c.branch7x7dbl_3.conv.weight"])
    images = torch.randint(0, 256, (2, 3, 32, 40), dtype=torch.uint8)
    features = extractor(images)
    assert features.shape == (2, 2048) and features.dtype == torch.float32
    assert torch.isfinite(features).all() and (features >= 0).all()
    assert not torch.allclose(features[0], features[1])
    with pytest.raises(UserError, match="uint8"):
        extractor(images.float())


def test_weights_that_do_not_fit_are_explained(reference_state, tmp_path):
    path = tmp_path / "broken.pth"
    state = dict(reference_state)
    del state["Mixed_5b.branch1x1.conv.weight"]
    torch.save(state, path)
    with pytest.raises(UserError, match=r"1 missing keys.*Mixed_5b\.branch1x1\.conv\.weight"):
        InceptionFeatures(weights_path=str(path))
    state = dict(reference_state, **{"fc.bias": torch.zeros(1000)})
    torch.save(state, path)
    with pytest.raises(UserError, match="does not fit"):
        InceptionFeatures(weights_path=str(path))


def test_a_damaged_reference_file_is_detected_by_its_hash(reference_file, tmp_path):
    path = tmp_path / inception_weights.WEIGHTS_FILE
    path.symlink_to(reference_file)  # right name, wrong content
    with pytest.raises(UserError, match="damaged or incomplete"):
        InceptionFeatures(weights_path=str(path))


def test_lookup_order_and_the_missing_weights_message(tmp_path, monkeypatch):
    monkeypatch.delenv(inception_weights.WEIGHTS_ENV, raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    hub_file = tmp_path / "torch" / "hub" / "checkpoints" / inception_weights.WEIGHTS_FILE
    with pytest.raises(UserError) as error:
        inception_weights.find_weights()
    message = str(error.value)
    assert inception_weights.WEIGHTS_FILE in message and str(hub_file) in message
    assert inception_weights.WEIGHTS_ENV in message and "never downloads" in message
    hub_file.parent.mkdir(parents=True)
    hub_file.write_bytes(b"x")
    assert inception_weights.find_weights() == hub_file
    env_file = tmp_path / "elsewhere.pth"
    env_file.write_bytes(b"y")
    monkeypatch.setenv(inception_weights.WEIGHTS_ENV, str(env_file))
    assert inception_weights.find_weights() == env_file
    explicit = tmp_path / "explicit.pth"
    explicit.write_bytes(b"z")
    assert inception_weights.find_weights(explicit) == explicit
    with pytest.raises(UserError, match="does not exist"):
        inception_weights.find_weights(tmp_path / "nope.pth")


def _real_weights():
    try:
        return inception_weights.find_weights()
    except UserError:
        return None


@pytest.mark.skipif(_real_weights() is None,
                    reason="the FID Inception weights file is not installed")
def test_real_weights_give_sensible_features():
    extractor = InceptionFeatures()
    assert extractor.weights_sha256.startswith(inception_weights.WEIGHTS_HASH_PREFIX)
    grey = torch.full((1, 3, 64, 64), 128, dtype=torch.uint8)
    noise = torch.randint(0, 256, (1, 3, 64, 64), dtype=torch.uint8,
                          generator=torch.Generator().manual_seed(0))
    features = extractor(torch.cat([grey, noise]))
    assert torch.isfinite(features).all() and (features >= 0).all()
    assert 0.01 < float(features.mean()) < 5.0
    assert float((features[0] - features[1]).abs().mean()) > 0.01
