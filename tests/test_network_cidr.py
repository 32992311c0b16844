"""Subnet allocation is keyed by zone letter: editing the zone list never moves a subnet."""

from __future__ import annotations

import ipaddress

import pytest

from mlops_modules.network import cidr


def _plan(zones, **network):
    net = {"cidr": "10.20.0.0/16", **network}
    return {z: cidr.subnet(net, z) for z in cidr.zones(zones)}


def test_adding_a_zone_never_moves_the_others() -> None:
    two, three = _plan(2), _plan(3)
    assert two == {"a": "10.20.0.0/20", "b": "10.20.16.0/20"}
    assert {z: three[z] for z in two} == two
    assert three["c"] == "10.20.32.0/20"


def test_removing_a_zone_never_moves_the_others() -> None:
    assert _plan(["a", "c"]) == {"a": "10.20.0.0/20", "c": "10.20.32.0/20"}


def test_public_subnets_take_the_upper_slots() -> None:
    net = {"cidr": "10.20.0.0/16"}
    assert cidr.subnet(net, "a", public=True) == "10.20.128.0/20"
    assert cidr.subnet(net, "f", public=True) == "10.20.208.0/20"


def test_subnets_never_overlap() -> None:
    for prefix in (None, 22, 28):
        net = {"cidr": "10.20.0.0/16", "subnet_prefix_length": prefix} if prefix else {"cidr": "10.20.0.0/16"}
        nets = [ipaddress.ip_network(cidr.subnet(net, z, p)) for z in cidr.ZONES for p in (False, True)]
        assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


@pytest.mark.parametrize("text,message", [
    ("10.20.0.1/16", "has host bits set"),
    ("10.0.0.0/8", "a VPC must be /16 to /24"),
    ("100.64.0.0/16", "is not a private range"),
])
def test_bad_ranges(text, message) -> None:
    [error] = cidr.check({"cidr": text})
    assert message in error.message


def test_overlap_is_reported_for_the_later_environment() -> None:
    specs = {"dev": {"network": {"cidr": "10.20.0.0/16"}}, "prod": {"network": {"cidr": "10.20.64.0/18"}},
             "stage": {"network": {"cidr": "10.22.0.0/16"}}}
    [(env, error)] = cidr.overlaps(specs)
    assert env == "prod" and "overlaps dev's network 10.20.0.0/16" in error.message
    assert "10.21.0.0/18" in error.hint
