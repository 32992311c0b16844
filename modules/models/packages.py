"""Code packages: for every model whose training, preprocessing or evaluation runs a
script, a release pipeline (`mlops.releases`) that packages the script directory of the
model's source repository as `sourcedir.tar.gz` on every push, where training and
processing jobs read it (the layout SageMaker's framework containers expect)."""

from __future__ import annotations

import shlex

from mlops.iam import statement
from mlops.module_api import BuildContext, tf_name
from mlops.releases import buildspec, release_pipeline

from mlops_modules.data.exports import Bucket
from mlops_modules.repositories.exports import Repositories

from .exports import needs_package


def package_key(model: str) -> str:
    return f"models/{model}/code/sourcedir.tar.gz"


def build(ctx: BuildContext, name: str, model: dict, output: Bucket) -> str | None:
    """The package pipeline of one model, when it runs a script; the S3 URI of its package."""
    if not needs_package(model):
        return None
    training, path = model["training"], ("models", name, "training", "source")
    repositories: Repositories = ctx.imported("repositories")
    key = ctx.imported("keys").platform
    object_key = package_key(name)
    spec = buildspec(
        f"Packages {training['source_dir']} of {training['source']} for model {name}.",
        [("build", [
            f"tar --create --gzip --file /tmp/sourcedir.tar.gz --directory {shlex.quote(training['source_dir'])} .",
            'aws s3 cp /tmp/sourcedir.tar.gz "s3://${PACKAGE_BUCKET}/${PACKAGE_KEY}" --sse aws:kms --sse-kms-key-id "$KMS_KEY"',
        ])],
    )
    release_pipeline(
        ctx, tf_name("package", name), f"{name}-code", repositories.sources[training["source"]], path,
        buildspec=spec, compute_type="BUILD_GENERAL1_SMALL", timeout=15, privileged=False,
        variables={"PACKAGE_BUCKET": output.ref("bucket"), "PACKAGE_KEY": object_key, "KMS_KEY": key},
        statements=[statement("PublishPackage", ["s3:PutObject"], [f"{output.ref('arn')}/{object_key}"])],
        artifacts=repositories.artifacts, key=key,
    )
    return f"s3://{output.ref('bucket')}/{object_key}"
