"""What the workspace module publishes (`ctx.imported("workspace")`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.iam import service_role_name
from mlops.module_api import Environment, Resource


def role_arn(project: str, env: Environment, purpose: str) -> str:
    """The ARN of the execution role for `purpose` in `env`, which another environment's
    grants name (the inference role of an environment serving that one's versions)."""
    return env.arn("iam", f"role/{service_role_name(project, env.name, purpose)}", region=False)


@dataclass(frozen=True)
class Workspace:
    # The execution roles by purpose: studio, training (training and processing jobs,
    # monitors), pipelines (SageMaker Pipelines executions), inference (endpoints).
    roles: Mapping[str, Resource]
    security_group_id: str  # Studio apps, jobs and endpoints in the VPC
