"""Data-quality monitoring and the loop from drift to retraining.

- The training pipeline computes the baseline of the training data (statistics and
  constraints), kept per version (`baselines.py`).
- The monitor of an endpoint compares captured traffic with the baseline of the version
  that endpoint serves (`endpoint.model_version`), hourly or daily, in the VPC,
  encrypted, publishing per-feature drift metrics: Model Monitor's job
  (`engine: model-monitor`, here), or mlops's job in the monitoring pipeline
  (`pipeline.py`, whose alarms are built here).
- Per-feature CloudWatch alarms watch the drift distances. Drift (Model Monitor: a run
  completed with violations; mlops: its violations alarm) notifies the alerts topic
  and, with `on_drift`, starts the model's training pipeline, debounced (`retraining.py`).
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean, unknown_name
from mlops.module_api import BuildContext, Resource, tf_name
from mlops.monitor_jobs import AWS, PERIODS, endpoint_input, job_name, monitor
from mlops.names import fit

from mlops_modules.models.exports import Model

from . import model_monitor, retraining
from .alarms import metric_alarm, watched
from .engine.metrics import feature_metrics
from .exports import MODEL_MONITOR


def build(ctx: BuildContext, name: str, settings: dict, topic: Resource, model: Model) -> None:
    """Model Monitor's data-quality monitor, its drift alarms and the drift loop."""
    path = ("monitoring", "models", name, "data_quality")
    endpoint, schedule_name = model.endpoint.name, job_name(model.endpoint.name, "data-quality")
    attrs = model_monitor.job(ctx, AWS, "data_quality", name, "data-quality", settings, model)
    attrs["data_quality_app_specification"] = [{"image_uri": ctx.imported("models.model_monitor_image"),
                                                "environment": {"publish_cloudwatch_metrics": "Enabled"}}]
    attrs["data_quality_baseline_config"] = [{
        "constraints_resource": [{"s3_uri": model.served_baseline("data-quality", "constraints.json")}],
        "statistics_resource": [{"s3_uri": model.served_baseline("data-quality", "statistics.json")}],
    }]
    attrs["data_quality_job_input"] = [{"endpoint_input": [endpoint_input(endpoint)]}]
    _, schedule = monitor(ctx, "aws_sagemaker_data_quality_job_definition", tf_name(name), attrs,
                          schedule_ident=tf_name(name, "data_quality"), monitoring_type="DataQuality",
                          schedule=settings["schedule"], path=path)
    for index, feature in enumerate(settings["features"]):
        ctx.resource("aws_cloudwatch_metric_alarm", tf_name(name, "drift", feature.replace(".", "_")), {
            "alarm_name": fit(f"{endpoint}-drift-{feature}", 255),
            "alarm_description": f"{name}: {feature} drifted more than {settings['drift_threshold']} from the baseline",
            "namespace": "aws/sagemaker/Endpoints/data-metrics",
            "metric_name": f"feature_baseline_drift_{feature}",
            "dimensions": {"Endpoint": endpoint, "MonitoringSchedule": schedule_name},
            "statistic": "Maximum", "period": PERIODS[settings["schedule"]],
            "evaluation_periods": 1, "comparison_operator": "GreaterThanThreshold",
            "threshold": settings["drift_threshold"], "treat_missing_data": "notBreaching",
            "alarm_actions": [topic.ref("arn")], "ok_actions": [topic.ref("arn")],
        }, path=path + ("features", index))
    drift = model_monitor.violations(ctx, name, "data-quality", "drift", schedule, topic, path)
    if retraining.enabled(ctx.section["models"][name]["on_drift"]):
        retraining.retrain(ctx, name, drift, ("monitoring", "models", name, "on_drift"))


def engine_alarms(ctx: BuildContext, name: str, monitors: dict, endpoint: str, violations: Resource,
                  topic: Resource) -> None:
    """mlops's engine: an alarm per spec feature on its drift distance; with `on_drift`,
    the violations alarm going to ALARM starts retraining."""
    path, settings = ("monitoring", "models", name), monitors["data_quality"]
    for index, feature in enumerate(settings["features"]):
        drift = watched("data_quality", endpoint, settings, feature_metrics(endpoint, feature)[0])
        metric_alarm(ctx, tf_name(name, "drift", feature.replace(".", "_")), drift, PERIODS[settings["schedule"]], {
            "alarm_name": fit(f"{endpoint}-drift-{feature}", 255),
            "alarm_description": f"{name}: {feature} drifted more than {settings['drift_threshold']} from the baseline",
            "statistic": "Maximum", "comparison_operator": "GreaterThanThreshold",
            "threshold": settings["drift_threshold"],
        }, topic, path + ("data_quality", "features", index))  # one path each: names that meet in one address are told apart
    if retraining.enabled(monitors["on_drift"]):
        retraining.on_alarm(ctx, name, violations, path + ("on_drift",))


def check(spec, name: str, settings: dict, engine: str, capture: bool) -> list[SpecError]:
    path = ("monitoring", "models", name, "data_quality")
    quality = settings.get("data_quality")
    if not quality:
        return []
    errors = []
    if not capture:
        errors.append(SpecError(path, f"the data-quality monitor reads captured data, and {name}'s "
                                "endpoint captures none", hint="set endpoint.data_capture_percent (for example 20)"))
    if quality.get("baseline_dataset"):
        errors += unknown_name(path + ("baseline_dataset",), quality["baseline_dataset"],
                               spec.get("data", {}).get("datasets", {}), "dataset", "data.datasets")
    return errors + _feature_names(path, quality, engine)


def _feature_names(path: tuple, quality: dict, engine: str) -> list[SpecError]:
    """Alarms watch metrics named after features, so the names must be the ones the job
    publishes. Model Monitor names a CSV's columns from its header row, and `_c0`, `_c1`,
    ... without one (issue 11: drift alarms on metrics that never exist); the mlops
    engine names them from `columns`."""
    if engine == MODEL_MONITOR:
        if quality["features"] and not quality["header"]:
            return [SpecError(path + ("features",), "without a header row in the baseline dataset, Model Monitor names "
                              "the columns _c0, _c1, ..., so no metric is named after these features and their drift "
                              "alarms would never fire", hint="set header: true and give the baseline dataset a header "
                              "row, or use engine: mlops with columns (names from the spec)")]
        return []
    if not quality.get("columns"):
        return [SpecError(path, "the mlops monitoring engine names the endpoint's CSV input columns from the spec, "
                          "and data_quality has no columns", hint="add columns: [...] (the endpoint's input columns, "
                          "in order; features then names those to alarm on)")]
    return [SpecError(path + ("features", index), f"feature '{feature}' is not one of the columns",
                      hint=did_you_mean(feature, quality["columns"]) or "name a column listed in columns")
            for index, feature in enumerate(quality["features"]) if feature not in quality["columns"]]
