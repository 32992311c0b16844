"""The CloudWatch metrics every monitor publishes: one scheme, one table, one publisher.

Scheme (namespace `mlops/monitoring`; unit `None` for distances, ratios and scores,
`Count` for counts):

| monitor       | metric name                         | dimensions                 |
|---------------|-------------------------------------|----------------------------|
| data_quality  | `feature_drift`, `feature_completeness` | Endpoint, Feature      |
| model_quality | `model_quality_<metric>` (auc, f1, mae, ...) | Endpoint          |
| bias          | `bias_<METRIC>` (DPPL, DI, AD, ...) | Endpoint, Facet            |
| every monitor | `records`, `violations` (Count)     | Endpoint, Monitor          |

`Feature` is the feature's name from the configuration; `Facet` is `<column>=<value>`
for a group of values, `<column>><threshold>` for a numeric threshold (`facet_label`).
`published_metrics` is the table for one monitor's configuration, a pure function the
Terraform generator imports to build alarms that watch exactly these metrics; a run
publishes a datum only for metrics in that table, and skips a value that is undefined
in its window (no records, a division by zero), so alarms should treat missing data as
not breaching.

`put_metric_data_requests` turns data into the exact `PutMetricData` requests: at most
1000 metrics and about 1 MB per request (the limits in the API's documentation), no
NaN or infinity (CloudWatch rejects them); `publish` sends them with boto3.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

try:
    from .values import as_category
except ImportError:  # run from the uploaded folder as `python3 job.py`
    from values import as_category

NAMESPACE = "mlops/monitoring"
MAX_DATA_PER_REQUEST = 1000
MAX_REQUEST_BYTES = 900_000  # under the 1 MB request limit, with room for the envelope
MODEL_QUALITY = {
    "BinaryClassification": ("accuracy", "auc", "f1", "precision", "recall"),
    "MulticlassClassification": ("accuracy", "weighted_f1"),
    "Regression": ("mae", "mse", "r2", "rmse"),
}
BIAS_PREDICTED = ("DI", "DPPL")  # need predictions only
BIAS_LABELLED = ("AD", "DAR", "DCA", "DCR", "DRR", "RD", "TE")  # need ground truth too


@dataclass(frozen=True)
class Metric:
    """What an alarm watches."""

    name: str
    dimensions: tuple[tuple[str, str], ...]
    unit: str = "None"
    namespace: str = NAMESPACE


@dataclass(frozen=True)
class Datum:
    metric: Metric
    value: float


def facet_label(facet: dict) -> str:
    """`region=rural` for a value, `age>60` for a numeric threshold (a number in values)."""
    value = facet["values"][0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{facet['name']}>{as_category(value)}"
    return f"{facet['name']}={as_category(value)}"


def monitor_metrics(kind: str, endpoint: str) -> list[Metric]:
    dims = (("Endpoint", endpoint), ("Monitor", kind))
    return [Metric("records", dims, "Count"), Metric("violations", dims, "Count")]


def feature_metrics(endpoint: str, feature: str) -> list[Metric]:
    dims = (("Endpoint", endpoint), ("Feature", feature))
    return [Metric("feature_drift", dims), Metric("feature_completeness", dims)]


def quality_metric(endpoint: str, name: str) -> Metric:
    return Metric(f"model_quality_{name}", (("Endpoint", endpoint),))


def bias_metric(endpoint: str, facet: str, name: str) -> Metric:
    return Metric(f"bias_{name}", (("Endpoint", endpoint), ("Facet", facet)))


def quality_names(settings: dict) -> tuple[str, ...]:
    names = MODEL_QUALITY[settings["problem_type"]]
    if settings["problem_type"] == "BinaryClassification" and settings.get("probability_attribute") is None:
        names = tuple(n for n in names if n != "auc")  # a ranking needs probabilities
    return names


def published_metrics(kind: str, endpoint: str, settings: dict) -> list[Metric]:
    """Every metric a monitor with these settings publishes (the alarms' contract)."""
    if kind == "data_quality":
        table = [m for f in settings.get("features") or settings.get("columns") or [] for m in feature_metrics(endpoint, f)]
    elif kind == "model_quality":
        table = [quality_metric(endpoint, n) for n in quality_names(settings)]
    elif kind == "bias":
        names = BIAS_PREDICTED + (BIAS_LABELLED if settings.get("label") else ())
        table = [bias_metric(endpoint, facet_label(f), n) for f in settings["facets"] for n in names]
    else:
        raise ValueError(f"no metrics for monitor kind {kind!r}")
    return table + monitor_metrics(kind, endpoint)


def _datum_request(datum: Datum, timestamp: str) -> dict:
    return {
        "MetricName": datum.metric.name,
        "Dimensions": [{"Name": n, "Value": v} for n, v in datum.metric.dimensions],
        "Timestamp": timestamp,
        "Value": float(datum.value),
        "Unit": datum.metric.unit,
    }


def put_metric_data_requests(data: list[Datum], timestamp: str) -> list[dict]:
    """The PutMetricData requests for these data (ISO 8601 timestamp), in a stable order."""
    finite = sorted((d for d in data if math.isfinite(d.value) and abs(d.value) < 2.0**360),
                    key=lambda d: (d.metric.namespace, d.metric.name, d.metric.dimensions))
    by_namespace: dict[str, list[dict]] = {}
    for datum in finite:
        by_namespace.setdefault(datum.metric.namespace, []).append(_datum_request(datum, timestamp))
    requests = []
    for namespace in sorted(by_namespace):
        batch: list[dict] = []
        size = 0
        for item in by_namespace[namespace]:
            item_size = len(json.dumps(item))
            if batch and (len(batch) == MAX_DATA_PER_REQUEST or size + item_size > MAX_REQUEST_BYTES):
                requests.append({"Namespace": namespace, "MetricData": batch})
                batch, size = [], 0
            batch.append(item)
            size += item_size
        if batch:
            requests.append({"Namespace": namespace, "MetricData": batch})
    return requests


def publish(client, requests: list[dict]) -> int:
    """Send the requests with a boto3 CloudWatch client; the number of data sent."""
    sent = 0
    for request in requests:
        client.put_metric_data(**request)
        sent += len(request["MetricData"])
    return sent
