"""Part of the module API: ARNs the spec gives, checked against where they are used.

An ARN names one partition, one account and (for regional services) one region. A
spec is compiled for several environments, often in several accounts, so an ARN
written once in mlops.yaml is right for some environments and wrong for others. The
rules here are AWS's:
- a role's permissions boundary must be a managed policy in the role's own account
  (or an AWS managed policy, account `aws`);
- the role the provider assumes for an environment is in that environment's account
  (`allowed_account_ids` refuses any other);
- S3 encrypts objects only with a KMS key in the bucket's region (the state key);
- every ARN is in the partition of the region it is used in.
A role the S3 backend assumes (`state.role`) is meant to be in the state account,
whatever the environment's, so only its partition is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SpecError
from .module_api import Environment, partition


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse(text: str) -> Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(*parts[1:])


def in_account(path: tuple, text: str, env: Environment, what: str, hint: str) -> list[SpecError]:
    """Errors when the ARN `text` at `path` is not in `env`'s partition and account
    (an AWS managed policy, account `aws`, is in every account)."""
    arn = parse(text)
    if arn is None:
        return []
    if arn.partition != env.partition:
        return [SpecError(path, f"{what} '{text}' is in partition {arn.partition}, and {env.name} ({env.region}) is in {env.partition}",
                          hint=hint)]
    if arn.account not in (env.account, "aws"):
        return [SpecError(path, f"{what} '{text}' is in account {arn.account}, and {env.name}'s account is {env.account}",
                          hint=hint)]
    return []


def check(spec, env: Environment) -> list[SpecError]:
    """The core settings' ARNs, for one environment."""
    errors: list[SpecError] = []
    errors += in_account(("environments", env.name, "role"), env.role_arn or "", env, "the role Terraform assumes",
                         "give the role's name: mlops builds its ARN in the environment's account")
    state = spec["state"]
    region = state.get("region") or spec["region"]
    key = parse(state.get("kms_key_id") or "")
    if key and key.region != region:
        errors.append(SpecError(("state", "kms_key_id"), f"the state key is in {key.region}, and the state bucket in "
                                f"{region}: S3 encrypts objects only with a key in the bucket's region",
                                hint=f"use a key in {region}, or set state.region to the bucket's region"))
    for name in ("kms_key_id", "role"):
        arn = parse(state.get(name) or "")
        if arn and arn.partition != partition(region):
            errors.append(SpecError(("state", name), f"{state[name]} is in partition {arn.partition}, and the state "
                                    f"bucket's region {region} in {partition(region)}",
                                    hint=f"use an ARN that starts with arn:{partition(region)}:"))
    return errors
