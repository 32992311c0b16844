"""Part of the module API: an environment, one deployment target of the spec (its own
account, region, stack and output directory), as modules' builds and checks get it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Environment:
    """One deployment target: its own account, region, stack and output directory."""

    name: str
    account: str
    region: str
    role_arn: str | None = None

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
