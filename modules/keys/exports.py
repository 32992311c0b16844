"""What the keys module publishes (`ctx.imported("keys")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


PLATFORM = "platform"


def alias(project: str, env_name: str, key: str) -> str:
    """The alias of key `key` (platform, or a data domain) in environment `env_name`: how
    an environment serving this one's versions names the key (its id is made by AWS)."""
    return f"alias/{project}-{env_name}-{key}"


@dataclass(frozen=True)
class Keys:
    """The customer-managed KMS keys of one environment."""

    # Key name (`platform`, or a data domain of keys.domains) -> the key's ARN (a reference).
    arns: Mapping[str, str]

    @property
    def platform(self) -> str:
        """The platform key: logs, state machines, endpoints, topics, job volumes and outputs."""
        return self.arns[PLATFORM]
