"""What the data module publishes (`ctx.imported("data")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.module_api import Resource


@dataclass(frozen=True)
class Bucket:
    """A data bucket and the KMS key its objects are encrypted with (what a writer names)."""

    resource: Resource  # the aws_s3_bucket
    key_arn: str

    def ref(self, attribute: str) -> str:
        """A Terraform expression for one of the bucket's attributes (`arn`, `bucket`, `id`)."""
        return self.resource.ref(attribute)


@dataclass(frozen=True)
class Dataset:
    """A named dataset: a prefix in one bucket."""

    bucket: Bucket
    prefix: str
    uri: str  # s3://<bucket>/<prefix>


@dataclass(frozen=True)
class Data:
    buckets: Mapping[str, Bucket]    # by data.buckets name
    datasets: Mapping[str, Dataset]  # by data.datasets name
    access_logs: Resource            # the bucket every bucket's server access logs go to
