"""Part of the module API: an environment, one deployment target of the spec (its own
account, region, stack and output directory), as modules' builds and checks get it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Environment:
    """One deployment target: its own account, region, stack and output directory."""

    name: str
    account: str
    region: str
    role_arn: str | None = None
    # The environment whose model versions this one serves (`serves_from`); None when it
    # trains its own (mlops.serving says what each side then builds and grants).
    serves_from: str | None = None

    @property
    def partition(self) -> str:
        """The ARN partition of the region: aws, aws-cn or aws-us-gov."""
        return partition(self.region)

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        """An ARN in this environment's partition and account."""
        where = self.region if region else ""
        return f"arn:{self.partition}:{service}:{where}:{self.account}:{resource}"


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def environment(data: Mapping[str, Any], name: str) -> Environment:
    """Environment `name` of a spec that passed the schema (the role as an ARN)."""
    env = data["environments"][name]
    region = env.get("region") or data["region"]
    role = env.get("role")
    if role and not role.startswith("arn:"):
        role = f"arn:{partition(region)}:iam::{env['account']}:role/{role}"
    return Environment(name=name, account=env["account"], region=region, role_arn=role,
                       serves_from=env.get("serves_from"))
