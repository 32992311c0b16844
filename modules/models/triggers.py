"""Retraining triggers: an EventBridge Scheduler schedule, and new data under the
training dataset's prefix (S3 -> EventBridge). Each starts the model's pipeline (or
state machine) through a role that may do only that."""

from __future__ import annotations

import json
import re

from mlops.errors import SpecError
from mlops.events import rule, schedule, scheduler_role
from mlops.events import target as events_target
from mlops.iam import statement
from mlops.module_api import BuildContext, tf_name

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")


def check_schedule(expression: str, path: tuple) -> list[SpecError]:
    hint = "write rate(7 days), cron(0 3 ? * MON *) (six fields: minutes hours day-of-month month day-of-week year) or at(2027-01-01T03:00:00)"
    rate = _RATE.match(expression)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        if count < 1:
            return [SpecError(path, f"'{expression}': the rate must be at least 1", hint=hint)]
        if (count == 1) != (not unit.endswith("s")):
            fixed = f"rate({count} {unit.rstrip('s') if count == 1 else unit + 's'})"
            return [SpecError(path, f"'{expression}' is not a valid schedule expression", hint=f"did you mean '{fixed}'?")]
        return []
    if _CRON.match(expression):
        fields = expression[5:-1].split()
        if "?" not in (fields[2], fields[4]):
            return [SpecError(path, f"'{expression}': one of day-of-month and day-of-week must be '?'", hint=hint)]
        return []
    if _AT.match(expression):
        return []
    return [SpecError(path, f"'{expression}' is not a valid schedule expression", hint=hint)]


def build(ctx: BuildContext, name: str, model: dict, target: dict) -> None:
    """`target`: {"arn", "kind": "pipeline"|"state-machine", "dataset": its URI, "dataset_spec": the Dataset}."""
    retrain, path = model["retrain"], ("models", name, "retrain")
    env, project = ctx.env, ctx.spec["project"]
    key = ctx.imported("keys").platform
    pipeline = target["kind"] == "pipeline"
    start = ([statement("StartPipeline", ["sagemaker:StartPipelineExecution"], [target["arn"]])] if pipeline else
             # A state machine encrypted with a customer key needs its callers to use the key.
             [statement("StartStateMachine", ["states:StartExecution"], [target["arn"]]),
              statement("UseStateMachineKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key])])
    dataset = [{"name": "DatasetUri", "value": target["dataset"]}]
    given = {} if pipeline else {"input": json.dumps({"DatasetUri": target["dataset"]})}
    if retrain.get("schedule"):
        role = scheduler_role(ctx, tf_name("retrain", name, "schedule"), start, key, path=path + ("schedule",))
        schedule(ctx, tf_name("retrain", name), name=f"{project}-{env.name}-{name}-retrain",
                 description=f"Retrain {name}: {retrain['schedule']}", expression=retrain["schedule"],
                 arn=target["arn"], role=role, key=key, path=path + ("schedule",),
                 **({"sagemaker_pipeline_parameters": [{"pipeline_parameter": dataset}]} if pipeline else given))
    if retrain["on_new_data"]:
        watched = target["dataset_spec"]
        new_data = rule(ctx, tf_name("new_data", name), name=f"{project}-{env.name}-{name}-new-data",
                        description=f"New objects under {target['dataset']}: retrain {name}", path=path + ("on_new_data",),
                        pattern={"source": ["aws.s3"], "detail-type": ["Object Created"],
                                 "detail": {"bucket": {"name": [watched.bucket.ref("bucket")]},
                                            "object": {"key": _key_filters(watched.prefix, retrain["new_data_marker"])}}})
        events_target(ctx, tf_name("new_data", name), new_data, target["arn"], path=path + ("on_new_data",),
                      role=tf_name("retrain", name, "new_data"), statements=start,
                      **({"sagemaker_pipeline_target": [{"pipeline_parameter_list": dataset}]} if pipeline else given))


def _key_filters(prefix: str, marker: str) -> list[dict]:
    """Objects under the prefix; with a marker, only the marker file a finished upload
    writes last (at the prefix or in any folder below it, never a file whose name merely
    ends like it), so a dataset version of a thousand files starts one run, not a
    thousand."""
    if not marker:
        return [{"prefix": prefix}]
    return [{"wildcard": _verbatim(prefix + marker)}, {"wildcard": f"{_verbatim(prefix)}*/{_verbatim(marker)}"}]


def _verbatim(text: str) -> str:
    """Text a wildcard filter matches as written: `*` and `\\` escaped."""
    return text.replace("\\", "\\\\").replace("*", "\\*")
