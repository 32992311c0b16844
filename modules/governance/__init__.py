"""governance: model governance enforced from the spec (component 9).

- required tags: every environment must set them (checked; applied through
  default_tags like every tag);
- a permissions boundary on every role mlops creates (through `role_settings`, which
  `mlops.iam.service_role` applies to every role);
- registry readers: the named environments' accounts may read every model package group
  and its versions, and nothing more (the models module writes each group's one resource
  policy, from this module's plan, `exports.py`);
- environment rules (`rules.py`);
- the audit trail (`audit.py`): a multi-region CloudTrail with S3 data events on the
  dataset buckets.
Keys and their policies are the `keys` module's; every resource also carries the tag
`mlops:spec-path`, set by the compiler.
"""

from __future__ import annotations

from mlops.arns import in_account
from mlops.errors import SpecError, did_you_mean
from mlops.module_api import BuildContext, Environment, module
from mlops.s3 import MAX_NAME, bucket_name

from . import audit, rules
from .exports import plan


def build(ctx: BuildContext) -> None:
    audit.build(ctx)


def check(spec, env: Environment) -> list[SpecError]:
    errors = rules.check(spec, env)
    errors += in_account(("governance", "permissions_boundary"), spec["governance"].get("permissions_boundary") or "", env,
                         "the permissions boundary", f"IAM needs a role's boundary in the role's own account: give the "
                         f"policy's name (mlops builds its ARN in each environment's account), or set it per environment "
                         f"in environments.{env.name}.overrides.governance.permissions_boundary")
    trail_bucket = bucket_name(spec, env, audit.BUCKET)
    if spec["governance"]["audit_trail"]["enabled"] and len(trail_bucket) > MAX_NAME:
        errors.append(SpecError(("project",), f"the audit trail's S3 name '{trail_bucket}' in {env.name} is "
                                f"{len(trail_bucket)} characters; S3 allows {MAX_NAME}",
                                hint="shorten the project or environment name"))
    environments = spec["environments"]
    for index, reader in enumerate(spec["governance"]["registry_readers"]):
        if not reader.isdigit() and reader not in environments:
            errors.append(SpecError(("governance", "registry_readers", index), f"no environment named '{reader}'",
                                    hint=did_you_mean(reader, environments)
                                    or "name an environment under environments, or give a 12-digit account id"))
    for name in sorted(spec["governance"]["rules"]):
        if name not in environments:
            errors.append(SpecError(("governance", "rules", name), f"rules for '{name}', which is not an environment",
                                    hint=did_you_mean(name, environments) or "environments: " + ", ".join(sorted(environments)),
                                    key=True))
    return errors


def role_settings(spec, env: Environment) -> dict:
    """The permissions boundary every role carries, as an ARN in the environment's account."""
    boundary = spec["governance"].get("permissions_boundary")
    if not boundary:
        return {}
    arn = boundary if boundary.startswith("arn:") else env.arn("iam", f"policy/{boundary}", region=False)
    return {"permissions_boundary": arn}


MODULE = module(
    __name__, build=build, check=check, role_settings=role_settings, plan=plan,
    after=("keys", "data", "models"),
    emits=frozenset({
        "data.aws_iam_policy_document", "aws_cloudtrail",
        "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy",
        "aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
        "aws_s3_bucket_policy", "aws_s3_bucket_logging", "aws_s3_bucket_lifecycle_configuration",
    }),
)
