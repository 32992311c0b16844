"""What the workspace module publishes (`ctx.imported("workspace")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.module_api import Resource


@dataclass(frozen=True)
class Workspace:
    # The execution roles by purpose: studio, training (training and processing jobs,
    # monitors), pipelines (SageMaker Pipelines executions), inference (endpoints).
    roles: Mapping[str, Resource]
    security_group_id: str  # Studio apps, jobs and endpoints in the VPC
