"""Physical names: shortened without collisions, unique per namespace across every
environment, and within the API's length limit on a realistic long spec."""

from __future__ import annotations

import pytest

from mlops import names, registry
from mlops.pipeline import check, targets

# A realistic long spec (issue 10): long project, environment, model and image names.
LONG = b"""project: acme-retail-analytics
region: eu-west-1
state: {bucket: acme-tfstate}
environments:
  staging: {account: "111111111111", role: mlops-deploy}
  prod:
    account: "222222222222"
    role: mlops-deploy
    overrides: {network: {cidr: 10.31.0.0/16}}
network: {cidr: 10.30.0.0/16}
data:
  buckets: {raw: {}, artifacts: {}}
  datasets:
    customers: {bucket: raw, prefix: customers/train/}
    customers-validation: {bucket: raw, prefix: customers/validation/}
    customers-labels: {bucket: raw, prefix: customers/labels/}
repositories:
  code:
    customer-lifetime-value: {approvals: 2}
  images:
    customer-lifetime-value-trainer:
      source: customer-lifetime-value
      dockerfile: containers/train/Dockerfile
      context: containers/train
      test_command: python -m pytest -q
    customer-lifetime-value-scorer:
      source: customer-lifetime-value
      dockerfile: containers/score/Dockerfile
      context: containers/score
      test_command: python -m pytest -q
workspace: {}
models:
  customer-lifetime-value:
    training: {algorithm: xgboost, version: "1.7-1", input: customers, validation: customers-validation,
               instance_type: ml.m5.xlarge}
    evaluation: {metric: "validation:auc", min: 0.8}
    registry: {approval: auto}
    retrain: {schedule: rate(7 days), on_new_data: true}
    endpoint: {model_version: 1, data_capture_percent: 20}
  customer-lifetime-value-v2:
    training: {image: customer-lifetime-value-trainer, input: customers, instance_type: ml.m5.xlarge,
               metric_definitions: [{name: "validation:rmse", regex: "rmse=([0-9.]+)"}]}
    evaluation: {metric: "validation:rmse", max: 10}
    orchestrator: step-functions
    registry: {approval: auto}
    retrain: {schedule: rate(7 days), on_new_data: true}
monitoring:
  models:
    customer-lifetime-value:
      data_quality: {schedule: hourly, columns: [recency, frequency, monetary], features: [recency, frequency]}
      model_quality: {problem_type: BinaryClassification, ground_truth: customers-labels,
                      probability_attribute: "0", metric: auc, min: 0.8}
      on_drift: true
"""

# Length limits of the API members these names reach (botocore's service models:
# iam CreateRole RoleName and PutRolePolicy PolicyName, events PutRule Name, scheduler
# CreateSchedule Name, states CreateStateMachine name, sagemaker EntityName and
# MonitoringScheduleName, codepipeline PipelineName, codebuild ProjectName, logs
# LogGroupName, cloudwatch AlarmName).
LIMITS = {
    ("aws_iam_role", "name"): 64, ("aws_iam_role_policy", "name"): 128,
    ("aws_cloudwatch_event_rule", "name"): 64, ("aws_scheduler_schedule", "name"): 64,
    ("aws_sfn_state_machine", "name"): 80, ("aws_sagemaker_pipeline", "pipeline_name"): 256,
    ("aws_sagemaker_model_package_group", "model_package_group_name"): 63,
    ("aws_sagemaker_endpoint", "name"): 63, ("aws_sagemaker_model", "name"): 63,
    ("aws_sagemaker_monitoring_schedule", "name"): 63, ("aws_sagemaker_data_quality_job_definition", "name"): 63,
    ("awscc_sagemaker_model_quality_job_definition", "job_definition_name"): 63,
    ("aws_codepipeline", "name"): 100, ("aws_codebuild_project", "name"): 150,
    ("aws_cloudwatch_log_group", "name"): 512, ("aws_cloudwatch_metric_alarm", "alarm_name"): 255,
}


def test_fit_keeps_short_names_and_shortens_long_ones_without_collisions() -> None:
    assert names.fit("demo-dev-training", 64) == "demo-dev-training"
    a = names.fit("acme-retail-analytics-staging-release-image-customer-lifetime-value-trainer", 64)
    b = names.fit("acme-retail-analytics-staging-release-image-customer-lifetime-value-trainer-trigger", 64)
    assert len(a) <= 64 and len(b) <= 64 and a != b
    assert a == names.fit("acme-retail-analytics-staging-release-image-customer-lifetime-value-trainer", 64)
    assert a.startswith("acme-retail-analytics-staging-release-image-customer-li-")  # then 8 hex digits


def test_every_resource_type_a_module_emits_is_classified() -> None:
    """A new resource type must say where its name lives, or that it has none, so no
    name escapes the uniqueness check."""
    emitted = {t for m in registry.modules() for t in m.emits if not t.startswith("data.")}
    assert sorted(emitted - set(names.NAMES) - names.UNNAMED) == []
    assert set(names.NAMES) & names.UNNAMED == set()


@pytest.fixture(scope="module")
def built():
    checked = check(LONG, "mlops.yaml")
    assert not checked.errors, [(e.dotted(), e.message) for e in checked.errors]
    return targets(checked)


def test_a_long_spec_gets_no_colliding_names(built) -> None:
    assert [e.message for e in names.check(t.stack for t in built)] == []


def test_a_long_spec_gets_no_name_over_its_limit(built) -> None:
    too_long = []
    for target in built:
        for r in target.stack.resources:
            for (kind, attribute), limit in LIMITS.items():
                value = r.attrs.get(attribute) if r.type == kind and not r.data_source else None
                if isinstance(value, str) and "${" not in value and len(value) > limit:
                    too_long.append((r.address, value, limit))
    assert too_long == []


def test_the_long_spec_exercises_shortened_names(built) -> None:
    """Guard against the spec drifting short: some role names must need shortening."""
    roles = [r.attrs["name"] for t in built for r in t.stack.resources if r.type == "aws_iam_role"]
    assert any(len(n) == 64 for n in roles)


def test_environments_sharing_an_account_are_checked_together() -> None:
    """Staging and prod in one account: names built with the environment differ, and the
    code and image repositories, named per project, are one name twice."""
    shared = LONG.replace(b'"222222222222"', b'"111111111111"')
    errors = names.check(t.stack for t in targets(check(shared, "mlops.yaml")))
    clashes = sorted((e.message.split()[2], e.hint == names.SHARED_HINT) for e in errors)
    assert clashes == [("aws_codecommit_repository.code_customer_lifetime_value", True),
                       ("aws_ecr_repository.image_customer_lifetime_value_scorer", True),
                       ("aws_ecr_repository.image_customer_lifetime_value_trainer", True)]
    assert all(e.key and "in both prod and staging, which share account 111111111111" in e.message for e in errors)
