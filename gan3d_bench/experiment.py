"""The experiment: which components, at what size, for how long, evaluated how.

Configured from gin (``Experiment.generator = @hologan_generator``); components are given as
references to registered classes (no parentheses), and the experiment constructs them,
passing each the common settings its constructor accepts (``resolution``, ``width``,
``z_dim``, ``num_classes``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import gin
import torch

from gan3d_bench.errors import UserError
from gan3d_bench.interfaces import Dataset, Discriminator, Generator, Metric
from gan3d_bench.registry import SINGULAR, Component, get_registry
from gan3d_bench.training.rng import seed_everything
from gan3d_bench.training.step import GANStep, Models

PRECISIONS = ("fp32", "bf16", "fp16")


def make_optimizer(params, name: str = "adam", lr: float = 2e-4,
                   betas: tuple[float, float] = (0.5, 0.999), eps: float = 1e-8,
                   weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """Builds an optimiser (configured in gin as ``g_optimizer.*`` and ``d_optimizer.*``).

    Args:
        params: the parameters to optimise.
        name: ``adam``, ``adamw`` or ``rmsprop``.
        lr: learning rate.
        betas: Adam's betas (ignored by RMSprop).
        eps: numerical epsilon.
        weight_decay: L2 penalty (decoupled for ``adamw``).

    Returns:
        The optimiser.
    """
    params = [p for p in params if p.requires_grad]
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=tuple(betas), eps=eps,
                                weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, betas=tuple(betas), eps=eps,
                                 weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, eps=eps, weight_decay=weight_decay)
    raise UserError(f"unknown optimizer '{name}' in g_optimizer/d_optimizer.name; "
                    f"use adam, adamw or rmsprop")


g_optimizer = gin.external_configurable(make_optimizer, name="g_optimizer")
d_optimizer = gin.external_configurable(make_optimizer, name="d_optimizer")


def call_with_accepted(factory: Callable, offered: dict, signature_of: Callable | None = None):
    """Calls ``factory`` with the offered keyword arguments that its signature accepts.

    Args:
        factory: a class or function.
        offered: candidate keyword arguments.
        signature_of: whose signature to read (the undecorated class behind a gin
            configurable); default ``factory``.

    Returns:
        What ``factory`` returns.
    """
    try:
        signature = inspect.signature(signature_of or factory)
    except (TypeError, ValueError):
        return factory(**offered)
    params = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return factory(**offered)
    return factory(**{key: value for key, value in offered.items() if key in params})


@dataclass
class Built:
    """A constructed experiment, ready to train.

    Attributes:
        name: the experiment's name.
        settings: the scalar settings (resolution, width, batch size, steps, seed, intervals).
        components: role (``generator``, ``discriminator``, ``loss``, ``dataset``, ``metric:
            NAME``) -> ``Component``.
        models: networks, loss and optimisers.
        dataset: the real data.
        step: the training step.
        metrics: the metrics evaluated during and after training.
        device: where training runs.
    """

    name: str
    settings: dict
    components: dict[str, Component]
    models: Models
    dataset: Dataset
    step: GANStep
    metrics: list[Metric] = field(default_factory=list)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def generator(self) -> Generator:
        """The generator."""
        return self.models.generator

    @property
    def discriminator(self) -> Discriminator:
        """The discriminator."""
        return self.models.discriminator


def resolve_device(device: str) -> torch.device:
    """``auto`` -> CUDA when present, else the CPU; anything else as given.

    Args:
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:1``...

    Returns:
        The torch device.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise UserError(f"unknown device '{device}'; use auto, cpu or cuda[:N]") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"device '{device}' asked for, but CUDA is not available here; "
                        f"use --device cpu or auto")
    return resolved


