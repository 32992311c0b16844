"""Spec exceptions against the built stacks: addresses that exist, environments that
exist, and every finding a spec setting causes declared (checked by validate too)."""

from __future__ import annotations

from mlops.pipeline import check

SPEC = """project: demo
region: eu-west-1
state: {{bucket: demo-tfstate}}
environments:
  dev: {{account: "111111111111"}}
  prod:
    account: "222222222222"
    overrides:
      network: {{cidr: 10.21.0.0/16, nat: true{prod_network}}}
network: {{cidr: 10.20.0.0/16}}
exceptions:
{exceptions}
"""
NAT = "  - {check: CKV2_AWS_19, resource: aws_eip.nat_a, reason: the NAT gateway's address is public by design, expires: \"2030-01-01\"}"
RETENTION = "  - {check: CKV_AWS_338, resource: aws_cloudwatch_log_group.flow_logs, reason: sandbox flow logs kept 90 days, expires: \"2030-01-01\"}"


def _errors(exceptions: str, prod_network: str = "") -> list[tuple[str, str, str | None]]:
    checked = check(SPEC.format(exceptions=exceptions, prod_network=prod_network).encode(), "mlops.yaml")
    return [(e.dotted(), e.message, e.hint) for e in checked.errors]


def test_an_exception_for_a_resource_only_some_environments_have_says_which() -> None:
    assert _errors(NAT) == [("exceptions[0].resource", "no resource aws_eip.nat_a in the stack of dev",
                             "only prod has it: add environments: [prod] to this exception")]
    assert _errors(NAT.replace("}", ", environments: [prod]}")) == []


def test_a_setting_checkov_rejects_needs_its_exception_where_it_applies() -> None:
    short = ", flow_logs: {retention_days: 90}"
    [(path, message, hint)] = _errors("  []".replace("  []", NAT.replace("}", ", environments: [prod]}")), short)
    assert path == "environments.prod.overrides.network.flow_logs.retention_days"  # the override set it
    assert "CKV_AWS_338" in message and "(prod)" in message
    assert hint.endswith("environments: [prod]}")
    both = NAT.replace("}", ", environments: [prod]}") + "\n" + RETENTION.replace("}", ", environments: [prod]}")
    assert _errors(both, short) == []
