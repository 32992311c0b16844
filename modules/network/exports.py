"""What the network module publishes (`ctx.imported("network")`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Network:
    """The VPC workloads run in, as references to what the network module emitted."""

    vpc_id: str
    cidr: str                        # the VPC's range (security group rules for its endpoints)
    subnet_ids: list[str]            # private subnets, one per zone, in zone order
    endpoint_security_group_id: str  # the interface endpoints' security group
    s3_prefix_list_id: str           # S3's ranges behind the gateway endpoint (security group rules)
    nat: bool                        # whether private subnets reach the internet through NAT gateways
