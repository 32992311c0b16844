"""What the repositories module publishes (`ctx.imported("repositories")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.module_api import Resource
from mlops.releases import Source

from mlops_modules.data.exports import Bucket

__all__ = ["Image", "Repositories", "Source"]


def repository_name(project: str, image: str) -> str:
    """An image's ECR repository name: one per project (environments sharing an account
    share it), named alike in the environment that trains and those serving from it."""
    return f"{project}/{image}"


@dataclass(frozen=True)
class Image:
    """A custom image: its ECR repository, and the SSM parameter its release pipeline
    writes the digest of the latest tested build to (what training runs)."""

    repository: Resource
    parameter: Resource


@dataclass(frozen=True)
class Repositories:
    sources: Mapping[str, Source]  # by repositories.code name: what a release pipeline pulls
    images: Mapping[str, Image]    # by repositories.images name
    # The bucket release pipelines keep their artifacts in (repositories.artifact_bucket);
    # None when the spec has no such data bucket (then it has no images either).
    artifacts: Bucket | None
