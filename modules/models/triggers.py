"""Retraining triggers: an EventBridge Scheduler schedule, and new data under the
training dataset's prefix (S3 -> EventBridge). Each starts the model's pipeline (or
state machine) through a role that may do only that."""

from __future__ import annotations

import json
import re

from mlops.errors import SpecError
from mlops.iam import service_role, statement
from mlops.module_api import BuildContext, tf_name
from mlops.names import fit

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
    """`target`: {"arn", "kind": "pipeline"|"state-machine", "dataset": {...}}."""
    retrain, path = model["retrain"], ("models", name, "retrain")
    env, project = ctx.env, ctx.spec["project"]
    key = ctx.imported("keys.arns")["platform"]
    start = [statement("StartPipeline", ["sagemaker:StartPipelineExecution"], [target["arn"]])
             if target["kind"] == "pipeline" else
             statement("StartStateMachine", ["states:StartExecution"], [target["arn"]])]
    if target["kind"] != "pipeline":
        # A state machine encrypted with a customer key needs its callers to use the key.
        start.append(statement("UseStateMachineKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key]))
    if retrain.get("schedule"):
        # The schedule is encrypted with the platform key; Scheduler decrypts it as this role.
        decrypt = statement("DecryptSchedule", ["kms:Decrypt"], [key])
        role = service_role(ctx, tf_name("retrain", name, "schedule"), "scheduler.amazonaws.com", [*start, decrypt],
                            path=path + ("schedule",))
        schedule_target = {"arn": target["arn"], "role_arn": role.ref("arn"),
                           "retry_policy": [{"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}]}
        if target["kind"] == "pipeline":
            schedule_target["sagemaker_pipeline_parameters"] = [{"pipeline_parameter": [
                {"name": "DatasetUri", "value": target["dataset"]}]}]
        else:
            schedule_target["input"] = json.dumps({"DatasetUri": target["dataset"]})
        ctx.resource("aws_scheduler_schedule", tf_name("retrain", name), {
            "name": fit(f"{project}-{env.name}-{name}-retrain", 64),
            "description": f"Retrain {name}: {retrain['schedule']}",
            "schedule_expression": retrain["schedule"],
            "flexible_time_window": [{"mode": "OFF"}],
            "kms_key_arn": key,
            "target": [schedule_target],
        }, path=path + ("schedule",))
    if retrain["on_new_data"]:
        dataset = target["dataset_spec"]
        rule = ctx.resource("aws_cloudwatch_event_rule", tf_name("new_data", name), {
            "name": fit(f"{project}-{env.name}-{name}-new-data", 64),
            "description": f"New objects under {target['dataset']}: retrain {name}",
            "event_pattern": json.dumps({
                "source": ["aws.s3"], "detail-type": ["Object Created"],
                "detail": {"bucket": {"name": [dataset["bucket"].ref("bucket")]},
                           "object": {"key": _key_filters(dataset["prefix"], retrain["new_data_marker"])}},
            }, sort_keys=True),
        }, path=path + ("on_new_data",))
        role = service_role(ctx, tf_name("retrain", name, "new_data"), "events.amazonaws.com", start,
                            path=path + ("on_new_data",))
        event_target = {"rule": rule.ref("name"), "arn": target["arn"], "role_arn": role.ref("arn")}
        if target["kind"] == "pipeline":
            event_target["sagemaker_pipeline_target"] = [{"pipeline_parameter_list": [
                {"name": "DatasetUri", "value": target["dataset"]}]}]
        else:
            event_target["input"] = json.dumps({"DatasetUri": target["dataset"]})
        ctx.resource("aws_cloudwatch_event_target", tf_name("new_data", name), event_target,
                     path=path + ("on_new_data",))


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