@gin.configurable("Experiment")
class Experiment:
    """An experiment's settings, as bound in gin.

    Args:
        generator: a registered generator class (``@dcgan_generator``).
        discriminator: a registered discriminator class.
        loss: a registered loss class.
        dataset: a registered dataset class.
        name: the experiment's name (default: the first config file's name).
        resolution: image (or voxel) side for data and models.
        width: channel multiplier passed to the networks (1.0 = the paper's widths).
        batch_size: samples per update (per process in distributed runs).
        steps: training iterations (one ``train_step`` call each).
        seed: seeds weights, sampling and the data stream.
        train_step: the update schedule (``@GANStep``).
        metrics: registered metric classes evaluated during and after training.
        eval_every: evaluate every this many steps (0: only at the end).
        sample_every: save a sample grid every this many steps.
        checkpoint_every: checkpoint every this many steps (and at the end).
        log_every: write the training losses every this many steps.
        num_samples_grid: samples in each grid (a square number is best).
        prefetch: prepare the next real batch in a background thread.
        device: ``auto`` (CUDA when present), ``cpu`` or ``cuda[:N]``.
        precision: ``fp32``; or mixed precision for training steps: ``bf16`` (autocast) or
            ``fp16`` (autocast with gradient scaling, GPUs only). Metrics always run in fp32.
    """

    def __init__(self, generator=gin.REQUIRED, discriminator=gin.REQUIRED, loss=gin.REQUIRED,
                 dataset=gin.REQUIRED, name: str | None = None, resolution: int = 64,
                 width: float = 1.0, batch_size: int = 32, steps: int = 10000, seed: int = 0,
                 train_step: Callable = GANStep, metrics: Sequence[Callable] = (),
                 eval_every: int = 0, sample_every: int = 500, checkpoint_every: int = 500,
                 log_every: int = 10, num_samples_grid: int = 64, prefetch: bool = True,
                 device: str = "auto", precision: str = "fp32"):
        self.generator = generator
        self.discriminator = discriminator
        self.loss = loss
        self.dataset = dataset
        self.name = name
        self.resolution = resolution
        self.width = width
        self.batch_size = batch_size
        self.steps = steps
        self.seed = seed
        self.train_step = train_step
        self.metrics = list(metrics)
        self.eval_every = eval_every
        self.sample_every = sample_every
        self.checkpoint_every = checkpoint_every
        self.log_every = log_every
        self.num_samples_grid = num_samples_grid
        self.prefetch = prefetch
        self.device = device
        self.precision = precision
        if precision not in PRECISIONS:
            raise UserError(f"Experiment.precision = '{precision}' is not one of "
                            f"{', '.join(PRECISIONS)}")
        for key in ("batch_size", "steps", "sample_every", "checkpoint_every", "log_every"):
            if int(getattr(self, key)) < 1:
                raise UserError(f"Experiment.{key} must be at least 1, not {getattr(self, key)}")
        if self.eval_every < 0:
            raise UserError("Experiment.eval_every must be 0 (only at the end) or positive")

    def settings(self) -> dict:
        """The scalar settings, as stored in run records."""
        return {key: getattr(self, key) for key in (
            "resolution", "width", "batch_size", "steps", "seed", "eval_every", "sample_every",
            "checkpoint_every", "log_every", "num_samples_grid", "prefetch", "precision")}

    def build(self, default_name: str = "experiment", device: str | None = None) -> Built:
        """Constructs data, networks, loss, optimisers and metrics.

        Call it inside the budget's gin scope (``ParsedConfig.scope()``) so scoped bindings
        apply to the components too.

        Args:
            default_name: the name used when ``Experiment.name`` is unset.
            device: overrides ``Experiment.device``.

        Returns:
            The ``Built`` experiment.

        Raises:
            UserError: a component that is not registered, of the wrong kind, or that does
                not match the data (resolution, modality).
        """
        torch_device = resolve_device(device or self.device)
        components: dict[str, Component] = {}
        for role, kind in (("dataset", "datasets"), ("generator", "generators"),
                           ("discriminator", "discriminators"), ("loss", "losses")):
            components[role] = _component(getattr(self, role), kind, f"Experiment.{role}")
        seed_everything(self.seed)
        dataset = _construct(components["dataset"], {"resolution": self.resolution})
        generator = _construct(components["generator"], {
            "resolution": self.resolution, "width": self.width,
            "num_classes": dataset.num_classes})
        discriminator = _construct(components["discriminator"], {
            "resolution": self.resolution, "width": self.width, "z_dim": generator.z_dim,
            "num_classes": dataset.num_classes})
        loss = _construct(components["loss"], {})
        _check_match(dataset, generator, discriminator, components, self.resolution)
        metrics = []
        for index, factory in enumerate(self.metrics):
            component = _component(factory, "metrics", f"Experiment.metrics[{index}]")
            metric = _construct(component, {})
            components[f"metric:{component.name}"] = component
            metrics.append(metric)
        generator.to(torch_device)
        discriminator.to(torch_device)
        _check_generator_output(generator, components["generator"].name, dataset.modality,
                                self.resolution)
        models = Models(generator=generator, discriminator=discriminator, loss=loss,
                        g_optimizer=g_optimizer(generator.parameters()),
                        d_optimizer=d_optimizer(discriminator.parameters()),
                        batch_size=self.batch_size, modality=dataset.modality)
        _set_precision(models, self.precision, torch_device)
        step = self.train_step()
        return Built(name=self.name or default_name, settings=self.settings(),
                     components=components, models=models, dataset=dataset, step=step,
                     metrics=metrics, device=torch_device)


