"""network: the private VPC that ML workloads run in (component 3).

Private subnets only, by default: workloads reach S3 through a gateway endpoint and
every other AWS service they use through interface endpoints. The endpoints are
derived from the `services` each module in the spec declares, so adding a module adds
its endpoints. Flow logs go to a KMS-encrypted log group; the default security group
is closed. `nat: true` adds public subnets and one NAT gateway per zone.
"""

from __future__ import annotations

from mlops.declared import log_retention
from mlops.iam import service_role, statement
from mlops.module_api import BuildContext, module, tf_name

from . import cidr
from .exports import Network

# Needed by anything that runs in the VPC: credentials (sts) and container logs (logs).
BASELINE_SERVICES = {"sts", "logs"}


def build(ctx: BuildContext) -> None:
    net, env, project = ctx.section, ctx.env, ctx.spec["project"]
    path = ("network",)
    vpc = ctx.resource(
        "aws_vpc",
        "main",
        {"cidr_block": net["cidr"], "enable_dns_support": True, "enable_dns_hostnames": True,
         "tags": {"Name": f"{project}-{env.name}"}},
        path=("network", "cidr"),
    )
    # Adopting the default security group with no rules removes all of its rules.
    ctx.resource("aws_default_security_group", "default", {"vpc_id": vpc.ref("id")}, path=path)
    zones = cidr.zones(net["availability_zones"])
    nat_by_zone = _nat(ctx, vpc, zones) if net["nat"] else {}
    subnets, route_tables = [], []
    for zone in zones:
        zpath = ("network", "availability_zones")
        sub = ctx.resource(
            "aws_subnet",
            tf_name("private", zone),
            {"vpc_id": vpc.ref("id"), "cidr_block": cidr.subnet(net, zone), "availability_zone": env.region + zone,
             "map_public_ip_on_launch": False, "tags": {"Name": f"{project}-{env.name}-private-{zone}", "Tier": "private"}},
            path=zpath,
        )
        table = ctx.resource(
            "aws_route_table", tf_name("private", zone),
            {"vpc_id": vpc.ref("id"), "tags": {"Name": f"{project}-{env.name}-private-{zone}"}},
            path=zpath,
        )
        if zone in nat_by_zone:
            ctx.resource("aws_route", tf_name("private", zone, "egress"),
                         {"route_table_id": table.ref("id"), "destination_cidr_block": "0.0.0.0/0",
                          "nat_gateway_id": nat_by_zone[zone]}, path=("network", "nat"))
        ctx.resource("aws_route_table_association", tf_name("private", zone),
                     {"subnet_id": sub.ref("id"), "route_table_id": table.ref("id")}, path=zpath)
        subnets.append(sub.ref("id"))
        route_tables.append(table.ref("id"))
    _flow_logs(ctx, vpc)
    endpoint_sg, s3 = _endpoints(ctx, vpc, subnets, route_tables)
    # Traffic through the S3 gateway endpoint goes to S3's public ranges: security
    # groups allow it by its prefix list, not by the VPC range.
    ctx.export(Network(vpc_id=vpc.ref("id"), cidr=vpc.attrs["cidr_block"], subnet_ids=subnets,
                       endpoint_security_group_id=endpoint_sg.ref("id"), s3_prefix_list_id=s3.ref("prefix_list_id"),
                       nat=bool(nat_by_zone)))
    ctx.output("vpc_id", vpc.ref("id"), "ID of the platform VPC")
    ctx.output("private_subnet_ids", subnets, "Private subnets, one per zone, in zone order")


def _nat(ctx: BuildContext, vpc, zones: list[str]) -> dict[str, str]:
    net, env, project = ctx.section, ctx.env, ctx.spec["project"]
    path = ("network", "nat")
    igw = ctx.resource("aws_internet_gateway", "main", {"vpc_id": vpc.ref("id"), "tags": {"Name": f"{project}-{env.name}"}}, path=path)
    public_rt = ctx.resource(
        "aws_route_table", "public",
        {"vpc_id": vpc.ref("id"), "tags": {"Name": f"{project}-{env.name}-public"}}, path=path,
    )
    ctx.resource("aws_route", "public_internet",
                 {"route_table_id": public_rt.ref("id"), "destination_cidr_block": "0.0.0.0/0",
                  "gateway_id": igw.ref("id")}, path=path)
    nat_by_zone = {}
    for zone in zones:
        sub = ctx.resource(
            "aws_subnet", tf_name("public", zone),
            {"vpc_id": vpc.ref("id"), "cidr_block": cidr.subnet(net, zone, public=True),
             "availability_zone": env.region + zone, "map_public_ip_on_launch": False,
             "tags": {"Name": f"{project}-{env.name}-public-{zone}", "Tier": "public"}},
            path=path,
        )
        ctx.resource("aws_route_table_association", tf_name("public", zone),
                     {"subnet_id": sub.ref("id"), "route_table_id": public_rt.ref("id")}, path=path)
        eip = ctx.resource("aws_eip", tf_name("nat", zone), {"domain": "vpc", "tags": {"Name": f"{project}-{env.name}-nat-{zone}"}},
                           path=path, depends_on=[igw])
        nat = ctx.resource("aws_nat_gateway", tf_name(zone),
                           {"allocation_id": eip.ref("id"), "subnet_id": sub.ref("id"),
                            "tags": {"Name": f"{project}-{env.name}-{zone}"}},
                           path=path, depends_on=[igw])
        nat_by_zone[zone] = nat.ref("id")
    return nat_by_zone


