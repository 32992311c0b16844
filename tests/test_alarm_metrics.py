"""Every alarm watches a metric that some job of ours publishes (issue 11): each metric
an `aws_cloudwatch_metric_alarm` reads, in every golden stack and in generated/, is
matched by namespace, name, dimensions and unit to a publisher in the same stack.

Publishers:
- mlops's monitoring job: for each monitor configuration Terraform uploads
  (`monitoring/<model>/config/<kind>/monitor.json`) and that a monitoring pipeline reads,
  exactly what the engine's own table says it publishes
  (`engine.metrics.published_metrics(kind, endpoint, settings)`), units included;
- SageMaker endpoints: the invocation metrics of the `AWS/SageMaker` namespace, by
  EndpointName and VariantName, for an endpoint and variant the stack creates
  ("Amazon SageMaker AI metrics in Amazon CloudWatch",
  docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html; the same list is
  aws-cdk-lib's generated `SageMakerMetrics`, aws-sagemaker/lib/sagemaker-canned-metrics.generated);
- Model Monitor (engine model-monitor): a monitoring schedule whose job definition
  publishes (`publish_cloudwatch_metrics: Enabled`), with the names its documentation
  gives: data quality `feature_baseline_drift_<feature>`
  (docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-interpreting-cloudwatch.html),
  model quality the metric names of its problem type
  (docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-metrics.html),
  bias `bias_metric_<short name>` with Endpoint, MonitoringSchedule, BiasStage, Label,
  LabelValue, Facet, FacetValue
  (docs.aws.amazon.com/sagemaker/latest/dg/clarify-model-monitor-bias-drift-cw.html).
"""

from __future__ import annotations

import json
import re

import pytest
from golden import ROOT, STACKS, load_stack

from mlops_modules.monitoring.engine.metrics import published_metrics

ENDPOINT_METRICS = {"Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InvocationsPerInstance",
                    "ModelLatency", "OverheadLatency"}
MODEL_MONITOR_QUALITY = {
    "BinaryClassification": {"accuracy", "recall", "precision", "f0_5", "f1", "f2", "auc", "au_prc", "specificity",
                             "false_positive_rate", "true_positive_rate", "false_negative_rate", "true_negative_rate"},
    "MulticlassClassification": {"accuracy", "weighted_recall", "weighted_precision", "weighted_f0_5", "weighted_f1",
                                 "weighted_f2"},
    "Regression": {"mae", "mse", "rmse", "r2"},
}
MODEL_MONITOR = {  # monitoring type -> (namespace, metric name pattern, dimension names besides Endpoint/MonitoringSchedule)
    "DataQuality": ("aws/sagemaker/Endpoints/data-metrics", r"feature_baseline_drift_[A-Za-z0-9_.-]+", set()),
    "ModelQuality": ("aws/sagemaker/Endpoints/model-metrics", None, set()),
    "ModelBias": ("aws/sagemaker/Endpoints/bias-metrics", r"bias_metric_[A-Z]+",
                  {"BiasStage", "Label", "LabelValue", "Facet", "FacetValue"}),
}
REF = re.compile(r"^\$\{([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z_]+\}$")


def _watched(alarm: dict) -> list[tuple]:
    """(namespace, name, dimensions, unit or None) of every metric an alarm reads."""
    if "metric_name" in alarm:
        return [(alarm["namespace"], alarm["metric_name"], alarm.get("dimensions", {}), alarm.get("unit"))]
    return [(m["namespace"], m["metric_name"], m.get("dimensions", {}), m.get("unit"))
            for query in alarm["metric_query"] for m in query.get("metric", [])]


def _engine(resources: dict) -> list:
    """What mlops's monitoring job publishes: per configuration a pipeline reads."""
    definitions = "".join(p["pipeline_definition"] for p in resources.get("aws_sagemaker_pipeline", {}).values())
    published = []
    for obj in resources.get("aws_s3_object", {}).values():
        folder = re.match(r"^monitoring/[a-z0-9-]+/config/[a-z-]+/", obj["key"])
        if not folder or not obj["key"].endswith("/monitor.json"):
            continue
        assert f"/{folder.group(0)}\"" in definitions, f"no monitoring pipeline reads {obj['key']}"
        config = json.loads(obj["content"])
        published += published_metrics(config["kind"], config["endpoint"], config["settings"])
    return published


def _job_definition(resources: dict, schedule: dict) -> dict:
    kind, name = REF.match(schedule["monitoring_schedule_config"][0]["monitoring_job_definition_name"]).groups()
    return resources[kind][name]


def _publishes(definition: dict) -> bool:
    spec = next(v for k, v in definition.items() if k.endswith("_app_specification"))
    spec = spec[0] if isinstance(spec, list) else spec
    return (spec.get("environment") or {}).get("publish_cloudwatch_metrics") == "Enabled"


