"""What the keys module publishes (`ctx.imported("keys")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """The customer-managed KMS keys of one environment."""

    # Key name (`platform`, or a data domain of keys.domains) -> the key's ARN (a reference).
    arns: Mapping[str, str]

    @property
    def platform(self) -> str:
        """The platform key: logs, state machines, endpoints, topics, job volumes and outputs."""
        return self.arns["platform"]
