"""A small hand-written AWS provider schema, for when
``compiler/schemas/providers/aws.json`` is absent.

It covers the resource types our stacks emit, the ``aws_iam_policy_document`` data
source and the provider block, written from the hashicorp/aws 6.x documentation in the
``terraform providers schema -json`` shape. It is a stand-in: the real schema, when
present, always wins (see :func:`tfprovider.harness.schema_source`). Only the
attributes needed to tell "Terraform accepts this" from "Terraform rejects this" matter
here: names, types, required/optional/computed and block nesting.
"""

from __future__ import annotations

import json
from pathlib import Path

S, N, B = "string", "number", "bool"


def L(t):  # noqa: N802
    return ["list", t]


def SET(t):  # noqa: N802
    return ["set", t]


def M(t):  # noqa: N802
    return ["map", t]


def OBJ(**attrs):  # noqa: N802
    return ["object", attrs]


def req(t):
    return {"type": t, "required": True}


def opt(t):
    return {"type": t, "optional": True}


def comp(t):
    return {"type": t, "computed": True}


def oc(t):
    return {"type": t, "optional": True, "computed": True}


def blk(mode, attrs=None, blocks=None, min_items=0, max_items=0):
    b = {"nesting_mode": mode, "block": {"attributes": attrs or {}, "block_types": blocks or {}}}
    if min_items:
        b["min_items"] = min_items
    if max_items:
        b["max_items"] = max_items
    return b


def one(attrs=None, blocks=None, required=False):
    """A list block of at most one element (SDKv2's MaxItems: 1)."""
    return blk("list", attrs, blocks, min_items=1 if required else 0, max_items=1)


TIMEOUTS = blk("single", {k: opt(S) for k in ("create", "update", "delete")})


def resource(attrs, blocks=None, *, regional=True, tagged=False, version=0):
    a = {"id": oc(S), **attrs}
    if regional:
        a["region"] = oc(S)
    if tagged:
        a["tags"] = opt(M(S))
        a["tags_all"] = oc(M(S))  # SDKv2's TagsSchemaComputed: optional and computed
    return {"version": version, "block": {"attributes": a, "block_types": blocks or {}}}


SG_RULE = SET(OBJ(cidr_blocks=L(S), description=S, from_port=N, ipv6_cidr_blocks=L(S), prefix_list_ids=L(S),
                  protocol=S, security_groups=SET(S), self=B, to_port=N))

