"""monitoring: model monitoring (component 8). This file wires the features; each owns its
build and its checks.

Per environment, the alerts topic (`topic.py`). Per deployed model:
- alarms on the endpoint's latency, errors and invocations (`endpoint_alarms.py`) and a
  dashboard (`dashboard.py`);
- the baselines of each version, kept for its monitors (`baselines.py`), and read by the
  monitors of the environments that serve this one's versions (`served.py`);
- monitors of data quality with the drift loop (`data_quality.py`, `retraining.py`; from
  the environments serving this one's versions too, `served.py`),
  model quality (`model_quality.py`), bias (`bias.py`) and explainability
  (`explainability.py`), run by mlops's own engine (`pipeline.py`, the default;
  `alarms.py` for what it publishes) or by Model Monitor and Clarify (`clarify.py` and
  `mlops.monitor_jobs`); `exports.py` says which, and what the module plans and exports.
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean
from mlops.module_api import BuildContext, Environment, module

from mlops_modules.models.exports import Model

from . import (baselines, bias, clarify, dashboard, data_quality, endpoint_alarms, explainability, model_quality,
               pipeline, retraining, served, topic)
from .exports import MLOPS, MLOPS_KINDS, Monitoring, engine_of, plan


def build(ctx: BuildContext) -> None:
    alerts = topic.build(ctx)
    ctx.export(Monitoring(topic=alerts))
    models, retrained = ctx.imported("models.models"), []
    for name in sorted(ctx.section["models"]):
        monitors, model = ctx.section["models"][name], models[name]
        endpoint_alarms.build(ctx, name, monitors["alarms"], model.endpoint, alerts)
        if model.baselines and not model.trained_in:  # kept where the model trains
            baselines.archiver(ctx, name, model)
            served.share(ctx, name, model)
        if engine_of(ctx.section, name) == MLOPS:
            pipeline.build(ctx, name, monitors, alerts, model)
        else:
            _model_monitor(ctx, name, monitors, alerts, model)
        if not model.trained_in and monitors.get("data_quality") and retraining.enabled(monitors["on_drift"]):
            served.listen(ctx, name, ("monitoring", "models", name, "on_drift"))  # drift where it is served
            retrained.append(name)
        dashboard.build(ctx, name, monitors["alarms"], model.endpoint)
    served.bus_policy(ctx, retrained)


def _model_monitor(ctx: BuildContext, name: str, monitors: dict, alerts, model: Model) -> None:
    if monitors.get("data_quality"):
        data_quality.build(ctx, name, monitors["data_quality"], alerts, model)
    if monitors.get("model_quality"):
        model_quality.build(ctx, name, monitors["model_quality"], alerts, model)
    clarify.build(ctx, name, monitors, alerts, model)
    if monitors.get("bias"):
        bias.monitor_alarms(ctx, name, monitors["bias"], model.endpoint.name, alerts)


def check(spec, env: Environment) -> list[SpecError]:
    """Every monitored model must exist and have an endpoint here; then each feature's checks."""
    errors, models, section = [], spec.get("models", {}), spec["monitoring"]
    for name in sorted(section["models"]):
        path = ("monitoring", "models", name)
        if name not in models:
            errors.append(SpecError(path, f"no model named '{name}' in models",
                                    hint=did_you_mean(name, models) or "monitor a model declared under models", key=True))
            continue
        if not (models[name].get("endpoint") or {}).get("model_version"):
            errors.append(SpecError(path, f"{name} has no endpoint in {env.name} (no endpoint.model_version), so there is nothing to monitor",
                                    hint=f"pin a version in environments.{env.name}.overrides.models.{name}.endpoint, "
                                         f"or monitor it only where it is deployed (environments.<env>.overrides.monitoring)",
                                    key=True))
            continue
        settings, engine = section["models"][name], engine_of(section, name)
        capture = bool(models[name]["endpoint"]["data_capture_percent"])
        errors += baselines.check(spec, name, settings, engine)
        errors += retraining.check(name, settings)
        errors += served.check(env, name, settings, engine)
        errors += data_quality.check(spec, name, settings, engine, capture)
        errors += model_quality.check(spec, name, settings, engine, capture)
        errors += bias.check(spec, env, name, settings, engine, capture)
        errors += explainability.check(env, name, settings, engine, capture)
        if engine == MLOPS:
            errors += pipeline.check(env, name, settings)
    return errors


def services(spec) -> set[str]:
    """mlops's monitoring jobs publish to CloudWatch from the VPC."""
    section = spec.get("monitoring") or {}
    engine_monitored = any(engine_of(section, name) == MLOPS and any(settings.get(k) for k in MLOPS_KINDS)
                           for name, settings in section.get("models", {}).items())
    return {"monitoring"} if engine_monitored else set()


MODULE = module(
    __name__, build=build, check=check, services=services, plan=plan, check_environments=served.check_environments,
    after=("keys", "models"),
    emits=frozenset({"aws_sns_topic", "aws_sns_topic_policy", "aws_sns_topic_subscription",
                     "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "data.aws_iam_policy_document",
                     "aws_sagemaker_data_quality_job_definition", "aws_sagemaker_monitoring_schedule",
                     "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sfn_state_machine",
                     "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy",
                     "awscc_sagemaker_model_quality_job_definition", "awscc_sagemaker_model_bias_job_definition",
                     "awscc_sagemaker_model_explainability_job_definition", "aws_s3_object",
                     "aws_sagemaker_pipeline", "aws_scheduler_schedule", "aws_cloudwatch_event_bus_policy"}),
)
