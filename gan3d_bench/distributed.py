"""Process-group facts for training and evaluation (single-process unless run by torchrun)."""

from __future__ import annotations

from dataclasses import dataclass


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


SINGLE = DistInfo()