def _flow_logs(ctx: BuildContext, vpc) -> None:
    net, env, project = ctx.section, ctx.env, ctx.spec["project"]
    path = ("network", "flow_logs")
    group = ctx.resource(
        "aws_cloudwatch_log_group", "flow_logs",
        {"name": f"/mlops/{project}/{env.name}/vpc-flow-logs", "retention_in_days": net["flow_logs"]["retention_days"],
         "kms_key_id": ctx.imported("keys").platform},
        path=path,
    )
    log_retention(ctx, group, net["flow_logs"]["retention_days"], path + ("retention_days",), "VPC flow logs")
    role = service_role(ctx, "flow_logs", "vpc-flow-logs.amazonaws.com", [statement(
        "WriteFlowLogs", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        [group.ref("arn"), group.ref("arn") + ":*"],
    )], path=path, source_arn=env.arn("ec2", "vpc-flow-log/*"))
    ctx.resource("aws_flow_log", "vpc",
                 {"vpc_id": vpc.ref("id"), "traffic_type": net["flow_logs"]["traffic_type"], "log_destination_type": "cloud-watch-logs",
                  "log_destination": group.ref("arn"), "iam_role_arn": role.ref("arn"), "max_aggregation_interval": 60},
                 path=path)


def _endpoints(ctx: BuildContext, vpc, subnets: list[str], route_tables: list[str]):
    net, env, project = ctx.section, ctx.env, ctx.spec["project"]
    path = ("network",)
    s3 = ctx.resource("aws_vpc_endpoint", "s3",
                 {"vpc_id": vpc.ref("id"), "service_name": f"com.amazonaws.{env.region}.s3", "vpc_endpoint_type": "Gateway",
                  "route_table_ids": route_tables, "tags": {"Name": f"{project}-{env.name}-s3"}},
                 path=path)
    sg = ctx.resource(
        "aws_security_group", "endpoints",
        {"name": f"{project}-{env.name}-endpoints", "description": "HTTPS from inside the VPC to AWS interface endpoints",
         "vpc_id": vpc.ref("id"), "tags": {"Name": f"{project}-{env.name}-endpoints"}},
        path=path,
    )
    ctx.resource("aws_vpc_security_group_ingress_rule", "endpoints_https",
                 {"security_group_id": sg.ref("id"), "description": "HTTPS from the VPC", "ip_protocol": "tcp",
                  "from_port": 443, "to_port": 443, "cidr_ipv4": net["cidr"]},
                 path=path)
    for service in sorted((ctx.services | BASELINE_SERVICES | set(net["endpoints"])) - {"s3"}):
        ctx.resource("aws_vpc_endpoint", tf_name(service.replace(".", "_")),
                     {"vpc_id": vpc.ref("id"), "service_name": service_name(env.region, service),
                      "vpc_endpoint_type": "Interface", "private_dns_enabled": True, "subnet_ids": subnets,
                      "security_group_ids": [sg.ref("id")], "tags": {"Name": f"{project}-{env.name}-{service}"}},
                     path=("network", "endpoints") if service in net["endpoints"] else path)
    return sg, s3


def service_name(region: str, service: str) -> str:
    """Endpoint service names: com.amazonaws.<region>.<service>, except SageMaker
    Studio's own (`aws.sagemaker.notebook` -> aws.sagemaker.<region>.notebook)."""
    if service.startswith("aws.sagemaker."):
        return f"aws.sagemaker.{region}.{service.removeprefix('aws.sagemaker.')}"
    return f"com.amazonaws.{region}.{service}"


def _check(spec, env):
    return cidr.check(spec["network"])


MODULE = module(
    __name__, build=build, check=_check, check_environments=cidr.overlaps,
    after=("keys",),
    emits=frozenset({
        "aws_vpc", "aws_default_security_group", "aws_subnet", "aws_route_table", "aws_route",
        "aws_route_table_association", "aws_internet_gateway", "aws_eip", "aws_nat_gateway",
        "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_flow_log",
        "aws_vpc_endpoint", "aws_security_group", "aws_vpc_security_group_ingress_rule",
        "data.aws_iam_policy_document",
    }),
)
