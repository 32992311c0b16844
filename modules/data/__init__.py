"""data: dataset versioning and the data platform (components 2 and 10).

Named buckets (raw data, features, artifacts, ...) and named datasets, a prefix in one
of them, that later modules refer to by name. Dataset versions are S3 object versions
(every bucket is versioned), optionally made immutable for a while with Object Lock;
every bucket sends its events to EventBridge so new data can trigger retraining.
Server access logs of every bucket go to one log bucket per environment, which accepts
them from any mlops bucket of the environment (the audit trail's too).
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean
from mlops.iam import statement
from mlops.module_api import BuildContext, Environment, module, tf_name
from mlops.s3 import MAX_NAME, bucket, bucket_name, bucket_name_pattern, lifecycle

from .exports import Bucket, Data, Dataset

LOG_BUCKET = "access-logs"


def build(ctx: BuildContext) -> None:
    data, env, spec = ctx.section, ctx.env, ctx.spec
    keys = ctx.imported("keys.arns")
    names = sorted(data["buckets"])
    logs = _log_bucket(ctx, [tf_name("data", n) for n in names])
    made = {}
    for name in names:
        settings, path = data["buckets"][name], ("data", "buckets", name)
        lock = settings.get("object_lock_days")
        b = bucket(ctx, tf_name("data", name), bucket_name(spec, env, name), path, kms_key=keys[settings["key"]],
                   object_lock={"days": lock, "mode": settings["object_lock_mode"]} if lock else None)
        ctx.resource("aws_s3_bucket_logging", b.name,
                     {"bucket": b.ref("id"), "target_bucket": logs.ref("id"), "target_prefix": f"{name}/"}, path=path)
        lifecycle(ctx, b, path, noncurrent_days=settings["noncurrent_version_days"],
                  infrequent_access_days=settings.get("infrequent_access_days"))
        ctx.resource("aws_s3_bucket_notification", b.name, {"bucket": b.ref("id"), "eventbridge": True}, path=path)
        ctx.exception("CKV_AWS_144", b, "cross-region replication is not configured by mlops; "
                      "versioning (and Object Lock where set) protect dataset versions in-region")
        ctx.output(f"bucket_{tf_name(name)}", b.ref("bucket"), f"S3 name of the {name} bucket", path=path)
        made[name] = Bucket(b, keys[settings["key"]])
    datasets = {}
    for name in sorted(data["datasets"]):
        ds = data["datasets"][name]
        uri = f"s3://{made[ds['bucket']].resource.attrs['bucket']}/{ds['prefix']}"
        datasets[name] = Dataset(made[ds["bucket"]], ds["prefix"], uri)
        ctx.output(f"dataset_{tf_name(name)}_uri", uri, f"S3 URI of the {name} dataset",
                   path=("data", "datasets", name))
    ctx.export(Data(buckets=made, datasets=datasets, access_logs=logs))


def _log_bucket(ctx: BuildContext, sources: list[str]):
    env, spec = ctx.env, ctx.spec
    path = ("data", "access_logs")
    name = bucket_name(spec, env, LOG_BUCKET)
    allow_logging = statement(
        "S3ServerAccessLogDelivery", ["s3:PutObject"], [f"arn:{env.partition}:s3:::{name}/*"],
        principals={"Service": ["logging.s3.amazonaws.com"]},
        conditions=[("StringEquals", "aws:SourceAccount", [env.account]),
                    ("ArnLike", "aws:SourceArn", [bucket_name_pattern(spec, env)])],
    )
    logs = bucket(ctx, "access_logs", name, path, kms_key=None, policy_statements=[allow_logging])
    lifecycle(ctx, logs, path, noncurrent_days=30, expire_days=spec["data"]["access_logs"]["retention_days"])
    ctx.exception("CKV_AWS_145", logs, "S3 server access log delivery supports only SSE-S3 (AES256) on the target bucket")
    ctx.exception("CKV_AWS_144", logs, "access logs are audit copies kept in-region; replication is not configured by mlops")
    ctx.exception("CKV2_AWS_62", logs, "the log bucket receives only S3 log delivery; nothing reacts to its events")
    return logs


def check(spec, env: Environment) -> list[SpecError]:
    data = spec["data"]
    errors = []
    domains = {"platform", *spec.get("keys", {}).get("domains", {})}
    for name in sorted(data["buckets"]) + [LOG_BUCKET]:
        full = bucket_name(spec, env, name)
        if len(full) > MAX_NAME:
            where = ("data", "buckets", name) if name != LOG_BUCKET else ("project",)
            errors.append(SpecError(where, f"the S3 name '{full}' in {env.name} is {len(full)} characters; S3 allows {MAX_NAME}",
                                    hint="shorten the project, environment or bucket name", key=name != LOG_BUCKET))
    for name in sorted(data["buckets"]):
        key = data["buckets"][name]["key"]
        if key not in domains:
            errors.append(SpecError(("data", "buckets", name, "key"), f"no KMS key named '{key}'",
                                    hint=did_you_mean(key, domains) or "declare it under keys.domains, or use platform"))
    seen: dict[tuple[str, str], str] = {}
    for name in sorted(data["datasets"]):
        ds = data["datasets"][name]
        if ds["bucket"] not in data["buckets"]:
            errors.append(SpecError(("data", "datasets", name, "bucket"), f"no bucket named '{ds['bucket']}' in data.buckets",
                                    hint=did_you_mean(ds["bucket"], data["buckets"]) or "buckets: " + ", ".join(sorted(data["buckets"]))))
            continue
        for (in_bucket, prefix), other in seen.items():
            if in_bucket == ds["bucket"] and (prefix.startswith(ds["prefix"]) or ds["prefix"].startswith(prefix)):
                errors.append(SpecError(("data", "datasets", name, "prefix"),
                                        f"'{ds['prefix']}' overlaps dataset '{other}' ('{prefix}') in bucket {in_bucket}",
                                        hint="give each dataset its own prefix so their versions never mix"))
        seen[(ds["bucket"], ds["prefix"])] = name
    return errors


MODULE = module(
    __name__, build=build, check=check,
    after=("keys",),
    emits=frozenset({
        "aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
        "aws_s3_bucket_policy", "aws_s3_bucket_object_lock_configuration", "aws_s3_bucket_logging",
        "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_notification", "data.aws_iam_policy_document",
    }),
)
