"""Which Terraform attributes reach which API member, so their values are checked
against the API's constraints before `terraform apply` sends them.

`ATTRIBUTES[type][attribute path]` is `(service, operation, member path)`; an attribute
path walks nested blocks (`production_variants.instance_type`). The constraints are
the API model's (lengths, patterns, enums, ranges), never written here; this table
only says where a value goes, as the provider documents for each argument. A
`name_prefix` becomes the name plus a 26-character unique suffix
(`NAME_PREFIX_SUFFIX`, the Terraform plugin SDK's `id.UniqueIDSuffixLength`).
"""

from __future__ import annotations

NAME_PREFIX_SUFFIX = 26


def _on(service: str, operation: str, **members: str) -> dict[str, tuple[str, str, str]]:
    return {attribute.replace("__", "."): (service, operation, member) for attribute, member in members.items()}


_MONITOR = dict(job_definition_name="JobDefinitionName", job_resources__cluster_config__instance_type="JobResources.ClusterConfig.InstanceType",
                job_resources__cluster_config__volume_size_in_gb="JobResources.ClusterConfig.VolumeSizeInGB")

ATTRIBUTES: dict[str, dict[str, tuple[str, str, str]]] = {
    "aws_iam_role": _on("iam", "CreateRole", name="RoleName", description="Description", permissions_boundary="PermissionsBoundary"),
    "aws_iam_role_policy": _on("iam", "PutRolePolicy", name="PolicyName"),
    "aws_cloudwatch_event_rule": _on("events", "PutRule", name="Name", description="Description", event_pattern="EventPattern",
                                     schedule_expression="ScheduleExpression", state="State"),
    "aws_scheduler_schedule": _on("scheduler", "CreateSchedule", name="Name", group_name="GroupName", description="Description",
                                  schedule_expression="ScheduleExpression", schedule_expression_timezone="ScheduleExpressionTimezone",
                                  state="State", kms_key_arn="KmsKeyArn"),
    "aws_sfn_state_machine": _on("stepfunctions", "CreateStateMachine", name="name", definition="definition", type="type"),
    "aws_cloudwatch_log_group": _on("logs", "CreateLogGroup", name="logGroupName", kms_key_id="kmsKeyId"),
    "aws_codebuild_project": _on("codebuild", "CreateProject", name="name", description="description", build_timeout="timeoutInMinutes",
                                 queued_timeout="queuedTimeoutInMinutes"),
    "aws_codepipeline": _on("codepipeline", "CreatePipeline", name="pipeline.name", pipeline_type="pipeline.pipelineType"),
    "aws_ecr_repository": _on("ecr", "CreateRepository", name="repositoryName", image_tag_mutability="imageTagMutability"),
    "aws_ssm_parameter": _on("ssm", "PutParameter", name="Name", description="Description", type="Type", tier="Tier"),
    "aws_kms_alias": _on("kms", "CreateAlias", name="AliasName"),
    "aws_cloudwatch_metric_alarm": _on("cloudwatch", "PutMetricAlarm", alarm_name="AlarmName", alarm_description="AlarmDescription",
                                       comparison_operator="ComparisonOperator", statistic="Statistic", namespace="Namespace",
                                       metric_name="MetricName", period="Period", evaluation_periods="EvaluationPeriods",
                                       datapoints_to_alarm="DatapointsToAlarm", unit="Unit", treat_missing_data="TreatMissingData",
                                       metric_query__id="Metrics.Id", metric_query__expression="Metrics.Expression",
                                       metric_query__metric__metric_name="Metrics.MetricStat.Metric.MetricName",
                                       metric_query__metric__namespace="Metrics.MetricStat.Metric.Namespace",
                                       metric_query__metric__stat="Metrics.MetricStat.Stat",
                                       metric_query__metric__period="Metrics.MetricStat.Period"),
    "aws_cloudwatch_dashboard": _on("cloudwatch", "PutDashboard", dashboard_name="DashboardName"),
    "aws_codeconnections_connection": _on("codeconnections", "CreateConnection", name="ConnectionName",
                                          provider_type="ProviderType"),
    "aws_codecommit_repository": _on("codecommit", "CreateRepository", repository_name="repositoryName",
                                     description="repositoryDescription"),
    "aws_cloudtrail": _on("cloudtrail", "CreateTrail", name="Name", s3_key_prefix="S3KeyPrefix"),
    "aws_sagemaker_pipeline": _on("sagemaker", "CreatePipeline", pipeline_name="PipelineName", pipeline_display_name="PipelineDisplayName",
                                  pipeline_description="PipelineDescription", pipeline_definition="PipelineDefinition"),
    "aws_sagemaker_model_package_group": _on("sagemaker", "CreateModelPackageGroup", model_package_group_name="ModelPackageGroupName",
                                             model_package_group_description="ModelPackageGroupDescription"),
    "aws_sagemaker_model": _on("sagemaker", "CreateModel", name="ModelName", primary_container__model_package_name="PrimaryContainer.ModelPackageName",
                               primary_container__image="PrimaryContainer.Image", primary_container__model_data_url="PrimaryContainer.ModelDataUrl"),
    "aws_sagemaker_endpoint_configuration": _on("sagemaker", "CreateEndpointConfig", name="EndpointConfigName",
                                                production_variants__instance_type="ProductionVariants.InstanceType",
                                                production_variants__variant_name="ProductionVariants.VariantName",
                                                production_variants__initial_instance_count="ProductionVariants.InitialInstanceCount",
                                                data_capture_config__initial_sampling_percentage="DataCaptureConfig.InitialSamplingPercentage",
                                                data_capture_config__destination_s3_uri="DataCaptureConfig.DestinationS3Uri"),
    "aws_sagemaker_endpoint": _on("sagemaker", "CreateEndpoint", name="EndpointName"),
    "aws_sagemaker_domain": _on("sagemaker", "CreateDomain", domain_name="DomainName", auth_mode="AuthMode",
                                app_network_access_type="AppNetworkAccessType"),
    "aws_sagemaker_user_profile": _on("sagemaker", "CreateUserProfile", user_profile_name="UserProfileName"),
    "aws_sagemaker_model_card": _on("sagemaker", "CreateModelCard", model_card_name="ModelCardName", model_card_status="ModelCardStatus",
                                    content="Content"),
    "aws_sagemaker_mlflow_tracking_server": _on("sagemaker", "CreateMlflowTrackingServer", tracking_server_name="TrackingServerName",
                                                tracking_server_size="TrackingServerSize", mlflow_version="MlflowVersion",
                                                artifact_store_uri="ArtifactStoreUri",
                                                weekly_maintenance_window_start="WeeklyMaintenanceWindowStart"),
    "aws_sagemaker_data_quality_job_definition": _on("sagemaker", "CreateDataQualityJobDefinition", name="JobDefinitionName",
                                                     job_resources__cluster_config__instance_type="JobResources.ClusterConfig.InstanceType"),
    "aws_sagemaker_monitoring_schedule": _on("sagemaker", "CreateMonitoringSchedule", name="MonitoringScheduleName",
                                             monitoring_schedule_config__monitoring_type="MonitoringScheduleConfig.MonitoringType",
                                             monitoring_schedule_config__schedule_config__schedule_expression=(
                                                 "MonitoringScheduleConfig.ScheduleConfig.ScheduleExpression")),
    "awscc_sagemaker_model_quality_job_definition": _on("sagemaker", "CreateModelQualityJobDefinition", **_MONITOR,
                                                        model_quality_app_specification__problem_type="ModelQualityAppSpecification.ProblemType"),
    "awscc_sagemaker_model_bias_job_definition": _on("sagemaker", "CreateModelBiasJobDefinition", **_MONITOR),
    "awscc_sagemaker_model_explainability_job_definition": _on("sagemaker", "CreateModelExplainabilityJobDefinition", **_MONITOR),
}
