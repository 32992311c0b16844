"""Custom images (training option 3): per image an ECR repository and a release
pipeline -- CodePipeline from the image's source repository and branch, CodeBuild that
builds the image, runs its tests inside it without network, pushes it, and publishes
its digest to an SSM parameter that training reads. Pushing is by immutable tag; what
is published is the digest, so a training job always names exactly the bytes tested."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace

from mlops.iam import statement
from mlops.module_api import BuildContext, tf_name
from mlops.releases import Source, buildspec as render_buildspec, release_pipeline

from mlops_modules.data.exports import Bucket

from .exports import Image, repository_name

UNPUBLISHED = "unpublished"


def parameter_name(project: str, env: str, image: str) -> str:
    return f"/mlops/{project}/{env}/images/{image}"


def buildspec(image: str, settings: dict) -> str:
    """The CodeBuild buildspec that releases one image."""
    tagged = '"${REPOSITORY_URI}:${IMAGE_TAG}"'
    build = [
        f"docker build --pull --file {shlex.quote(settings['dockerfile'])} --tag {tagged} {shlex.quote(settings['context'])}",
    ]
    if settings.get("test_command"):
        build.append(f"docker run --rm --network none --entrypoint /bin/sh {tagged} -c {shlex.quote(settings['test_command'])}")
    return render_buildspec(
        f"Builds {image} from {settings['source']}, tests it without network, publishes it by digest.",
        [
            ("pre_build", [
                'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
                'IMAGE_TAG="${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}-${CODEBUILD_BUILD_NUMBER}"',
            ]),
            ("build", build),
            ("post_build", [
                'if [ "$CODEBUILD_BUILD_SUCCEEDING" != 1 ]; then exit 1; fi',
                f"docker push {tagged}",
                f"DIGEST=$(docker inspect --format '{{{{index .RepoDigests 0}}}}' {tagged})",
                'aws ssm put-parameter --name "$DIGEST_PARAMETER" --type String --overwrite --value "$DIGEST"',
                'printf \'{"ImageURI":"%s"}\' "$DIGEST" > imageDetail.json',
            ]),
        ],
        artifacts=["imageDetail.json"],
    )


def build(ctx: BuildContext, sources: dict[str, Source], artifacts: Bucket | None) -> dict[str, Image]:
    """Create every image's repository and pipeline; return, per image, its repository
    and the SSM parameter that holds the published digest."""
    images, env, project = ctx.section["images"], ctx.env, ctx.spec["project"]
    if not images:  # the spec may then have no data section, hence no buckets
        return {}
    key = ctx.imported("keys").platform
    published = {}
    for name in sorted(images):
        settings, path = images[name], ("repositories", "images", name)
        ident = tf_name("image", name)
        repo = ctx.resource("aws_ecr_repository", ident, {
            "name": repository_name(project, name),
            "image_tag_mutability": "IMMUTABLE",
            "image_scanning_configuration": [{"scan_on_push": True}],
            "encryption_configuration": [{"encryption_type": "KMS", "kms_key": key}],
            "force_delete": False,
        }, path=path, prevent_destroy=True)
        ctx.resource("aws_ecr_lifecycle_policy", ident, {"repository": repo.ref("name"),
                                                         "policy": _lifecycle(settings["keep_images"])}, path=path)
        digest = ctx.resource("aws_ssm_parameter", ident, {
            "name": parameter_name(project, env.name, name),
            "description": f"Digest of the latest tested {name} image, written by its build pipeline",
            "type": "String",
            # insecure_value, unlike value, is not sensitive: plans show the digest change.
            "insecure_value": UNPUBLISHED,
        }, path=path, ignore_changes=["insecure_value"])
        ctx.exception("CKV2_AWS_34", digest, "an image digest is public metadata, shown in plans so a new "
                      "training image is a reviewed change; encryption would hide it")
        source = sources[settings["source"]]
        source = replace(source, branch=settings.get("branch") or source.branch)
        _pipeline(ctx, name, settings, path, repo, digest, source, artifacts, key)
        ctx.output(f"image_{tf_name(name)}_repository_url", repo.ref("repository_url"), f"ECR repository of {name}",
                   path=("repositories", "images", name))
        published[name] = Image(repository=repo, parameter=digest)
    return published


def _lifecycle(keep: int) -> str:
    rules = [
        {"rulePriority": 1, "description": "Expire untagged images after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"Keep the last {keep} images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
         "action": {"type": "expire"}},
    ]
    return json.dumps({"rules": rules}, sort_keys=True)


def _pipeline(ctx, name, settings, path, repo, digest, source, artifacts, key) -> None:
    project = release_pipeline(
        ctx, tf_name("image", name), name, source, path,
        buildspec=buildspec(name, settings),
        compute_type=settings["compute_type"], timeout=settings["timeout_minutes"], privileged=True,
        variables={"DIGEST_PARAMETER": digest.ref("name"), "REPOSITORY_URI": repo.ref("repository_url")},
        statements=[
            statement("LogInToEcr", ["ecr:GetAuthorizationToken"], ["*"]),
            statement("PushImage", ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                                    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage",
                                    "ecr:UploadLayerPart"], [repo.ref("arn")]),
            statement("PublishDigest", ["ssm:PutParameter"], [digest.ref("arn")]),
        ],
        artifacts=artifacts, key=key,
    )
    ctx.exception("CKV_AWS_316", project, "building a container image needs the Docker daemon, which CodeBuild "
                  "runs only in privileged mode; the project builds only this image from its own repository")
