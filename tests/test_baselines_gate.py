"""3D-GAN's rule: the discriminator is updated only while its batch accuracy is at most 80%."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gan3d_bench.interfaces import Discriminator, DiscriminatorOutput, Generator
from gan3d_bench.losses import discriminator_accuracy
from gan3d_bench.training.step import GANStep, Models
from gan3d_dcgan.loss import NonSaturatingLoss

BATCH = 10


class ScriptedGenerator(Generator):
    """Outputs fakes whose first value is +-1 as scripted, so D's fake accuracy is known."""

    z_dim = 2

    def __init__(self):
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(()))
        self.script: list[int] = []   # number of fakes D gets right, per call

    def forward(self, z, pose=None, labels=None):
        right = self.script.pop(0)
        values = torch.tensor([-1.0] * right + [1.0] * (z.shape[0] - right))
        return (values + self.shift).view(-1, 1, 1, 1)


class SignDiscriminator(Discriminator):
    """logit = scale * x + offset, starting at x: a positive input reads as real."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1.0))
        self.offset = nn.Parameter(torch.tensor(0.0))

    def forward(self, x, labels=None):
        return DiscriminatorOutput(logits=self.scale * x.flatten() + self.offset)


def _models() -> Models:
    generator, discriminator = ScriptedGenerator(), SignDiscriminator()
    return Models(generator=generator, discriminator=discriminator, loss=NonSaturatingLoss(),
                  g_optimizer=torch.optim.SGD(generator.parameters(), lr=0.1),
                  d_optimizer=torch.optim.SGD(discriminator.parameters(), lr=1e-3),
                  batch_size=BATCH)


def _real(right: int) -> dict:
    return {"image": torch.tensor([1.0] * right + [-1.0] * (BATCH - right)).view(-1, 1, 1, 1)}


# (reals D gets right, fakes D gets right) -> accuracy over the 20 samples, and the rule
CASES = [((5, 5), 0.5, True), ((8, 8), 0.8, True), ((9, 8), 0.85, False),
         ((10, 10), 1.0, False), ((7, 8), 0.75, True), ((10, 6), 0.8, True),
         ((9, 9), 0.9, False), ((0, 0), 0.0, True)]


def test_exactly_eighty_percent_is_not_above_the_gate():
    real = torch.tensor([1.0] * 8 + [-1.0] * 2)
    accuracy = discriminator_accuracy(real, -real)
    assert float(accuracy) == 0.8   # exactly, so that `<= 0.8` holds


@pytest.mark.parametrize(("counts", "accuracy", "updates"), CASES)
def test_gate_skips_exactly_the_updates_above_eighty_percent(counts, accuracy, updates):
    models = _models()
    models.generator.script = [counts[1]]
    before = [p.detach().clone() for p in models.discriminator.parameters()]
    logs = GANStep(d_accuracy_gate=0.8).discriminator_update(
        models, _real(counts[0]), models.generator.sample_inputs(BATCH))
    changed = any(not torch.equal(b, p) for b, p in zip(
        before, models.discriminator.parameters(), strict=True))
    assert logs["d_accuracy"] == pytest.approx(accuracy)
    assert logs["d_updated"] == float(updates)
    assert changed is updates
    assert "d_loss" in logs   # the loss is still computed and logged when skipped


def test_sequence_of_iterations_updates_d_only_when_allowed_and_g_always():
    models = _models()
    step = GANStep(d_accuracy_gate=0.8)
    expected = []
    for (real_right, fake_right), _, updates in CASES:
        # one D call and one G call per iteration; G's fakes are all judged fake-ish
        models.generator.script = [fake_right, 0]
        d_before = [p.detach().clone() for p in models.discriminator.parameters()]
        g_before = models.generator.shift.detach().clone()
        logs = step(models, lambda right=real_right: _real(right))
        d_changed = any(not torch.equal(b, p) for b, p in zip(
            d_before, models.discriminator.parameters(), strict=True))
        expected.append(updates)
        assert d_changed is updates
        assert logs["d_updated"] == float(updates)
        assert not torch.equal(g_before, models.generator.shift)   # G is never gated
    assert expected.count(False) == 3


def test_without_a_gate_every_update_happens():
    models = _models()
    models.generator.script = [10]
    before = models.discriminator.scale.detach().clone()
    logs = GANStep().discriminator_update(models, _real(10), models.generator.sample_inputs(BATCH))
    assert logs["d_accuracy"] == 1.0 and logs["d_updated"] == 1.0
    assert not torch.equal(before, models.discriminator.scale)
