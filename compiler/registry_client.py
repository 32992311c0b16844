"""What a model package group holds, asked of SageMaker with boto3.

Used by `mlops versions` and `mlops promote`, never by validate or compile: those work
without credentials. Groups and versions are addressed by ARN, so the same calls work
from the training account and, through the group's resource policy, from a serving
account. AWS_ENDPOINT_URL (boto3's own setting) points them elsewhere, as the tests do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .module_api import Environment

# What the training pipeline records on every version it registers (modules/models):
# the gate's metric and the value the candidate reached.
METRIC = "mlops:metric"
METRIC_VALUE = "mlops:metric-value"


class RegistryError(Exception):
    """The registry could not be asked (no credentials, no access, no network)."""


@dataclass(frozen=True)
class Version:
    number: int
    status: str
    created: datetime
    arn: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def metric(self) -> tuple[str, float] | None:
        """The gate's metric and the value this version reached, when recorded."""
        try:
            return self.metadata[METRIC], float(self.metadata[METRIC_VALUE])
        except (KeyError, ValueError):
            return None


class Registry:
    """One model package group in one environment's account and region."""

    def __init__(self, env: Environment, group: str, profile: str | None = None):
        import boto3

        self.env, self.group = env, group
        self.arn = env.arn("sagemaker", f"model-package-group/{group}")
        self._client = boto3.Session(profile_name=profile).client("sagemaker", region_name=env.region)

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
        return Version(number=found["ModelPackageVersion"], status=found["ModelApprovalStatus"],
                       created=found["CreationTime"], arn=found["ModelPackageArn"],
                       metadata=dict(found.get("CustomerMetadataProperties") or {}))

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
