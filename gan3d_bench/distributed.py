"""Distributed training with PyTorch's own engine: torchrun + DistributedDataParallel.

``torchrun --nproc_per_node N -m gan3d_bench run CONFIG.gin`` starts N processes; each reads
its rank from the environment torchrun sets, joins the process group (NCCL on GPUs, gloo on
CPUs), trains on its own shard of the data with the networks wrapped in DDP, and only rank 0
writes files. Without torchrun everything here is a no-op.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from gan3d_bench.errors import UserError


@dataclass(frozen=True)
class DistInfo:
    """This process's place in a (possibly one-process) job.

    Attributes:
        rank: global rank.
        world_size: number of processes.
        local_rank: rank on this machine.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """True on the process that writes files (rank 0)."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """True when more than one process takes part."""
        return self.world_size > 1


SINGLE = DistInfo()


def launched_by_torchrun() -> bool:
    """Whether torchrun (or another launcher) set the usual environment variables."""
    return all(key in os.environ for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))


def init_from_env(device: str | None = None) -> DistInfo:
    """Joins the process group that torchrun describes in the environment.

    Args:
        device: the requested device (``auto``, ``cpu``, ``cuda``...); CPU runs use gloo,
            GPU runs NCCL with one GPU per local rank.

    Returns:
        This process's ``DistInfo`` (``SINGLE`` when not launched by torchrun).

    Raises:
        UserError: more processes on a machine than GPUs.
    """
    if not launched_by_torchrun() or int(os.environ["WORLD_SIZE"]) == 1:
        return SINGLE
    info = DistInfo(rank=int(os.environ["RANK"]), world_size=int(os.environ["WORLD_SIZE"]),
                    local_rank=int(os.environ["LOCAL_RANK"]))
    use_cuda = torch.cuda.is_available() and (device or "auto") != "cpu"
    if use_cuda:
        if info.local_rank >= torch.cuda.device_count():
            raise UserError(f"local rank {info.local_rank} has no GPU: this machine has "
                            f"{torch.cuda.device_count()}; lower --nproc_per_node")
        torch.cuda.set_device(info.local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo",
                                timeout=_dt.timedelta(minutes=30))
    return info


def device_for(info: DistInfo, requested: str | None) -> str | None:
    """The device a rank trains on: its own GPU under torchrun, else what was asked.

    Args:
        info: the rank.
        requested: ``--device`` (None: the experiment's setting).

    Returns:
        A device string, or None to keep the experiment's setting.
    """
    if info.distributed and torch.cuda.is_available() and requested != "cpu":
        return f"cuda:{info.local_rank}"
    return requested


def wrap_models(models, info: DistInfo) -> None:
    """Wraps the generator and discriminator in DDP for the training step.

    The unwrapped modules stay in ``models.generator`` / ``models.discriminator`` (for
    sampling, checkpoints and the generator update's frozen discriminator); the step calls
    ``models.g_call`` / ``models.d_call``, which synchronise gradients across ranks.

    A network's output may go unused by a loss (HoloGAN's latent head when the identity loss
    is off, a style head, an auxiliary classifier), so DDP looks for parameters without
    gradients in every backward pass (``find_unused_parameters``) instead of waiting for them.

    Args:
        models: the ``Models`` of the experiment.
        info: the rank.
    """
    if not info.distributed:
        return
    device_ids = [info.local_rank] if torch.cuda.is_available() and \
        next(models.generator.parameters()).is_cuda else None
    models.g_call = DistributedDataParallel(models.generator, device_ids=device_ids,
                                            find_unused_parameters=True)
    models.d_call = DistributedDataParallel(models.discriminator, device_ids=device_ids,
                                            find_unused_parameters=True)


def broadcast_object(obj, info: DistInfo, source: int = 0):
    """Sends a picklable object from ``source`` to every rank.

    Args:
        obj: the object (used on ``source`` only).
        info: the rank.
        source: the sending rank.

    Returns:
        The object, on every rank.
    """
    if not info.distributed:
        return obj
    holder = [obj if info.rank == source else None]
    dist.broadcast_object_list(holder, src=source)
    return holder[0]


def gather_objects(obj, info: DistInfo) -> list:
    """Collects one picklable object from every rank, on every rank.

    Args:
        obj: this rank's object.
        info: the rank.

    Returns:
        The objects, by rank.
    """
    if not info.distributed:
        return [obj]
    gathered = [None] * info.world_size
    dist.all_gather_object(gathered, obj)
    return gathered


def barrier(info: DistInfo) -> None:
    """Waits for every rank (a no-op in a single process)."""
    if info.distributed:
        dist.barrier()


def shutdown() -> None:
    """Leaves the process group, if one was joined."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
