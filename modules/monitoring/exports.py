"""What the monitoring module publishes: its plan, before any module builds
(`ctx.planned("monitoring")`): which monitors watch each model, with the settings the
training pipeline computes their baselines from (models module) and that decide what
the execution roles must allow (workspace module); and what it built
(`ctx.imported("monitoring")`).

Engines (`monitoring.engine`, or a model's own `engine`):
- `mlops` (the default): mlops's own monitoring job (`engine/`), Processing jobs in a
  monitoring pipeline that EventBridge Scheduler starts; it uses only services open to
  every AWS account.
- `model-monitor`: SageMaker Model Monitor and Clarify schedules. AWS no longer opens
  Model Monitor to new customers; accounts that already use it keep it by saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mlops.iam import service_role_name
from mlops.module_api import Environment, Resource, tf_name

MLOPS = "mlops"
MODEL_MONITOR = "model-monitor"
KINDS = ("data_quality", "model_quality", "bias", "explainability")
# What the mlops engine runs; explainability (SHAP through a shadow endpoint) stays with Clarify.
MLOPS_KINDS = ("data_quality", "model_quality", "bias")
# The engine's files, shipped as package data: the models module uploads them for the
# training pipeline's data-quality baseline, and the monitoring pipeline runs the same files.
ENGINE_PACKAGE = f"{__package__}.engine"


def job_role(model: str) -> str:
    """The Terraform name of the role a model's monitoring jobs run as (mlops's engine)."""
    return tf_name("monitor", model)


def job_role_arn(project: str, env: Environment, model: str) -> str:
    """Its ARN in `env`, which the environment `env` serves from names in its grants."""
    return env.arn("iam", f"role/{service_role_name(project, env.name, job_role(model))}", region=False)


def engine_of(section: Mapping, name: str) -> str:
    """The engine of one monitored model: its own `engine`, else the section's, else mlops."""
    return (section.get("models", {}).get(name) or {}).get("engine") or section.get("engine", MLOPS)


@dataclass(frozen=True)
class Monitors:
    """The monitors of one model: the spec's settings of each kind (None: not monitored)."""

    engine: str
    holdout: str | None  # the labeled dataset scored baselines are computed on (else training.validation)
    data_quality: Mapping | None = None
    model_quality: Mapping | None = None
    bias: Mapping | None = None
    explainability: Mapping | None = None

    @property
    def kinds(self) -> list[str]:
        return [k for k in KINDS if getattr(self, k)]


@dataclass(frozen=True)
class MonitoringPlan:
    models: Mapping[str, Monitors]  # by monitored model

    @property
    def scores_candidates(self) -> bool:
        """Whether some monitor asks for a baseline that scores a candidate model (the
        training pipeline creates it, and transforms the holdout with it)."""
        return any(m.model_quality or m.bias or m.explainability for m in self.models.values())

    @property
    def runs_shadow_endpoints(self) -> bool:
        """Whether some monitor asks for a Clarify baseline (Clarify puts a shadow endpoint
        in front of the candidate)."""
        return any(m.bias or m.explainability for m in self.models.values())


def plan(section: Mapping, env: Environment) -> MonitoringPlan:
    models = section.get("models", {})
    return MonitoringPlan(models={name: Monitors(engine_of(section, name), models[name].get("holdout"),
                                                 **{k: models[name].get(k) for k in KINDS})
                                  for name in sorted(models)})


@dataclass(frozen=True)
class Monitoring:
    topic: Resource  # the environment's alerts topic (SNS), which alarms and rules publish to
