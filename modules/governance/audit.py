"""The audit trail: one multi-region CloudTrail per environment.

Management events of every region, and S3 data events (object reads and writes) on
every bucket that holds a dataset, so "who read this training data" has an answer.
Log files are encrypted with the platform key, signed (log file validation) and
delivered to a dedicated bucket with the S3 baseline, whose access logs go to the
environment's log bucket; a copy streams to a KMS-encrypted CloudWatch Logs group for
alarms and queries. CloudTrail checks the bucket policy and the key policy when the
trail is created, so both are written before it (`depends_on`).
"""

from __future__ import annotations

from mlops.declared import log_retention
from mlops.iam import service_role, statement
from mlops.module_api import BuildContext
from mlops.s3 import bucket, bucket_name, lifecycle

BUCKET = "audit-trail"
PATH = ("governance", "audit_trail")


def trail_name(spec, env) -> str:
    return f"{spec['project']}-{env.name}"


def build(ctx: BuildContext) -> None:
    settings, env, spec = ctx.section["audit_trail"], ctx.env, ctx.spec
    if not settings["enabled"]:
        return
    key = ctx.imported("keys").platform
    trail_arn = env.arn("cloudtrail", f"trail/{trail_name(spec, env)}")
    name = bucket_name(spec, env, BUCKET)
    s3_arn = f"arn:{env.partition}:s3:::{name}"
    from_this_trail = [("StringEquals", "aws:SourceArn", [trail_arn])]
    cloudtrail = {"Service": ["cloudtrail.amazonaws.com"]}
    # No S3 Bucket Key: with one, CloudTrail would also need kms:Decrypt to write.
    logs = bucket(ctx, "audit_trail", name, PATH, kms_key=key, bucket_key=False, policy_statements=[
        statement("CloudTrailChecksAcl", ["s3:GetBucketAcl"], [s3_arn], principals=cloudtrail, conditions=from_this_trail),
        statement("CloudTrailWritesLogs", ["s3:PutObject"], [f"{s3_arn}/AWSLogs/{env.account}/*"], principals=cloudtrail,
                  conditions=[("StringEquals", "s3:x-amz-acl", ["bucket-owner-full-control"]), *from_this_trail]),
    ])
    lifecycle(ctx, logs, PATH, noncurrent_days=30, expire_days=settings["retention_days"])
    access_logs = ctx.imported("data.access_logs", None)
    if access_logs:
        ctx.resource("aws_s3_bucket_logging", logs.name, {
            "bucket": logs.ref("id"), "target_bucket": access_logs.ref("id"), "target_prefix": f"{BUCKET}/",
        }, path=PATH)
    else:
        ctx.exception("CKV_AWS_18", logs, "the spec has no data section, so no access-log bucket to send to")
    ctx.exception("CKV_AWS_144", logs, "the audit trail is multi-region already; its bucket is not replicated by mlops")
    ctx.exception("CKV2_AWS_62", logs, "only CloudTrail writes here; alarms read the CloudWatch Logs copy instead of S3 events")
    ctx.allow_key_use("platform", statement(
        "CloudTrailEncryptsLogs", ["kms:GenerateDataKey*"], ["*"], principals=cloudtrail,
        conditions=[("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn",
                      [f"arn:{env.partition}:cloudtrail:*:{env.account}:trail/*"]), *from_this_trail],
    ))
    ctx.allow_key_use("platform", statement(
        "CloudTrailDescribesKey", ["kms:DescribeKey"], ["*"], principals=cloudtrail, conditions=from_this_trail,
    ))
    group = ctx.resource("aws_cloudwatch_log_group", "audit_trail", {
        "name": f"/mlops/{spec['project']}/{env.name}/audit-trail",
        "retention_in_days": settings["log_retention_days"],
        "kms_key_id": key,
    }, path=PATH)
    log_retention(ctx, group, settings["log_retention_days"], PATH + ("log_retention_days",), "the audit trail's logs")
    role = service_role(ctx, "audit_trail", "cloudtrail.amazonaws.com", [statement(
        "DeliverTrailToLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [group.ref("arn") + ":log-stream:*"],
    )], path=PATH, source_arn=trail_arn)
    trail = ctx.resource("aws_cloudtrail", "audit", {
        "name": trail_name(spec, env),
        "s3_bucket_name": logs.ref("id"),
        "is_multi_region_trail": True,
        "include_global_service_events": True,
        "enable_log_file_validation": True,
        "kms_key_id": key,
        "cloud_watch_logs_group_arn": group.ref("arn") + ":*",
        "cloud_watch_logs_role_arn": role.ref("arn"),
        "advanced_event_selector": _selectors(ctx),
    }, path=PATH, depends_on=[ctx.stack.get(f"aws_s3_bucket_policy.{logs.name}"), ctx.stack.get("aws_kms_key.platform")])
    ctx.exception("CKV_AWS_252", trail, "a notification per delivered log file would flood the alerts topic; "
                  "alarms read the CloudWatch Logs copy instead")
    ctx.output("audit_trail_arn", trail.ref("arn"), "ARN of the environment's multi-region CloudTrail")
    ctx.output("audit_trail_bucket", logs.ref("bucket"), "S3 bucket that keeps the audit trail's log files")


def _selectors(ctx: BuildContext) -> list[dict]:
    """All management events, plus object-level events on the buckets that hold datasets."""
    selectors = [{"name": "Management events", "field_selector": [{"field": "eventCategory", "equals": ["Management"]}]}]
    datasets = ctx.imported("data.datasets", {})
    buckets = sorted({ds.bucket.ref("arn") + "/" for ds in datasets.values()})
    if buckets:
        selectors.append({"name": "Dataset object events", "field_selector": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            {"field": "resources.ARN", "starts_with": buckets},
        ]})
    return selectors