RESOURCES = {
    "aws_s3_bucket": resource({
        "bucket": oc(S), "bucket_prefix": oc(S), "force_destroy": opt(B), "object_lock_enabled": oc(B),
        "arn": comp(S), "bucket_domain_name": comp(S), "bucket_regional_domain_name": comp(S),
        "bucket_region": comp(S), "hosted_zone_id": comp(S), "acceleration_status": oc(S), "acl": oc(S),
        "policy": oc(S), "request_payer": oc(S), "website_domain": comp(S), "website_endpoint": comp(S),
    }, {
        "versioning": one({"enabled": oc(B), "mfa_delete": opt(B)}),
        "logging": blk("set", {"target_bucket": req(S), "target_prefix": opt(S)}),
        "object_lock_configuration": one({"object_lock_enabled": opt(S)}),
        "server_side_encryption_configuration": one(blocks={"rule": one({"bucket_key_enabled": opt(B)}, {
            "apply_server_side_encryption_by_default": one({"kms_master_key_id": opt(S), "sse_algorithm": req(S)},
                                                           required=True)}, required=True)}),
        "timeouts": blk("single", {k: opt(S) for k in ("create", "read", "update", "delete")}),
    }, tagged=True),
    "aws_s3_bucket_versioning": resource({
        "bucket": req(S), "expected_bucket_owner": opt(S), "mfa": opt(S),
    }, {"versioning_configuration": one({"status": req(S), "mfa_delete": oc(S)}, required=True)}),
    "aws_s3_bucket_server_side_encryption_configuration": resource({
        "bucket": req(S), "expected_bucket_owner": opt(S),
    }, {"rule": blk("set", {"bucket_key_enabled": opt(B)}, {
        "apply_server_side_encryption_by_default": one({"kms_master_key_id": opt(S), "sse_algorithm": req(S)}),
    }, min_items=1)}),
    "aws_s3_bucket_lifecycle_configuration": resource({
        "bucket": req(S), "expected_bucket_owner": oc(S), "transition_default_minimum_object_size": oc(S),
    }, {"rule": blk("list", {"id": req(S), "prefix": oc(S), "status": req(S)}, {
        "abort_incomplete_multipart_upload": one({"days_after_initiation": opt(N)}),
        "expiration": one({"date": opt(S), "days": oc(N), "expired_object_delete_marker": oc(B)}),
        "filter": one({"object_size_greater_than": oc(N), "object_size_less_than": oc(N), "prefix": oc(S)}, {
            "and": one({"object_size_greater_than": opt(N), "object_size_less_than": opt(N), "prefix": opt(S),
                        "tags": opt(M(S))}),
            "tag": one({"key": req(S), "value": req(S)}),
        }),
        "noncurrent_version_expiration": one({"newer_noncurrent_versions": opt(N), "noncurrent_days": req(N)}),
        "noncurrent_version_transition": blk("set", {"newer_noncurrent_versions": opt(N),
                                                     "noncurrent_days": req(N), "storage_class": req(S)}),
        "transition": blk("set", {"date": opt(S), "days": oc(N), "storage_class": req(S)}),
    }), "timeouts": blk("single", {"create": opt(S), "update": opt(S)})}),
    "aws_s3_bucket_logging": resource({
        "bucket": req(S), "expected_bucket_owner": opt(S), "target_bucket": req(S), "target_prefix": req(S),
    }, {"target_grant": blk("set", {"permission": req(S)}, {"grantee": one(
        {"display_name": comp(S), "email_address": opt(S), "id": opt(S), "type": req(S), "uri": opt(S)},
        required=True)}),
        "target_object_key_format": one(blocks={"partitioned_prefix": one({"partition_date_source": req(S)}),
                                                "simple_prefix": one()})}),
    "aws_s3_bucket_notification": resource({"bucket": req(S), "eventbridge": opt(B)}, {
        kind: blk("list", {"events": req(SET(S)), "filter_prefix": opt(S), "filter_suffix": opt(S), "id": oc(S),
                           arn: opt(S)})
        for kind, arn in (("lambda_function", "lambda_function_arn"), ("queue", "queue_arn"), ("topic", "topic_arn"))
    }),
    "aws_s3_bucket_object_lock_configuration": resource({
        "bucket": req(S), "expected_bucket_owner": opt(S), "object_lock_enabled": oc(S),
        "token": {"type": S, "optional": True, "sensitive": True},
    }, {"rule": one(blocks={"default_retention": one({"days": opt(N), "mode": opt(S), "years": opt(N)},
                                                     required=True)})}),
    "aws_s3_bucket_ownership_controls": resource({"bucket": req(S)},
                                                 {"rule": one({"object_ownership": req(S)}, required=True)}),
    "aws_s3_bucket_policy": resource({"bucket": req(S), "policy": req(S)}),
    "aws_s3_bucket_public_access_block": resource({
        "bucket": req(S), "block_public_acls": opt(B), "block_public_policy": opt(B), "ignore_public_acls": opt(B),
        "restrict_public_buckets": opt(B), "skip_destroy": opt(B),
    }),
    "aws_kms_key": resource({
        "arn": comp(S), "bypass_policy_lockout_safety_check": opt(B), "custom_key_store_id": opt(S),
        "customer_master_key_spec": opt(S), "deletion_window_in_days": opt(N), "description": oc(S),
        "enable_key_rotation": opt(B), "is_enabled": opt(B), "key_id": comp(S), "key_usage": opt(S),
        "multi_region": oc(B), "policy": oc(S), "rotation_period_in_days": oc(N), "xks_key_id": opt(S),
    }, {"timeouts": blk("single", {"create": opt(S)})}, tagged=True),
    "aws_kms_alias": resource({"arn": comp(S), "name": oc(S), "name_prefix": oc(S), "target_key_arn": comp(S),
                               "target_key_id": req(S)}),
    "aws_cloudwatch_log_group": resource({
        "arn": comp(S), "kms_key_id": opt(S), "log_group_class": oc(S), "name": oc(S), "name_prefix": oc(S),
        "retention_in_days": opt(N), "skip_destroy": opt(B),
    }, tagged=True),
    "aws_default_security_group": resource({
        "arn": comp(S), "description": comp(S), "egress": oc(SG_RULE), "ingress": oc(SG_RULE), "name": comp(S),
        "name_prefix": comp(S), "owner_id": comp(S), "revoke_rules_on_delete": opt(B), "vpc_id": oc(S),
    }, tagged=True),
    "aws_security_group": resource({
        "arn": comp(S), "description": opt(S), "egress": oc(SG_RULE), "ingress": oc(SG_RULE), "name": oc(S),
        "name_prefix": oc(S), "owner_id": comp(S), "revoke_rules_on_delete": opt(B), "vpc_id": oc(S),
    }, {"timeouts": blk("single", {"create": opt(S), "delete": opt(S)})}, tagged=True),
    "aws_vpc_security_group_ingress_rule": resource({
        "arn": comp(S), "cidr_ipv4": opt(S), "cidr_ipv6": opt(S), "description": opt(S), "from_port": opt(N),
        "ip_protocol": req(S), "prefix_list_id": opt(S), "referenced_security_group_id": opt(S),
        "security_group_id": req(S), "security_group_rule_id": comp(S), "to_port": opt(N),
    }, tagged=True),
    "aws_flow_log": resource({
        "arn": comp(S), "deliver_cross_account_role": opt(S), "eni_id": opt(S), "iam_role_arn": opt(S),
        "log_destination": oc(S), "log_destination_type": opt(S), "log_format": oc(S),
        "max_aggregation_interval": opt(N), "subnet_id": opt(S), "traffic_type": opt(S),
        "transit_gateway_attachment_id": opt(S), "transit_gateway_id": opt(S), "vpc_id": opt(S),
    }, {"destination_options": one({"file_format": opt(S), "hive_compatible_partitions": opt(B),
                                    "per_hour_partition": opt(B)})}, tagged=True),
    "aws_iam_role": resource({
        "arn": comp(S), "assume_role_policy": req(S), "create_date": comp(S), "description": opt(S),
        "force_detach_policies": opt(B), "managed_policy_arns": oc(SET(S)), "max_session_duration": opt(N),
        "name": oc(S), "name_prefix": oc(S), "path": opt(S), "permissions_boundary": opt(S),
        "unique_id": comp(S),
    }, {"inline_policy": blk("set", {"name": opt(S), "policy": opt(S)})}, regional=False, tagged=True),
    "aws_iam_role_policy": resource({"name": oc(S), "name_prefix": oc(S), "policy": req(S), "role": req(S)},
                                    regional=False),
    "aws_vpc": resource({
        "arn": comp(S), "assign_generated_ipv6_cidr_block": opt(B), "cidr_block": oc(S),
        "default_network_acl_id": comp(S), "default_route_table_id": comp(S), "default_security_group_id": comp(S),
        "dhcp_options_id": comp(S), "enable_dns_hostnames": oc(B), "enable_dns_support": opt(B),
        "enable_network_address_usage_metrics": oc(B), "instance_tenancy": opt(S), "ipv4_ipam_pool_id": opt(S),
        "ipv4_netmask_length": opt(N), "ipv6_association_id": comp(S), "ipv6_cidr_block": oc(S),
        "main_route_table_id": comp(S), "owner_id": comp(S),
    }, tagged=True, version=1),
    "aws_subnet": resource({
        "arn": comp(S), "assign_ipv6_address_on_creation": opt(B), "availability_zone": oc(S),
        "availability_zone_id": oc(S), "cidr_block": opt(S), "customer_owned_ipv4_pool": opt(S),
        "enable_dns64": opt(B), "enable_lni_at_device_index": oc(N),
        "enable_resource_name_dns_a_record_on_launch": opt(B),
        "enable_resource_name_dns_aaaa_record_on_launch": opt(B), "ipv6_cidr_block": opt(S),
        "ipv6_cidr_block_association_id": comp(S), "ipv6_native": opt(B), "map_customer_owned_ip_on_launch": opt(B),
        "map_public_ip_on_launch": opt(B), "outpost_arn": opt(S), "owner_id": comp(S),
        "private_dns_hostname_type_on_launch": oc(S), "vpc_id": req(S),
    }, {"timeouts": blk("single", {"create": opt(S), "delete": opt(S)})}, tagged=True, version=1),
    "aws_route_table": resource({
        "arn": comp(S), "owner_id": comp(S), "propagating_vgws": oc(SET(S)),
        "route": oc(SET(OBJ(carrier_gateway_id=S, cidr_block=S, core_network_arn=S, destination_prefix_list_id=S,
                            egress_only_gateway_id=S, gateway_id=S, ipv6_cidr_block=S, local_gateway_id=S,
                            nat_gateway_id=S, network_interface_id=S, transit_gateway_id=S, vpc_endpoint_id=S,
                            vpc_peering_connection_id=S))),
        "vpc_id": req(S),
    }, {"timeouts": TIMEOUTS}, tagged=True),
    "aws_route_table_association": resource({"gateway_id": opt(S), "route_table_id": req(S), "subnet_id": opt(S)}),
    "aws_route": resource({
        "carrier_gateway_id": opt(S), "core_network_arn": opt(S), "destination_cidr_block": opt(S),
        "destination_ipv6_cidr_block": opt(S), "destination_prefix_list_id": opt(S),
        "egress_only_gateway_id": opt(S), "gateway_id": opt(S), "instance_id": comp(S),
        "instance_owner_id": comp(S), "local_gateway_id": opt(S), "nat_gateway_id": opt(S),
        "network_interface_id": oc(S), "origin": comp(S), "route_table_id": req(S), "state": comp(S),
        "transit_gateway_id": opt(S), "vpc_endpoint_id": opt(S), "vpc_peering_connection_id": opt(S),
    }, {"timeouts": TIMEOUTS}),
    "aws_vpc_endpoint": resource({
        "arn": comp(S), "auto_accept": opt(B), "cidr_blocks": comp(L(S)),
        "dns_entry": comp(L(OBJ(dns_name=S, hosted_zone_id=S))), "ip_address_type": oc(S),
        "network_interface_ids": comp(SET(S)), "owner_id": comp(S), "policy": oc(S), "prefix_list_id": comp(S),
        "private_dns_enabled": oc(B), "requester_managed": comp(B), "resource_configuration_arn": opt(S),
        "route_table_ids": oc(SET(S)), "security_group_ids": oc(SET(S)), "service_name": oc(S),
        "service_network_arn": opt(S), "service_region": oc(S), "state": comp(S), "subnet_ids": oc(SET(S)),
        "vpc_endpoint_type": opt(S), "vpc_id": req(S),
    }, {"dns_options": one({"dns_record_ip_type": oc(S), "private_dns_only_for_inbound_resolver_endpoint": oc(B)}),
        "subnet_configuration": blk("set", {"ipv4": oc(S), "ipv6": oc(S), "subnet_id": opt(S)}),
        "timeouts": TIMEOUTS}, tagged=True),
    "aws_eip": resource({
        "address": opt(S), "allocation_id": comp(S), "arn": comp(S), "associate_with_private_ip": opt(S),
        "association_id": comp(S), "carrier_ip": comp(S), "customer_owned_ip": comp(S),
        "customer_owned_ipv4_pool": opt(S), "domain": oc(S), "instance": oc(S), "ipam_pool_id": oc(S),
        "network_border_group": oc(S), "network_interface": oc(S), "private_dns": comp(S), "private_ip": comp(S),
        "ptr_record": comp(S), "public_dns": comp(S), "public_ip": comp(S), "public_ipv4_pool": oc(S),
    }, {"timeouts": blk("single", {k: opt(S) for k in ("read", "update", "delete")})}, tagged=True),
    "aws_internet_gateway": resource({"arn": comp(S), "owner_id": comp(S), "vpc_id": opt(S)},
                                     {"timeouts": TIMEOUTS}, tagged=True),
    "aws_nat_gateway": resource({
        "allocation_id": opt(S), "association_id": comp(S), "connectivity_type": opt(S),
        "network_interface_id": comp(S), "private_ip": oc(S), "public_ip": comp(S),
        "secondary_allocation_ids": oc(SET(S)), "secondary_private_ip_address_count": oc(N),
        "secondary_private_ip_addresses": oc(SET(S)), "subnet_id": opt(S),
    }, {"timeouts": TIMEOUTS}, tagged=True),
}

