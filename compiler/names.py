"""Part of the module API: AWS physical names that fit their limit and never collide.

Vocabulary: a *physical name* is the name AWS knows a resource by (an IAM role's
`name`, a bucket's `bucket`, a pipeline's `pipeline_name`), as opposed to its
Terraform address. AWS keeps one namespace per type, and per account (IAM, which is
global), per account and region (almost everything else), or per partition (S3
buckets); a few names live inside a parent (a role's inline policies, a bucket's
objects). Two resources with one name in one namespace make the second create fail.

Names are built from project, environment and spec names, so most fit. Where one may
not, `fit` shortens it *by construction without collisions*: a name over its limit
keeps its first characters and ends in `-` and the first 8 hex digits of the SHA-256
of the whole name, so two long names that differ anywhere stay different, and the same
spec always gives the same name. `check` then proves it over the built stacks of every
environment (environments may share an account): no two resources of one type get the
same physical name in one namespace.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .errors import SpecError, format_path

HASH_LENGTH = 8


def fit(name: str, limit: int) -> str:
    """`name` if it has at most `limit` characters, else its head, `-` and a hash of it."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:HASH_LENGTH]
    head = name[: limit - HASH_LENGTH - 1].rstrip("-_/.")
    return f"{head}-{digest}"


# Per resource type: the attribute holding its physical name (`name` unless said), the
# attributes naming the parent it is unique within (none unless said), and the
# namespace's extent ("region", account and region, unless said; "account": IAM;
# "partition": S3 buckets).
_NAME_ATTRIBUTES = {
    **dict.fromkeys((
        "aws_appautoscaling_policy", "aws_cloudtrail", "aws_cloudwatch_event_rule", "aws_cloudwatch_log_group",
        "aws_codebuild_project", "aws_codecommit_approval_rule_template", "aws_codeconnections_connection",
        "aws_codepipeline", "aws_ecr_repository", "aws_iam_role", "aws_iam_role_policy", "aws_kms_alias",
        "aws_sagemaker_data_quality_job_definition", "aws_sagemaker_endpoint", "aws_sagemaker_model",
        "aws_sagemaker_monitoring_schedule", "aws_scheduler_schedule", "aws_security_group", "aws_sfn_state_machine",
        "aws_sns_topic", "aws_ssm_parameter"), "name"),
    **dict.fromkeys(("awscc_sagemaker_model_bias_job_definition", "awscc_sagemaker_model_explainability_job_definition",
                     "awscc_sagemaker_model_quality_job_definition"), "job_definition_name"),
    "aws_cloudwatch_dashboard": "dashboard_name", "aws_cloudwatch_metric_alarm": "alarm_name",
    "aws_codecommit_repository": "repository_name", "aws_s3_bucket": "bucket", "aws_s3_object": "key",
    "aws_sagemaker_domain": "domain_name", "aws_sagemaker_mlflow_tracking_server": "tracking_server_name",
    "aws_sagemaker_model_card": "model_card_name", "aws_sagemaker_model_package_group": "model_package_group_name",
    "aws_sagemaker_pipeline": "pipeline_name", "aws_sagemaker_user_profile": "user_profile_name",
}
_PARENTS = {"aws_appautoscaling_policy": "resource_id", "aws_cloudwatch_event_rule": "event_bus_name",
            "aws_iam_role_policy": "role", "aws_s3_object": "bucket", "aws_sagemaker_user_profile": "domain_id",
            "aws_scheduler_schedule": "group_name", "aws_security_group": "vpc_id"}
_EXTENTS = {"aws_cloudwatch_dashboard": "account",  # dashboards are global
            "aws_iam_role": "account", "aws_iam_role_policy": "account", "aws_s3_bucket": "partition",
            "aws_s3_object": "partition"}
