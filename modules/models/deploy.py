"""Deployment: a real-time endpoint serving the model package version pinned for the
environment (promotion is a reviewed change to mlops.yaml), with the platform key on
the endpoint configuration, data capture to the capture bucket, and autoscaling
between min and max instances. No version pinned, no endpoint. The version is one of
this environment's registry, or of the environment it serves from (`served.py`)."""

from __future__ import annotations

from mlops.instances import has_local_storage
from mlops.module_api import BuildContext, Environment, tf_name
from mlops.names import fit

from .exports import Endpoint, capture_prefix, endpoint_name


def build(ctx: BuildContext, name: str, model: dict, group_name: str, trains: Environment | None = None) -> Endpoint | None:
    """The endpoint of the pinned version of `group_name`, a group of this environment or,
    when it serves from another (`served.py`), of `trains`."""
    endpoint = model.get("endpoint") or {}
    if not endpoint.get("model_version"):
        return None
    env, project = ctx.env, ctx.spec["project"]
    path = ("models", name, "endpoint")
    key = ctx.imported("keys").platform
    roles = ctx.imported("workspace.roles")
    ident = tf_name(name)
    package_arn = (trains or env).arn("sagemaker", f"model-package/{group_name}/{endpoint['model_version']}")
    served = endpoint_name(project, env.name, name)
    sm_model = ctx.resource("aws_sagemaker_model", ident, {
        "name": f"{served}-v{endpoint['model_version']}",
        "execution_role_arn": roles["inference"].ref("arn"),
        "primary_container": [{"model_package_name": package_arn}],
        "vpc_config": [{"subnets": ctx.imported("network.subnet_ids"),
                        "security_group_ids": [ctx.imported("workspace.security_group_id")]}],
        "enable_network_isolation": True,
    }, path=path + ("model_version",))
    variant = {"variant_name": "AllTraffic", "model_name": sm_model.ref("name"),
               "initial_instance_count": endpoint["min_instances"], "instance_type": endpoint["instance_type"]}
    # EndpointConfigName allows 63 characters; Terraform appends 26 to a name_prefix.
    config = {"name_prefix": fit(served, 63 - 26 - len("-")) + "-", "production_variants": [variant]}
    if not has_local_storage(endpoint["instance_type"]):  # local NVMe is encrypted in hardware
        config["kms_key_arn"] = key
    capture = ctx.imported("data.buckets")[endpoint["capture_bucket"]] if endpoint["data_capture_percent"] else None
    if capture:
        config["data_capture_config"] = [{
            "enable_capture": True,
            "initial_sampling_percentage": endpoint["data_capture_percent"],
            "destination_s3_uri": f"s3://{capture.ref('bucket')}/{capture_prefix(name).rstrip('/')}",
            "kms_key_id": key,
            "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
            "capture_content_type_header": [{"csv_content_types": ["text/csv"], "json_content_types": ["application/json"]}],
        }]
    endpoint_config = ctx.resource("aws_sagemaker_endpoint_configuration", ident, config, path=path,
                                   create_before_destroy=True)
    if "kms_key_arn" not in config:
        ctx.exception("CKV_AWS_98", endpoint_config, f"{endpoint['instance_type']} has local NVMe storage, which AWS "
                      "encrypts in hardware; SageMaker rejects a KMS key for such instances")
    sm_endpoint = ctx.resource("aws_sagemaker_endpoint", ident, {
        "name": served,
        "endpoint_config_name": endpoint_config.ref("name"),
    }, path=path)
    _autoscaling(ctx, ident, served, endpoint, sm_endpoint, path)
    ctx.output(f"endpoint_{ident}", sm_endpoint.ref("name"), f"Endpoint serving {name} version {endpoint['model_version']}",
               path=("models", name))
    return Endpoint(resource=sm_endpoint, name=sm_endpoint.attrs["name"], version=endpoint["model_version"],
                    model_name=sm_model.attrs["name"], model_arns=env.arn("sagemaker", f"model/{served}-v*"),
                    capture=capture, capture_prefix=capture_prefix(name))


def _autoscaling(ctx: BuildContext, ident: str, served: str, endpoint: dict, sm_endpoint, path: tuple) -> None:
    """Between min and max instances, tracking invocations per instance."""
    resource_id = f"endpoint/{served}/variant/AllTraffic"
    target = ctx.resource("aws_appautoscaling_target", ident, {
        "service_namespace": "sagemaker",
        "resource_id": resource_id,
        "scalable_dimension": "sagemaker:variant:DesiredInstanceCount",
        "min_capacity": endpoint["min_instances"],
        "max_capacity": endpoint["max_instances"],
    }, path=path, depends_on=[sm_endpoint])
    ctx.resource("aws_appautoscaling_policy", ident, {
        "name": f"{served}-invocations",
        "policy_type": "TargetTrackingScaling",
        "service_namespace": target.ref("service_namespace"),
        "resource_id": target.ref("resource_id"),
        "scalable_dimension": target.ref("scalable_dimension"),
        "target_tracking_scaling_policy_configuration": [{
            "target_value": endpoint["target_invocations_per_instance"],
            "predefined_metric_specification": [{"predefined_metric_type": "SageMakerVariantInvocationsPerInstance"}],
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 60,
        }],
    }, path=path)
