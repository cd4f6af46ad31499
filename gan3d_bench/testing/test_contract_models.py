"""The contract of generators, discriminators and losses, checked on every registered one.

Each check builds the component at a tiny width on the CPU (``construct.build``) and pairs it
with small stand-ins (``doubles``) so that a failure points at the component itself.
"""

from __future__ import annotations

import inspect

import gin
import torch

from gan3d_bench.interfaces import DiscriminatorOutput, LossInputs, output_shape
from gan3d_bench.interfaces.generator import MODALITIES, Z_DISTRIBUTIONS
from gan3d_bench.registry import get_registry
from gan3d_bench.testing.construct import build
from gan3d_bench.testing.doubles import ContractCritic, ContractGenerator
from gan3d_bench.testing.parametrize import generate_tests
from gan3d_bench.training.step import GANStep, Models

BATCH = 4


pytest_generate_tests = generate_tests


def _generator(component, tmp_path, seed=0):
    return build(component, tmp_path, seed=seed, num_classes=2)


def _inputs(generator, seed=1):
    return generator.sample_inputs(BATCH, generator=torch.Generator().manual_seed(seed))


def _discriminator(component, tmp_path, seed=0):
    return build(component, tmp_path, seed=seed, num_classes=2, z_dim=8)


def _real(discriminator):
    shape = (BATCH, 1, *(discriminator.resolution,) * 3) if discriminator.modality == \
        "voxels" else (BATCH, 3, discriminator.resolution, discriminator.resolution)
    data = torch.rand(shape, generator=torch.Generator().manual_seed(2))
    return data if discriminator.modality == "voxels" else data * 2 - 1


def _changed(before, module) -> bool:
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def _gin_configurable(component, tmp_path, **offered):
    params = [p for p in inspect.signature(component.cls).parameters.values()
              if p.default is not inspect.Parameter.empty and
              isinstance(p.default, int | float | str | bool)]
    assert gin.get_configurable(component.name) is not None
    if params:
        gin.bind_parameter(f"{component.name}.{params[0].name}", params[0].default)
    build(component, tmp_path, **offered)
    if params:
        assert f"{component.name}.{params[0].name}" in gin.operative_config_str()


# -- generators ---------------------------------------------------------------------------
def test_generator_declares_its_interface(generator_component, tmp_path):
    generator = _generator(generator_component, tmp_path)
    assert isinstance(generator.z_dim, int) and generator.z_dim > 0
    assert isinstance(generator.resolution, int) and generator.resolution > 0
    assert generator.modality in MODALITIES
    assert generator.z_distribution in Z_DISTRIBUTIONS
    z = generator.sample_z(64, generator=torch.Generator().manual_seed(0))
    assert z.shape == (64, generator.z_dim) and z.dtype == torch.float32
    if generator.z_distribution == "uniform":
        assert z.min() >= -1 and z.max() <= 1
    pose = generator.sample_pose(64, generator=torch.Generator().manual_seed(0))
    if generator.pose_aware:
        assert pose.shape == (64, 2)
        low, high = generator.azimuth_range
        assert pose[:, 0].min() >= low and pose[:, 0].max() <= high
    else:
        assert pose is None


def test_generator_output_shape_range_and_dtype(generator_component, tmp_path):
    generator = _generator(generator_component, tmp_path)
    out = generator(**_inputs(generator))
    assert tuple(out.shape) == output_shape(generator, BATCH)
    assert out.dtype == torch.float32 and torch.isfinite(out).all()
    low = 0.0 if generator.modality == "voxels" else -1.0
    assert out.min() >= low and out.max() <= 1.0
    preview = generator.preview(out)
    assert preview.dim() == 4 and preview.shape[:2] == (BATCH, 3)
    assert preview.min() >= -1 and preview.max() <= 1


def test_generator_gradients_are_finite(generator_component, tmp_path):
    generator = _generator(generator_component, tmp_path)
    generator(**_inputs(generator)).square().mean().backward()
    grads = [p.grad for p in generator.parameters() if p.grad is not None]
    assert grads, "no parameter received a gradient"
    assert all(torch.isfinite(g).all() for g in grads)


def test_generator_trains_one_step(generator_component, tmp_path):
    generator = _generator(generator_component, tmp_path)
    critic = ContractCritic(generator.resolution, generator.modality, z_dim=generator.z_dim)
    loss = get_registry().get("losses", "nonsaturating").cls()
    models = Models(generator, critic, loss, torch.optim.Adam(generator.parameters(), 1e-3),
                    torch.optim.Adam(critic.parameters(), 1e-3), BATCH, generator.modality)
    real = _real(critic)
    labels = torch.zeros(BATCH, dtype=torch.long)
    before = [p.detach().clone() for p in generator.parameters()]
    logs = GANStep()(models, lambda: {generator.modality: real, "label": labels})
    assert all(torch.isfinite(torch.tensor(v)) for v in logs.values())
    assert _changed(before, generator)


def test_generator_state_dict_round_trip(generator_component, tmp_path):
    first = _generator(generator_component, tmp_path, seed=0).eval()
    second = _generator(generator_component, tmp_path, seed=1).eval()
    second.load_state_dict(first.state_dict())
    inputs = _inputs(first)
    with torch.no_grad():
        assert torch.equal(first(**inputs), second(**inputs))


