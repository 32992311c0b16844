"""Part of the module API: one S3 bucket with the baseline of docs/architecture.md, as the set of
resources the AWS provider splits it into: public access block, owner-enforced
ownership (ACLs off), default encryption, versioning, TLS-only policy and, when asked,
object lock; `lifecycle` adds the lifecycle rules. Used by every module that needs a
bucket (data buckets, the audit trail), so all buckets share one baseline."""

from __future__ import annotations

from typing import Any

from .iam import deny_insecure_transport, document, statement
from .module_api import BuildContext, Resource

ABORT_INCOMPLETE_UPLOADS_DAYS = 7
MAX_NAME = 63


def bucket_name(spec, env, name: str) -> str:
    """The S3 name of an mlops bucket: unique per project, environment and account."""
    return f"{spec['project']}-{env.name}-{name}-{env.account}"


def bucket_name_pattern(spec, env) -> str:
    """An ARN pattern matching every bucket `bucket_name` gives in this environment."""
    return f"arn:{env.partition}:s3:::{spec['project']}-{env.name}-*-{env.account}"


def bucket(ctx: BuildContext, name: str, s3_name: str, path: tuple, *, kms_key: str | None,
           policy_statements: list[dict[str, Any]] = (), object_lock: dict | None = None,
           bucket_key: bool = True) -> Resource:
    """The bucket and its companions; `kms_key` None means SSE-S3 (only for the log bucket).
    `bucket_key` False for writers that cannot use an S3 Bucket Key without extra key
    permissions (CloudTrail)."""
    attrs: dict[str, Any] = {"bucket": s3_name, "force_destroy": False}
    if object_lock:
        attrs["object_lock_enabled"] = True
    b = ctx.resource("aws_s3_bucket", name, attrs, path=path, prevent_destroy=True)
    ref = b.ref("id")
    ctx.resource("aws_s3_bucket_public_access_block", name,
                 {"bucket": ref, "block_public_acls": True, "block_public_policy": True,
                  "ignore_public_acls": True, "restrict_public_buckets": True}, path=path)
    ctx.resource("aws_s3_bucket_ownership_controls", name,
                 {"bucket": ref, "rule": [{"object_ownership": "BucketOwnerEnforced"}]}, path=path)
    default = {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key} if kms_key else {"sse_algorithm": "AES256"}
    ctx.resource("aws_s3_bucket_server_side_encryption_configuration", name,
                 {"bucket": ref, "rule": [{"apply_server_side_encryption_by_default": [default],
                                           "bucket_key_enabled": bool(kms_key) and bucket_key}]}, path=path)
    ctx.resource("aws_s3_bucket_versioning", name,
                 {"bucket": ref, "versioning_configuration": [{"status": "Enabled"}]}, path=path)
    policy = ctx.data("aws_iam_policy_document", f"bucket_{name}", document(
        deny_insecure_transport([b.ref("arn"), b.ref("arn") + "/*"]),
        statement("DenyOutdatedTls", ["s3:*"], [b.ref("arn"), b.ref("arn") + "/*"], effect="Deny",
                  principals={"*": ["*"]}, conditions=[("NumericLessThan", "s3:TlsVersion", ["1.2"])]),
        *policy_statements,
    ), path=path)
    ctx.resource("aws_s3_bucket_policy", name, {"bucket": ref, "policy": policy.ref("json")}, path=path)
    if object_lock:
        ctx.resource("aws_s3_bucket_object_lock_configuration", name,
                     {"bucket": ref, "rule": [{"default_retention": [{"mode": object_lock["mode"], "days": object_lock["days"]}]}]},
                     path=path + ("object_lock_days",))
    return b


def allow(ctx: BuildContext, b: Resource, granted: dict[str, Any]) -> None:
    """Add the statement `granted` to the policy of bucket `b` (made by `bucket`), for a
    module that builds after the bucket's: the roles of an environment that serves
    versions trained here reading their artifacts, say. A statement asked twice is kept once."""
    statements = ctx.stack.get(f"data.aws_iam_policy_document.bucket_{b.name}").attrs["statement"]
    if granted not in statements:
        statements.append(granted)


def lifecycle(ctx: BuildContext, b: Resource, path: tuple, *, noncurrent_days: int,
              expire_days: int | None = None, infrequent_access_days: int | None = None) -> None:
    rule: dict[str, Any] = {
        "id": "baseline",
        "status": "Enabled",
        "filter": [{"prefix": ""}],
        "abort_incomplete_multipart_upload": [{"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS}],
        "noncurrent_version_expiration": [{"noncurrent_days": noncurrent_days}],
    }
    if expire_days:
        rule["expiration"] = [{"days": expire_days}]
    if infrequent_access_days:
        rule["transition"] = [{"days": infrequent_access_days, "storage_class": "STANDARD_IA"}]
    ctx.resource("aws_s3_bucket_lifecycle_configuration", b.name,
                 {"bucket": b.ref("id"), "rule": [rule]}, path=path)
