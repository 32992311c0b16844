"""Subnet allocation keyed by zone letter, and the checks on the ranges users write.

A subnet's slot in the VPC range is fixed by its zone letter (a=0, b=1, ...; public
subnets for NAT take slots 8 and up), never by its position in a list. So adding zone
c never renumbers a or b, and removing b never moves c -- no surprise replacements.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from mlops.errors import SpecError

ZONES = "abcdef"
PUBLIC_OFFSET = 8
SLOTS = 16  # 8 private + 8 public, so the layout is the same with or without NAT
# AWS allows /16 to /28 for a VPC; /24 is the smallest that still gives 16 slots of /28.
LARGEST_VPC, SMALLEST_VPC = 16, 24


def zones(setting: int | list[str]) -> list[str]:
    if isinstance(setting, int):
        return list(ZONES[:setting])
    return sorted(setting)


def subnet_prefix(network: Mapping[str, Any]) -> int:
    vpc = ipaddress.ip_network(network["cidr"])
    return network.get("subnet_prefix_length") or vpc.prefixlen + 4


def subnet(network: Mapping[str, Any], zone: str, public: bool = False) -> str:
    vpc = ipaddress.ip_network(network["cidr"])
    slot = ZONES.index(zone) + (PUBLIC_OFFSET if public else 0)
    return str(list(vpc.subnets(new_prefix=subnet_prefix(network)))[slot])


def check(network: Mapping[str, Any]) -> list[SpecError]:
    path = ("network", "cidr")
    text = network["cidr"]
    try:
        vpc = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return [SpecError(path, f"'{text}' is not an IPv4 network", hint="write an address and a prefix length, e.g. 10.20.0.0/16")]
    if str(vpc) != text:
        return [SpecError(path, f"'{text}' has host bits set", hint=f"did you mean '{vpc}'?")]
    if not vpc.is_private:
        return [SpecError(path, f"{text} is not a private range", hint="use a range from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")]
    if not LARGEST_VPC <= vpc.prefixlen <= SMALLEST_VPC:
        return [SpecError(path, f"a VPC must be /{LARGEST_VPC} to /{SMALLEST_VPC}, got /{vpc.prefixlen}",
                          hint="use a /16 for room to grow, e.g. 10.20.0.0/16")]
    prefix = subnet_prefix(network)  # at most /28: the schema caps it, and /24 + 4 is /28
    if prefix - vpc.prefixlen < 4:
        return [SpecError(("network", "subnet_prefix_length"),
                          f"/{prefix} subnets leave {2 ** (prefix - vpc.prefixlen)} slots in {text}; mlops needs {SLOTS} (8 zones, private and public)",
                          hint=f"use /{vpc.prefixlen + 4} or longer")]
    return []


def overlaps(specs: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, SpecError]]:
    """Environments whose VPC ranges overlap cannot later be peered or joined by a transit gateway."""
    errors = []
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for env in sorted(specs):
        network = specs[env].get("network")
        if not network:
            continue
        mine = ipaddress.ip_network(network["cidr"])
        for other, theirs in seen:
            if mine.overlaps(theirs):
                errors.append((env, SpecError(
                    ("network", "cidr"),
                    f"{env}'s network {mine} overlaps {other}'s network {theirs}",
                    hint=f"give each environment its own range in environments.{env}.overrides.network.cidr, e.g. {_next_free(mine, [n for _, n in seen])}",
                )))
                break
        seen.append((env, mine))
    return errors


def _next_free(mine: ipaddress.IPv4Network, taken: list) -> str:
    candidate = mine
    for _ in range(256):
        start = int(candidate.network_address) + candidate.num_addresses
        try:
            candidate = ipaddress.ip_network((start, candidate.prefixlen))
        except ValueError:
            break
        if candidate.is_private and not any(candidate.overlaps(t) for t in [mine, *taken]):
            return str(candidate)
    return "another private range"