def test_generator_is_deterministic_under_a_seed(generator_component, tmp_path):
    outputs = []
    for _ in range(2):
        generator = _generator(generator_component, tmp_path, seed=3).eval()
        with torch.no_grad():
            outputs.append(generator(**_inputs(generator, seed=4)))
    assert torch.equal(outputs[0], outputs[1])


def test_pose_aware_generator_uses_its_pose(pose_aware_component, tmp_path):
    generator = _generator(pose_aware_component, tmp_path).eval()
    inputs = _inputs(generator)
    turned = dict(inputs, pose=inputs["pose"].clone())
    turned["pose"][:, 0] = (turned["pose"][:, 0] + 90.0) % 360.0
    with torch.no_grad():
        assert not torch.allclose(generator(**inputs), generator(**turned), atol=1e-4)


def test_generator_is_gin_configurable(generator_component, tmp_path):
    _gin_configurable(generator_component, tmp_path, num_classes=2)


# -- discriminators -----------------------------------------------------------------------
def test_discriminator_output_contract(discriminator_component, tmp_path):
    discriminator = _discriminator(discriminator_component, tmp_path)
    real = _real(discriminator).requires_grad_(True)
    out = discriminator(real, labels=torch.zeros(BATCH, dtype=torch.long))
    assert isinstance(out, DiscriminatorOutput)
    assert out.logits.dim() == 1 and BATCH % out.logits.shape[0] == 0
    assert out.logits.dtype == torch.float32 and torch.isfinite(out.logits).all()
    out.logits.sum().backward()
    assert real.grad is not None and torch.isfinite(real.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in discriminator.parameters()
               if p.grad is not None)


def test_discriminator_trains_one_step(discriminator_component, tmp_path):
    discriminator = _discriminator(discriminator_component, tmp_path)
    generator = ContractGenerator(discriminator.resolution, discriminator.modality)
    loss = get_registry().get("losses", "nonsaturating").cls()
    models = Models(generator, discriminator, loss,
                    torch.optim.Adam(generator.parameters(), 1e-3),
                    torch.optim.Adam(discriminator.parameters(), 1e-3), BATCH,
                    discriminator.modality)
    before = [p.detach().clone() for p in discriminator.parameters()]
    real = _real(discriminator)
    logs = GANStep()(models, lambda: {discriminator.modality: real,
                                      "label": torch.zeros(BATCH, dtype=torch.long)})
    assert all(torch.isfinite(torch.tensor(v)) for v in logs.values())
    assert _changed(before, discriminator)


def test_discriminator_state_dict_round_trip(discriminator_component, tmp_path):
    first = _discriminator(discriminator_component, tmp_path, seed=0).eval()
    second = _discriminator(discriminator_component, tmp_path, seed=1).eval()
    second.load_state_dict(first.state_dict())
    real = _real(first)
    with torch.no_grad():
        assert torch.equal(first(real).logits, second(real).logits)


def test_discriminator_is_deterministic_under_a_seed(discriminator_component, tmp_path):
    logits = []
    for _ in range(2):
        discriminator = _discriminator(discriminator_component, tmp_path, seed=5).eval()
        with torch.no_grad():
            logits.append(discriminator(_real(discriminator)).logits)
    assert torch.equal(logits[0], logits[1])


def test_discriminator_is_gin_configurable(discriminator_component, tmp_path):
    _gin_configurable(discriminator_component, tmp_path, num_classes=2, z_dim=8)


# -- losses -------------------------------------------------------------------------------
def test_loss_gives_finite_scalar_objectives_with_finite_gradients(loss_component, tmp_path):
    loss = build(loss_component, tmp_path)
    generator = ContractGenerator(16, "image", z_dim=8, num_classes=2)
    critic = ContractCritic(16, "image", z_dim=8, num_classes=2)
    inputs = generator.sample_inputs(BATCH, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 0, 1])
    real = torch.rand(BATCH, 3, 16, 16) * 2 - 1
    fake = generator(**inputs)
    d_total, d_terms = loss.discriminator_loss(LossInputs(
        fake=fake.detach(), fake_out=critic(fake.detach()), discriminator=critic,
        z=inputs["z"], real=real, real_out=critic(real), fake_labels=labels,
        real_labels=labels))
    g_total, g_terms = loss.generator_loss(LossInputs(
        fake=fake, fake_out=critic(fake), discriminator=critic, z=inputs["z"],
        fake_labels=labels))
    for total, terms in ((d_total, d_terms), (g_total, g_terms)):
        assert total.dim() == 0 and torch.isfinite(total)
        assert all(isinstance(name, str) for name in terms)
        assert all(torch.isfinite(torch.as_tensor(value)).all() for value in terms.values())
    d_total.backward(retain_graph=True)
    assert any(p.grad is not None for p in critic.parameters())
    critic.zero_grad()
    g_total.backward()
    assert all(torch.isfinite(p.grad).all() for p in generator.parameters()
               if p.grad is not None)
    assert any(p.grad is not None for p in generator.parameters())


def test_loss_is_gin_configurable(loss_component, tmp_path):
    _gin_configurable(loss_component, tmp_path)
