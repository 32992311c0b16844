"""Part of the module API: SageMaker Model Monitor's monitors, a job definition and the
schedule that runs it, with the parts every monitor writes the same way: the endpoint as
input, encrypted outputs and volumes, the VPC (isolated unless the job must call the
endpoint), one hour at most, and the notification of runs that found violations.

The aws provider has a job definition for data quality only; model quality, bias and
explainability come from awscc (`AWSCC`). The two write the same settings differently:
aws nests an object as a block (a list of one object), awscc as the object itself, and
the job definition's name is `name` in one and `job_definition_name` in the other.
"""

from __future__ import annotations

from .events import rule, target
from .module_api import BuildContext, Resource
from .names import fit

AWS, AWSCC = "aws", "awscc"
SCHEDULES = {"hourly": "cron(0 * ? * * *)", "daily": "cron(0 0 ? * * *)"}
PERIODS = {"hourly": 3600, "daily": 86400}  # seconds: what an alarm on a monitor's metrics looks at
NAME = 63  # characters SageMaker allows in job definition and schedule names


def endpoint_input(endpoint: str, **attributes) -> dict:
    """The endpoint's captured traffic as the job's input; `attributes` say which columns
    of its output hold the inference, the probability and the threshold."""
    return {"endpoint_name": endpoint, "local_path": "/opt/ml/processing/input/endpoint",
            "s3_data_distribution_type": "FullyReplicated", "s3_input_mode": "File", **attributes}


def definition(provider: str, kind: str, *, name: str, role: str, key: str, output_uri: str, instance_type: str,
               subnets: list[str], security_group: str, isolated: bool = True) -> dict:
    """The attributes every job definition of `kind` (data_quality, model_quality,
    model_bias, model_explainability) has; the caller adds its app specification, input
    and baseline."""
    def block(value: dict):
        return [value] if provider == AWS else value

    return {
        "name" if provider == AWS else "job_definition_name": name,
        "role_arn": role,
        f"{kind}_job_output_config": block({"kms_key_id": key, "monitoring_outputs": [{"s3_output": block({
            "s3_uri": output_uri, "local_path": "/opt/ml/processing/output", "s3_upload_mode": "EndOfJob"})}]}),
        "job_resources": block({"cluster_config": block({"instance_count": 1, "instance_type": instance_type,
                                                         "volume_size_in_gb": 20, "volume_kms_key_id": key})}),
        "network_config": block({"enable_network_isolation": isolated, "enable_inter_container_traffic_encryption": True,
                                 "vpc_config": block({"subnets": subnets, "security_group_ids": [security_group]})}),
        "stopping_condition": block({"max_runtime_in_seconds": 3600}),
    }


def monitor(ctx: BuildContext, type_: str, ident: str, attrs: dict, *, schedule_ident: str, monitoring_type: str,
            schedule: str, path: tuple, depends_on: tuple = ()) -> tuple[Resource, Resource]:
    """The job definition (`type_`, `attrs`) and the schedule that runs it `schedule`
    (hourly or daily), under the definition's name; (definition, schedule)."""
    job = ctx.resource(type_, ident, attrs, path=path, depends_on=depends_on)
    name = "name" if type_.startswith("aws_") else "job_definition_name"
    runs = ctx.resource("aws_sagemaker_monitoring_schedule", schedule_ident, {
        "name": attrs[name],
        "monitoring_schedule_config": [{
            "monitoring_job_definition_name": job.ref(name),
            "monitoring_type": monitoring_type,
            "schedule_config": [{"schedule_expression": SCHEDULES[schedule]}],
        }],
    }, path=path + ("schedule",))
    return job, runs


def notify_violations(ctx: BuildContext, ident: str, schedule: Resource, topic: Resource, *, name: str,
                      description: str, path: tuple) -> Resource:
    """An EventBridge rule for runs of `schedule` that completed with violations, sending
    them to the alerts `topic`. Returns the rule, for more targets."""
    found = rule(ctx, ident, name=name, description=description, path=path, pattern={
        "source": ["aws.sagemaker"], "detail-type": ["SageMaker Processing Job State Change"],
        "detail": {"MonitoringScheduleArn": [schedule.ref("arn")], "ProcessingJobStatus": ["Completed"],
                   "ExitMessage": [{"prefix": "CompletedWithViolations"}]},
    })
    target(ctx, f"{ident}_notify", found, topic.ref("arn"), path=path)
    return found


def job_name(endpoint: str, label: str) -> str:
    """The name of an endpoint's monitor: its job definition's and its schedule's."""
    return fit(f"{endpoint}-{label}", NAME)