def _construct(component: Component, offered: dict):
    obj = call_with_accepted(component.configurable, offered, signature_of=component.cls)
    if not isinstance(obj, component.cls):
        raise UserError(f"{SINGULAR[component.kind]} '{component.name}' ({component.distribution}) "
                        f"returned {type(obj).__name__}, not a {component.cls.__name__}")
    return obj


def _set_precision(models: Models, precision: str, device: torch.device) -> None:
    if precision == "fp32":
        return
    if precision == "fp16" and device.type != "cuda":
        raise UserError("Experiment.precision = 'fp16' needs a GPU; use 'bf16' or 'fp32' on a CPU")
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    models.autocast = functools.partial(torch.autocast, device_type=device.type, dtype=dtype)
    if precision == "fp16":
        models.g_scaler = torch.amp.GradScaler(device.type)
        models.d_scaler = torch.amp.GradScaler(device.type)


def _component(factory, kind: str, where: str) -> Component:
    registry = get_registry()
    component = registry.find(factory)
    if component is None:
        shown = getattr(factory, "__name__", repr(factory))
        raise UserError(f"{where} = {shown} is not a registered component; use @NAME with a "
                        f"name from `gan3d-bench list {kind}`")
    if component.kind != kind:
        raise UserError(f"{where} = @{component.name} is a {SINGULAR[component.kind]}, "
                        f"not a {SINGULAR[kind]}; `gan3d-bench list {kind}` shows the {kind}")
    return component


@torch.no_grad()
def _check_generator_output(generator: Generator, name: str, modality: str,
                            resolution: int) -> None:
    """Generates two samples (eval mode, a private RNG: no training state changes) and checks
    their shape, so a wrong output is one clear error and not a crash inside the
    discriminator. Images: ``[2, 3, R, R]``; voxels: ``[2, C, D, H, W]``."""
    was_training = generator.training
    generator.eval()
    try:
        inputs = generator.sample_inputs(2, generator=torch.Generator().manual_seed(0))
        output = generator(**inputs)
    finally:
        generator.train(was_training)
    shape = tuple(output.shape) if torch.is_tensor(output) else None
    expected = (2, 3, resolution, resolution) if modality == "image" else None
    wrong = shape is None or (shape != expected if expected else len(shape) != 5)
    if wrong:
        want = str(expected) if expected else "[2, C, D, H, W]"
        got = shape if shape is not None else type(output).__name__
        raise UserError(f"generator '{name}' returned {got} for 2 samples, but this "
                        f"experiment needs {modality} of shape {want} (Experiment.resolution "
                        f"= {resolution}); fix the generator's output size, or run the "
                        f"contract suite on it (docs/plugins.md)")


def _check_match(dataset: Dataset, generator: Generator, discriminator: Discriminator,
                 components: dict[str, Component], resolution: int) -> None:
    names = {role: component.name for role, component in components.items()}
    for role, obj in (("dataset", dataset), ("generator", generator),
                      ("discriminator", discriminator)):
        if getattr(obj, "resolution", resolution) != resolution:
            raise UserError(f"{role} '{names[role]}' has resolution {obj.resolution}, but "
                            f"Experiment.resolution is {resolution}; set the resolution once, "
                            f"with Experiment.resolution")
    for role, obj in (("generator", generator), ("discriminator", discriminator)):
        if obj.modality != dataset.modality:
            raise UserError(f"{role} '{names[role]}' works on {obj.modality}, but dataset "
                            f"'{names['dataset']}' gives {dataset.modality}")
    if generator.num_classes and generator.num_classes != dataset.num_classes:
        raise UserError(f"generator '{names['generator']}' is conditioned on "
                        f"{generator.num_classes} classes, but dataset '{names['dataset']}' has "
                        f"{dataset.num_classes}")
