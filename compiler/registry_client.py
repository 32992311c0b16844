"""What a model package group holds, asked of SageMaker with boto3.

Used by `mlops versions` and `mlops promote`, never by validate or compile: those work
without credentials. Groups and versions are addressed by ARN. What a version scored
is read where AWS recorded it: the training job that produced its artifact (SageMaker
writes it to `<S3OutputPath>/<job name>/output/model.tar.gz`), whose
FinalMetricDataList holds every metric the job reported. AWS_ENDPOINT_URL (boto3's own
setting) points the calls elsewhere, as the tests do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .module_api import Environment

_ARTIFACT = re.compile(r"^s3://.+/(?P<job>[A-Za-z0-9](-*[A-Za-z0-9]){0,62})/output/model\.tar\.gz$")


class RegistryError(Exception):
    """The registry could not be asked (no credentials, no access, no network)."""


@dataclass(frozen=True)
class Version:
    number: int
    status: str
    created: datetime
    arn: str
    training_job: str | None  # the job that produced the artifact, when its path says so
    metrics: dict[str, float] = field(default_factory=dict)  # what that job reported


class Registry:
    """One model package group in one environment's account and region."""

    def __init__(self, env: Environment, group: str, profile: str | None = None):
        import boto3

        from botocore.exceptions import BotoCoreError

        self.env, self.group = env, group
        self.arn = env.arn("sagemaker", f"model-package-group/{group}")
        try:
            self._client = boto3.Session(profile_name=profile).client("sagemaker", region_name=env.region)
        except BotoCoreError as exc:  # an unknown --profile, say
            raise RegistryError(str(exc)) from None

    def versions(self) -> list[Version]:
        """Every version, newest first."""
        found = []
        for summary in self._call("list_model_packages", paginate="ModelPackageSummaryList",
                                  ModelPackageGroupName=self.arn, SortBy="CreationTime", SortOrder="Descending"):
            found.append(self._describe(summary["ModelPackageArn"]))
        return sorted(found, key=lambda v: v.number, reverse=True)

    def version(self, number: int) -> Version | None:
        arn = self.env.arn("sagemaker", f"model-package/{self.group}/{number}")
        try:
            return self._describe(arn)
        except _Missing:
            return None

    def _describe(self, arn: str) -> Version:
        found = self._call("describe_model_package", ModelPackageName=arn)
        containers = (found.get("InferenceSpecification") or {}).get("Containers") or [{}]
        artifact = _ARTIFACT.match(containers[0].get("ModelDataUrl") or "")
        job = artifact["job"] if artifact else None
        return Version(number=found["ModelPackageVersion"], status=found["ModelApprovalStatus"],
                       created=found["CreationTime"], arn=found["ModelPackageArn"], training_job=job,
                       metrics=self._metrics(job) if job else {})

    def _metrics(self, job: str) -> dict[str, float]:
        try:
            found = self._call("describe_training_job", TrainingJobName=job)
        except _Missing:  # the job was deleted or is in another account
            return {}
        return {m["MetricName"]: m["Value"] for m in found.get("FinalMetricDataList") or []}

    def _call(self, operation: str, paginate: str | None = None, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if paginate is None:
                return getattr(self._client, operation)(**params)
            pages = self._client.get_paginator(operation).paginate(**params)
            return [item for page in pages for item in page[paginate]]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") in ("ValidationException", "ResourceNotFound") and operation.startswith("describe"):
                raise _Missing() from None
            raise RegistryError(f"{error.get('Code', 'error')}: {error.get('Message', exc)}") from None
        except BotoCoreError as exc:
            raise RegistryError(str(exc)) from None


class _Missing(Exception):
    pass
