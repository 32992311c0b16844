"""Which AWS API operations mlops checks what it generates against.

The slices under this package (`<service>.json`) hold these operations and every shape
they reach, taken from botocore's service models by `tools/extract_api_models.py`; a
test fails when a slice differs from the pinned botocore. Adding an operation here
means running that tool.

- *request* operations: what a pipeline step, a Step Functions task or a Terraform
  attribute ends up sending (CreateTrainingJob for a `Training` step, say);
- *describe* operations: what `{"Get": "Steps.<step>.<path>"}` reads, resolved against
  their output shape.
"""

from __future__ import annotations

OPERATIONS: dict[str, tuple[str, ...]] = {
    "sagemaker": (
        "CreateTrainingJob", "CreateProcessingJob", "CreateTransformJob", "CreateModel", "CreateModelPackage",
        "UpdateModelPackage", "DescribeTrainingJob", "DescribeProcessingJob", "DescribeTransformJob",
        "DescribeModel", "DescribeModelPackage", "CreatePipeline", "CreateModelPackageGroup",
        "CreateEndpoint", "CreateEndpointConfig", "CreateDomain", "CreateUserProfile", "CreateModelCard",
        "CreateMlflowTrackingServer", "CreateDataQualityJobDefinition", "CreateModelQualityJobDefinition",
        "CreateModelBiasJobDefinition", "CreateModelExplainabilityJobDefinition", "CreateMonitoringSchedule",
        "ListPipelineExecutions", "StartPipelineExecution",
    ),
    "iam": ("CreateRole", "PutRolePolicy"),
    "events": ("PutRule",),
    "scheduler": ("CreateSchedule",),
    "stepfunctions": ("CreateStateMachine",),
    "logs": ("CreateLogGroup",),
    "codebuild": ("CreateProject",),
    "codepipeline": ("CreatePipeline",),
    "ecr": ("CreateRepository",),
    "ssm": ("PutParameter",),
    "kms": ("CreateAlias",),
    "s3": ("CopyObject",),
    "cloudwatch": ("PutMetricAlarm", "PutDashboard"),
    "cloudtrail": ("CreateTrail",),
    "codeconnections": ("CreateConnection",),
    "codecommit": ("CreateRepository",),
}
