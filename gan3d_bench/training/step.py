"""One training iteration of a GAN: the discriminator's updates, then the generator's.

The schedule is configurable from gin, so each method states its own:

* DCGAN, LSGAN: ``GANStep.d_steps = 1``, ``GANStep.g_steps = 1``.
* WGAN-GP: ``GANStep.d_steps = 5`` (five critic updates, each on a fresh real batch).
* HoloGAN: ``GANStep.g_steps = 2`` and ``GANStep.g_reuse_inputs = True`` (1 D update, then
  2 G updates on the same z and pose).
* 3D-GAN: ``GANStep.d_accuracy_gate = 0.8`` (D is updated only while its accuracy on the
  batch is at most 80%).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import gin
import torch

from gan3d_bench.interfaces import (
    Batch,
    Discriminator,
    DiscriminatorOutput,
    Generator,
    Loss,
    LossInputs,
)
from gan3d_bench.losses import discriminator_accuracy


@dataclass
class Models:
    """What a training step works on.

    Attributes:
        generator: the generator module (unwrapped: for ``sample_inputs`` and attributes).
        discriminator: the discriminator module (unwrapped).
        loss: the objective.
        g_optimizer: the generator's optimiser.
        d_optimizer: the discriminator's optimiser.
        batch_size: samples per update (per process).
        modality: the batch key holding real samples (``"image"`` or ``"voxels"``).
        g_call: what to call to generate (the DDP wrapper in distributed runs).
        d_call: what to call to discriminate (likewise).
        autocast: a context-manager factory for mixed precision (a no-op by default).
        g_scaler: gradient scaler for the generator's fp16 updates, or None.
        d_scaler: likewise for the discriminator.
    """

    generator: Generator
    discriminator: Discriminator
    loss: Loss
    g_optimizer: torch.optim.Optimizer
    d_optimizer: torch.optim.Optimizer
    batch_size: int
    modality: str = "image"
    g_call: Callable | None = None
    d_call: Callable | None = None
    autocast: Callable = field(default=contextlib.nullcontext)
    g_scaler: torch.amp.GradScaler | None = None
    d_scaler: torch.amp.GradScaler | None = None

    def __post_init__(self):
        self.g_call = self.g_call or self.generator
        self.d_call = self.d_call or self.discriminator


def apply_update(loss: torch.Tensor, optimizer: torch.optim.Optimizer,
                 scaler: torch.amp.GradScaler | None = None) -> None:
    """Back-propagates ``loss`` and steps ``optimizer`` (through a gradient scaler for fp16).

    Args:
        loss: the scalar to minimise.
        optimizer: the optimiser of the network being updated.
        scaler: a ``GradScaler`` for fp16 training, or None.
    """
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
        optimizer.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized() and \
        torch.distributed.get_world_size() > 1


def touch_outputs(total: torch.Tensor, *outputs: DiscriminatorOutput) -> torch.Tensor:
    """Adds zero times every discriminator output to a loss, in distributed runs only.

    DDP waits for a gradient for every parameter that produced an output; a loss that
    ignores an output (HoloGAN's latent head with the identity loss off) would leave DDP
    waiting. A zero-weighted term gives those parameters zero gradients.

    Args:
        total: the loss.
        outputs: the discriminator outputs it was computed from.

    Returns:
        The loss, unchanged in value.
    """
    if not _distributed():
        return total
    for output in outputs:
        for item in (getattr(output, f.name) for f in dataclasses.fields(output)):
            for tensor in item if isinstance(item, (list, tuple)) else [item]:
                if torch.is_tensor(tensor) and tensor.requires_grad:
                    total = total + 0.0 * tensor.float().sum()
    return total


def global_accuracy(accuracy: torch.Tensor) -> torch.Tensor:
    """The discriminator accuracy averaged over ranks, so every rank takes the same gate
    decision (the batch accuracy of one process in a single-process run).

    Args:
        accuracy: this rank's batch accuracy.

    Returns:
        The mean over ranks.
    """
    if not _distributed():
        return accuracy
    total = accuracy.detach().clone().double()
    torch.distributed.all_reduce(total)
    return total / torch.distributed.get_world_size()


def _scalars(prefix: str, total: torch.Tensor, terms: dict) -> dict[str, float]:
    logs = {f"{prefix}_loss": float(total.detach())}
    for name, value in terms.items():
        logs[f"{prefix}_{name}"] = float(value.detach()) if torch.is_tensor(value) else float(value)
    return logs


@gin.configurable("GANStep")
class GANStep:
    """The alternating update schedule of an adversarial model.

    Args:
        d_steps: discriminator updates per iteration, each on a fresh real batch.
        g_steps: generator updates per iteration.
        g_reuse_inputs: the generator updates reuse the z, pose and labels of the last
            discriminator update (HoloGAN); otherwise they draw fresh ones.
        d_accuracy_gate: if set, a discriminator update is skipped when its accuracy on the
            batch is above this value (3D-GAN uses 0.8). The loss is still computed and logged.
    """

    def __init__(self, d_steps: int = 1, g_steps: int = 1, g_reuse_inputs: bool = False,
                 d_accuracy_gate: float | None = None):
        if d_steps < 1 or g_steps < 1:
            raise ValueError("GANStep.d_steps and GANStep.g_steps must be at least 1")
        self.d_steps = d_steps
        self.g_steps = g_steps
        self.g_reuse_inputs = g_reuse_inputs
        self.d_accuracy_gate = d_accuracy_gate

    def batches_per_iteration(self) -> int:
        """How many real batches one iteration consumes."""
        return self.d_steps

    def __call__(self, models: Models, next_batch: Callable[[], Batch]) -> dict[str, float]:
        """Runs one iteration.

        Args:
            models: networks, loss and optimisers.
            next_batch: returns the next real batch (on the training device).

        Returns:
            Scalar logs: ``d_loss``, ``g_loss``, each loss term (``d_real``...), the
            discriminator's accuracy and whether it was updated.
        """
        logs: dict[str, float] = {}
        inputs = None
        for _ in range(self.d_steps):
            batch = next_batch()
            inputs = models.generator.sample_inputs(models.batch_size)
            logs.update(self.discriminator_update(models, batch, inputs))
        for _ in range(self.g_steps):
            if not self.g_reuse_inputs:
                inputs = models.generator.sample_inputs(models.batch_size)
            logs.update(self.generator_update(models, inputs))
        return logs

    def discriminator_update(self, models: Models, batch: Batch, inputs: dict) -> dict[str, float]:
        """One discriminator update on a real batch and generated samples.

        Args:
            models: networks, loss and optimisers.
            batch: a real batch.
            inputs: the generator inputs (z, pose, labels) to generate fakes from.

        Returns:
            Scalar logs.
        """
        real = batch[models.modality]
        real_labels = batch.get("label")
        with torch.no_grad(), models.autocast():
            fake = models.g_call(**inputs)
        with models.autocast():
            real_out = models.d_call(real, labels=real_labels)
            fake_out = models.d_call(fake, labels=inputs["labels"])
            total, terms = models.loss.discriminator_loss(LossInputs(
                fake=fake, fake_out=fake_out, discriminator=models.d_call, z=inputs["z"],
                real=real, real_out=real_out, pose=inputs["pose"],
                fake_labels=inputs["labels"], real_labels=real_labels))
            total = touch_outputs(total, real_out, fake_out)
        accuracy = global_accuracy(discriminator_accuracy(real_out.logits, fake_out.logits))
        update = self.d_accuracy_gate is None or float(accuracy) <= self.d_accuracy_gate
        if update:
            apply_update(total, models.d_optimizer, models.d_scaler)
        logs = _scalars("d", total, terms)
        logs["d_accuracy"] = float(accuracy)
        logs["d_updated"] = float(update)
        return logs

    def generator_update(self, models: Models, inputs: dict) -> dict[str, float]:
        """One generator update.

        Args:
            models: networks, loss and optimisers.
            inputs: the generator inputs (z, pose, labels).

        Returns:
            Scalar logs.
        """
        # The discriminator is frozen: no gradients are computed for its weights, and it is
        # called unwrapped, since it takes no update here.
        with frozen(models.discriminator):
            with models.autocast():
                fake = models.g_call(**inputs)
                fake_out = models.discriminator(fake, labels=inputs["labels"])
                total, terms = models.loss.generator_loss(LossInputs(
                    fake=fake, fake_out=fake_out, discriminator=models.discriminator,
                    z=inputs["z"], pose=inputs["pose"], fake_labels=inputs["labels"]))
            apply_update(total, models.g_optimizer, models.g_scaler)
        return _scalars("g", total, terms)


@contextlib.contextmanager
def frozen(module: torch.nn.Module):
    """Turns off ``requires_grad`` on a module's parameters for the block, then restores it.

    Args:
        module: the module to freeze.

    Yields:
        Nothing.
    """
    flags = [(p, p.requires_grad) for p in module.parameters()]
    for parameter, _ in flags:
        parameter.requires_grad_(False)
    try:
        yield
    finally:
        for parameter, flag in flags:
            parameter.requires_grad_(flag)
