"""Code packages: for every model whose training, preprocessing or evaluation runs a
script, a pipeline that packages the script directory of the model's source
repository as `sourcedir.tar.gz` on every push, where training and processing jobs
read it (the layout SageMaker's framework containers expect)."""

from __future__ import annotations

import shlex

from mlops.iam import statement
from mlops.module_api import BuildContext, tf_name

from .buildspec import render as render_buildspec
from .images import release_pipeline


def package_key(model: str) -> str:
    return f"models/{model}/code/sourcedir.tar.gz"


def needs_package(model: dict) -> bool:
    training = model["training"]
    return bool(training.get("framework") or model.get("processing") or model["evaluation"].get("entry_point"))


def build(ctx: BuildContext, sources: dict[str, dict]) -> dict[str, str]:
    """Create the package pipelines; return, per model, the S3 URI of its package."""
    models = ctx.spec.get("models", {})
    packaged = sorted(m for m in models if needs_package(models[m]))
    if not packaged:  # the spec may then have no data section, hence no buckets
        return {}
    key = ctx.imported("keys.arns")["platform"]
    buckets = ctx.imported("data.buckets")
    artifacts = buckets[ctx.section["artifact_bucket"]]
    uris = {}
    for name in packaged:
        training, path = models[name]["training"], ("models", name, "training", "source")
        target = buckets[training["output_bucket"]]
        object_key = package_key(name)
        spec = render_buildspec(
            f"Packages {training['source_dir']} of {training['source']} for model {name}.",
            [("build", [
                f"tar --create --gzip --file /tmp/sourcedir.tar.gz --directory {shlex.quote(training['source_dir'])} .",
                'aws s3 cp /tmp/sourcedir.tar.gz "s3://${PACKAGE_BUCKET}/${PACKAGE_KEY}" --sse aws:kms --sse-kms-key-id "$KMS_KEY"',
            ])],
        )
        release_pipeline(
            ctx, tf_name("package", name), f"{name}-code", sources[training["source"]], path,
            buildspec=spec, compute_type="BUILD_GENERAL1_SMALL", timeout=15, privileged=False,
            variables={"PACKAGE_BUCKET": target.ref("bucket"), "PACKAGE_KEY": object_key, "KMS_KEY": key},
            statements=[statement("PublishPackage", ["s3:PutObject"], [f"{target.ref('arn')}/{object_key}"])],
            artifacts=artifacts, key=key,
        )
        uris[name] = f"s3://{target.ref('bucket')}/{object_key}"
    return uris
