"""The hook every interface shares with the contract suite."""

from __future__ import annotations

from pathlib import Path


class ContractHooks:
    """Mixed into every interface base class."""

    @classmethod
    def contract_kwargs(cls, workdir: Path) -> dict:
        """Keyword arguments the contract suite constructs this component with.

        Override when the component cannot be built from its defaults alone (a folder of
        images, a weights file, an inner network); ``workdir`` is an empty temporary folder
        to create such things in.

        Args:
            workdir: a temporary folder.

        Returns:
            Constructor keyword arguments (empty by default).
        """
        return {}