NAMES: dict[str, tuple[str, tuple[str, ...], str]] = {
    kind: (attribute, (_PARENTS[kind],) if kind in _PARENTS else (), _EXTENTS.get(kind, "region"))
    for kind, attribute in sorted(_NAME_ATTRIBUTES.items())
}
# Types without a name of their own: AWS assigns their id (VPCs, keys, targets,
# subscriptions), Terraform adds a unique suffix (`name_prefix`), or they are a setting
# of one named parent (a bucket's policy, a repository's lifecycle policy).
UNNAMED = frozenset({
    "aws_appautoscaling_target", "aws_cloudwatch_event_bus_policy", "aws_cloudwatch_event_target",
    "aws_codecommit_approval_rule_template_association", "aws_default_security_group", "aws_ecr_lifecycle_policy",
    "aws_ecr_repository_policy", "aws_eip", "aws_flow_log", "aws_internet_gateway", "aws_kms_key", "aws_nat_gateway",
    "aws_route", "aws_route_table", "aws_route_table_association",
    "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_notification",
    "aws_s3_bucket_object_lock_configuration", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning", "aws_sagemaker_endpoint_configuration", "aws_sagemaker_model_package_group_policy",
    "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_subnet", "aws_vpc", "aws_vpc_endpoint",
    "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule",
})
# CodePipeline keeps a pipeline's artifacts in a folder named after the first 20
# characters of the pipeline name, so those must differ too (within one artifact store).
CODEPIPELINE_ARTIFACT_PREFIX = 20


RENAME_HINT = "rename one of the two entries (names are built from project, environment and entry names)"
SHARED_HINT = "this name does not include the environment: give each environment its own account"


def check(stacks: Iterable) -> list[SpecError]:
    """Every two resources of one type in one namespace, across all environments'
    stacks (`module_api.Stack`), that get the same physical name: one error each, at the
    spec entry of the second. (Two spec entries whose names give one Terraform address
    are found earlier, when the build adds them to a stack: `module_api.Stack.add`.)"""
    seen: dict[tuple, tuple] = {}
    errors: list[SpecError] = []
    for stack in stacks:
        env = stack.env
        for resource in stack.resources:
            if resource.data_source:
                continue
            for key, name in _identities(resource, env):
                first = seen.setdefault(key, (stack, resource))
                if first[1] is resource:
                    continue
                other_stack, other = first
                shared = other_stack is not stack
                where = f"{other_stack.env.name} and {env.name}, which share account {env.account}" if shared else env.name
                what = "the artifact folder (first 20 characters) of " if key[0] == "codepipeline-artifacts" else ""
                same = other.address == resource.address
                both = f"{resource.address} would be named '{name}' in both" if same else (
                    f"{resource.address} and {other.address} ({format_path(other.spec_path)}) would both be named '{name}' in")
                errors.append(SpecError(resource.spec_path, f"module {resource.module}: {what}{both} {where}",
                                        hint=SHARED_HINT if same else RENAME_HINT,
                    key=True))
    return errors


def _identities(resource, env) -> list[tuple[tuple, str]]:
    entry = NAMES.get(resource.type)
    if not entry:
        return []
    attribute, parents, extent = entry
    name = resource.attrs.get(attribute)
    if not isinstance(name, str) or "${" in name:
        return []  # named by AWS or by another resource: nothing to compare before apply
    space: tuple = (env.partition,)
    if extent != "partition":
        space += (env.account,)
    if extent == "region":
        space += (env.region,)
    # A parent named by reference (`${aws_iam_role.x.id}`) is another resource of the
    # same stack: the same reference in two stacks names two parents.
    scope = tuple(_qualified(resource.attrs.get(p, ""), env) for p in parents)
    found = [((resource.type, *space, *scope, name), name)]
    if resource.type == "aws_codepipeline":
        store = _qualified([s.get("location") for s in resource.attrs.get("artifact_store", [])], env)
        found.append((("codepipeline-artifacts", *space, store, name[:CODEPIPELINE_ARTIFACT_PREFIX]),
                      name[:CODEPIPELINE_ARTIFACT_PREFIX]))
    return found


def _qualified(value, env) -> str:
    text = str(value)
    return f"{env.name}:{text}" if "${" in text else text