def _model_monitor_matches(resources: dict, namespace: str, name: str, dims: dict) -> str | None:
    """None when a Model Monitor schedule of this stack publishes the metric, else why not."""
    schedules = {s["name"]: s for s in resources.get("aws_sagemaker_monitoring_schedule", {}).values()}
    schedule = schedules.get(dims.get("MonitoringSchedule"))
    if schedule is None:
        return f"no monitoring schedule named {dims.get('MonitoringSchedule')!r}"
    kind = schedule["monitoring_schedule_config"][0]["monitoring_type"]
    expected_namespace, pattern, extra = MODEL_MONITOR[kind]
    definition = _job_definition(resources, schedule)
    if not _publishes(definition):
        return f"the {kind} job definition of {schedule['name']} does not set publish_cloudwatch_metrics: Enabled"
    if namespace != expected_namespace or set(dims) != {"Endpoint", "MonitoringSchedule"} | extra:
        return f"{kind} publishes to {expected_namespace} with dimensions Endpoint, MonitoringSchedule {sorted(extra)}"
    if pattern is None:
        problem = definition["model_quality_app_specification"]["problem_type"]
        return None if name in MODEL_MONITOR_QUALITY[problem] else f"Model Monitor publishes no {name} for {problem}"
    return None if re.fullmatch(pattern, name) else f"{kind} publishes no metric named {name}"


def _endpoints(resources: dict) -> set[tuple[str, str]]:
    found = set()
    for endpoint in resources.get("aws_sagemaker_endpoint", {}).values():
        _, config = REF.match(endpoint["endpoint_config_name"]).groups()
        for variant in resources["aws_sagemaker_endpoint_configuration"][config]["production_variants"]:
            found.add((endpoint["name"], variant["variant_name"]))
    return found


def _why_unpublished(resources: dict, engine: list, watched: tuple) -> str | None:
    namespace, name, dims, unit = watched
    if namespace == "AWS/SageMaker":
        if name in ENDPOINT_METRICS and set(dims) == {"EndpointName", "VariantName"} and \
                (dims["EndpointName"], dims["VariantName"]) in _endpoints(resources):
            return None
        return "no endpoint of this stack publishes it"
    if namespace.startswith("aws/sagemaker/Endpoints/"):
        return _model_monitor_matches(resources, namespace, name, dims)
    for metric in engine:
        if (metric.namespace, metric.name, dict(metric.dimensions)) == (namespace, name, dims):
            return None if unit in (None, metric.unit) else f"the job publishes it in {metric.unit}, not {unit}"
    return "no monitoring job of this stack publishes it"


ALARMS = [pytest.param(path, name, id=f"{path.relative_to(ROOT).parent}:{name}")
          for path in STACKS
          for name in sorted(load_stack(path).get("resource", {}).get("aws_cloudwatch_metric_alarm", {}))]


def test_there_are_alarms_of_every_publisher() -> None:
    namespaces = set()
    for path, name in (p.values for p in ALARMS):
        alarm = load_stack(path)["resource"]["aws_cloudwatch_metric_alarm"][name]
        namespaces |= {w[0] for w in _watched(alarm)}
    assert {"AWS/SageMaker", "mlops/monitoring", "aws/sagemaker/Endpoints/data-metrics",
            "aws/sagemaker/Endpoints/model-metrics", "aws/sagemaker/Endpoints/bias-metrics"} <= namespaces


@pytest.mark.parametrize("path, name", ALARMS)
def test_every_alarm_watches_a_published_metric(path, name) -> None:
    resources = load_stack(path)["resource"]
    engine = _engine(resources)
    for watched in _watched(resources["aws_cloudwatch_metric_alarm"][name]):
        why = _why_unpublished(resources, engine, watched)
        assert why is None, f"{name} watches {watched[0]} {watched[1]} {watched[2]}: {why}"


def test_a_misnamed_engine_alarm_is_caught() -> None:
    """The matcher is not blind: a drift alarm on `_c0` is unpublished."""
    path = next(p for p in STACKS if "engine-loop" in str(p))
    resources = load_stack(path)["resource"]
    alarm = dict(resources["aws_cloudwatch_metric_alarm"]["risk_drift_amount"])
    alarm["dimensions"] = {**alarm["dimensions"], "Feature": "_c0"}
    assert _why_unpublished(resources, _engine(resources), _watched(alarm)[0]) is not None
    alarm = dict(resources["aws_cloudwatch_metric_alarm"]["risk_drift_amount"], unit="Count")
    assert _why_unpublished(resources, _engine(resources), _watched(alarm)[0]) is not None
