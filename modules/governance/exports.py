"""What the governance module plans (`ctx.planned("governance")`), before any module builds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.module_api import Environment


@dataclass(frozen=True)
class GovernancePlan:
    """What the models module writes into each model package group's resource policy:
    the registry readers, environment names or account ids (`registry_readers`)."""

    registry_readers: tuple[str, ...]

    def reader_accounts(self, environments: Mapping, env: Environment) -> list[str]:
        """The readers' accounts (`environments` is the spec's section), without `env`'s own."""
        accounts = {environments[r]["account"] if r in environments else r for r in self.registry_readers}
        accounts.discard(env.account)
        return sorted(accounts)


def plan(section: Mapping, env: Environment) -> GovernancePlan:
    return GovernancePlan(registry_readers=tuple(section["registry_readers"]))
