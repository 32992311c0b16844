"""workspace: the ML workload's home (component 4).

A SageMaker domain in VpcOnly mode on the network module's private subnets (no direct
internet: Studio reaches AWS through the VPC endpoints this module asks for), encrypted
with the platform key, with named user profiles, a security group that lets Studio apps
talk to each other and to the endpoints only, the execution roles of `roles.py`, and
optionally a managed MLflow tracking server (`tracking.py`).
Exports `Workspace` (`exports.py`): the roles by purpose and the security group.
"""

from __future__ import annotations

from mlops.errors import SpecError, did_you_mean
from mlops.module_api import BuildContext, Environment, literal, module, tf_name

from mlops_modules.network.exports import Network

from . import tracking
from .exports import Workspace
from .roles import ENDPOINT_SERVICE, build_roles

# What a VpcOnly domain needs to reach without internet (besides sts and logs, which
# the network module always provides).
SERVICES = {"sagemaker.api", "sagemaker.runtime", "aws.sagemaker.notebook", "aws.sagemaker.studio",
            "ecr.api", "ecr.dkr", "monitoring"}


def build(ctx: BuildContext) -> None:
    env, spec, section = ctx.env, ctx.spec, ctx.section
    project = spec["project"]
    path = ("workspace",)
    key = ctx.imported("keys").platform
    network: Network = ctx.imported("network")
    sg = ctx.resource("aws_security_group", "workspace", {
        "name": f"{project}-{env.name}-workspace",
        "description": "SageMaker Studio apps and jobs: each other, and AWS endpoints in the VPC",
        "vpc_id": network.vpc_id,
        "tags": {"Name": f"{project}-{env.name}-workspace"},
    }, path=path)
    ctx.exception("CKV2_AWS_5", sg, "attached through the domain's user settings and the VpcConfig of every "
                  "training job, processing job and endpoint, which checkov does not follow")
    rules = [
        ("ingress", "apps", "Studio apps and jobs talk to each other", {"ip_protocol": "-1", "referenced_security_group_id": sg.ref("id")}),
        ("egress", "apps", "Studio apps and jobs talk to each other", {"ip_protocol": "-1", "referenced_security_group_id": sg.ref("id")}),
        ("egress", "endpoints", "HTTPS to VPC endpoints", {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": network.cidr}),
        ("egress", "s3", "HTTPS to S3 through the gateway endpoint", {"ip_protocol": "tcp", "from_port": 443, "to_port": 443,
                                                                      "prefix_list_id": network.s3_prefix_list_id}),
    ]
    for direction, name, description, rule in rules:
        ctx.resource(f"aws_vpc_security_group_{direction}_rule", tf_name("workspace", direction, name),
                     {"security_group_id": sg.ref("id"), "description": description, **rule}, path=path)
    if network.nat:
        ctx.resource("aws_vpc_security_group_egress_rule", "workspace_egress_https", {
            "security_group_id": sg.ref("id"), "description": "HTTPS to the internet through NAT (network.nat)",
            "ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}, path=("network", "nat"))
    roles = build_roles(ctx, sg)
    user_settings = {
        "execution_role": roles["studio"].ref("arn"),
        "security_groups": [sg.ref("id")],
        "jupyter_lab_app_settings": [{"app_lifecycle_management": [{"idle_settings": [{
            "lifecycle_management": "ENABLED", "idle_timeout_in_minutes": section["idle_shutdown_minutes"]}]}]}],
    }
    domain = ctx.resource("aws_sagemaker_domain", "main", {
        "domain_name": f"{project}-{env.name}",
        "auth_mode": "IAM",
        "app_network_access_type": "VpcOnly",
        "vpc_id": network.vpc_id,
        "subnet_ids": network.subnet_ids,
        "kms_key_id": key,
        "default_user_settings": [user_settings],
        "retention_policy": [{"home_efs_file_system": "Retain"}],
    }, path=path, prevent_destroy=True)
    for name in sorted(section["users"]):
        user = section["users"][name]
        attrs = {"domain_id": domain.ref("id"), "user_profile_name": name,
                 "user_settings": [{"execution_role": roles["studio"].ref("arn"), "security_groups": [sg.ref("id")]}]}
        if user.get("description"):
            attrs["tags"] = {"Description": literal(user["description"])}
        ctx.resource("aws_sagemaker_user_profile", tf_name("user", name), attrs, path=("workspace", "users", name))
    tracking.build(ctx)
    ctx.output("sagemaker_domain_id", domain.ref("id"), "SageMaker domain (VpcOnly)")
    ctx.export(Workspace(roles=roles, security_group_id=sg.ref("id")))


def services(spec) -> set[str]:
    section = spec["workspace"]
    mlflow = {"aws.sagemaker.experiments"} if section["experiment_tracking"]["enabled"] else set()
    return SERVICES | mlflow | {ENDPOINT_SERVICE[s] for s in section.get("ai_services", {})}


def check(spec, env: Environment) -> list[SpecError]:
    if "network" not in spec:
        return [SpecError(("workspace",), "the workspace runs in the VPC, but the spec has no network section",
                          hint="add network: {cidr: 10.20.0.0/16}")]
    tracking_settings = spec["workspace"]["experiment_tracking"]
    buckets = spec.get("data", {}).get("buckets", {})
    if tracking_settings["enabled"] and tracking_settings["bucket"] not in buckets:
        return [SpecError(("workspace", "experiment_tracking", "bucket"),
                          f"MLflow keeps its artifacts in a data bucket, and there is no bucket named '{tracking_settings['bucket']}'",
                          hint=did_you_mean(tracking_settings["bucket"], buckets) or "declare it under data.buckets")]
    return []


MODULE = module(
    __name__, build=build, check=check, services=services,
    after=("keys", "network", "data", "repositories"),
    emits=frozenset({
        "aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
        "aws_sagemaker_domain", "aws_sagemaker_user_profile", "aws_iam_role", "aws_iam_role_policy",
        "aws_sagemaker_mlflow_tracking_server",
        "data.aws_iam_policy_document",
    }),
)