_PRINCIPALS = blk("set", {"identifiers": req(SET(S)), "type": req(S)})
DATA_SOURCES = {
    "aws_iam_policy_document": {"version": 0, "block": {
        "attributes": {
            "id": comp(S), "json": comp(S), "minified_json": comp(S), "override_policy_documents": opt(L(S)),
            "policy_id": opt(S), "source_policy_documents": opt(L(S)), "version": opt(S),
        },
        "block_types": {"statement": blk("list", {
            "actions": opt(SET(S)), "effect": opt(S), "not_actions": opt(SET(S)), "not_resources": opt(SET(S)),
            "resources": opt(SET(S)), "sid": opt(S),
        }, {"condition": blk("set", {"test": req(S), "values": req(L(S)), "variable": req(S)}),
            "not_principals": _PRINCIPALS, "principals": _PRINCIPALS})},
    }},
}

PROVIDER = {"version": 0, "block": {
    "attributes": {
        **{k: opt(S) for k in ("access_key", "custom_ca_bundle", "ec2_metadata_service_endpoint",
                                "ec2_metadata_service_endpoint_mode", "http_proxy", "https_proxy", "no_proxy",
                                "profile", "region", "retry_mode", "s3_us_east_1_regional_endpoint", "secret_key",
                                "skip_metadata_api_check", "sts_region", "token")},
        **{k: opt(B) for k in ("insecure", "s3_use_path_style", "skip_credentials_validation",
                                "skip_region_validation", "skip_requesting_account_id", "use_dualstack_endpoint",
                                "use_fips_endpoint")},
        "allowed_account_ids": opt(SET(S)), "forbidden_account_ids": opt(SET(S)), "max_retries": opt(N),
        "shared_config_files": opt(L(S)), "shared_credentials_files": opt(L(S)),
        "token_bucket_rate_limiter_capacity": opt(N),
    },
    "block_types": {
        "assume_role": blk("list", {
            "duration": opt(S), "external_id": opt(S), "policy": opt(S), "policy_arns": opt(SET(S)),
            "role_arn": opt(S), "session_name": opt(S), "source_identity": opt(S), "tags": opt(M(S)),
            "transitive_tag_keys": opt(SET(S)),
        }),
        "assume_role_with_web_identity": one({
            "duration": opt(S), "policy": opt(S), "policy_arns": opt(SET(S)), "role_arn": opt(S),
            "session_name": opt(S), "web_identity_token": opt(S), "web_identity_token_file": opt(S),
        }),
        "default_tags": one({"tags": opt(M(S))}),
        "ignore_tags": one({"key_prefixes": opt(SET(S)), "keys": opt(SET(S))}),
    },
}}

ADDRESS = "registry.terraform.io/hashicorp/aws"


def document() -> dict:
    return {"format_version": "1.0", "provider_schemas": {ADDRESS: {
        "provider": PROVIDER, "resource_schemas": RESOURCES, "data_source_schemas": DATA_SOURCES}}}


def write(path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(document(), indent=1, sort_keys=True))
    return p
