"""ARNs written once in mlops.yaml and used in several environments' accounts."""

from __future__ import annotations

from mlops.pipeline import check

BASE = """project: demo
region: {region}
state: {{bucket: demo-tfstate}}
environments:
  dev: {{account: "111111111111"}}
  prod:
    account: "222222222222"
    overrides:
      network: {{cidr: 10.71.0.0/16}}
{prod_overrides}
network: {{cidr: 10.70.0.0/16}}
governance:
  permissions_boundary: {boundary}
"""


def _errors(boundary: str, prod_overrides: str = "", region: str = "eu-west-1") -> list[str]:
    spec = BASE.format(boundary=boundary, prod_overrides=prod_overrides, region=region)
    return [f"{e.dotted()}: {e.message}" for e in check(spec.encode(), "mlops.yaml").errors]


def test_a_boundary_name_is_built_in_every_account() -> None:
    checked = check(BASE.format(boundary="mlops-boundary", prod_overrides="", region="eu-west-1").encode(), "mlops.yaml")
    assert not checked.errors
    from mlops import registry
    governance = next(m for m in registry.modules() if m.name == "governance")
    arns = {r.env.name: governance.role_settings(r.spec, r.env)["permissions_boundary"] for r in checked.resolved}
    assert arns == {"dev": "arn:aws:iam::111111111111:policy/mlops-boundary",
                    "prod": "arn:aws:iam::222222222222:policy/mlops-boundary"}


def test_a_boundary_arn_in_one_account_fails_for_the_others() -> None:
    assert _errors("arn:aws:iam::111111111111:policy/b") == [
        "governance.permissions_boundary: the permissions boundary 'arn:aws:iam::111111111111:policy/b' is in "
        "account 111111111111, and prod's account is 222222222222"]


def test_a_boundary_arn_overridden_per_environment_is_fine() -> None:
    override = "      governance: {permissions_boundary: \"arn:aws:iam::222222222222:policy/b\"}"
    assert _errors("arn:aws:iam::111111111111:policy/b", override) == []


def test_an_aws_managed_boundary_is_in_every_account_but_one_partition() -> None:
    assert _errors("arn:aws:iam::aws:policy/PowerUserAccess") == []
    assert _errors("arn:aws:iam::aws:policy/PowerUserAccess", region="cn-north-1") == [
        "governance.permissions_boundary: the permissions boundary 'arn:aws:iam::aws:policy/PowerUserAccess' is in "
        "partition aws, and dev (cn-north-1) is in aws-cn",
        "governance.permissions_boundary: the permissions boundary 'arn:aws:iam::aws:policy/PowerUserAccess' is in "
        "partition aws, and prod (cn-north-1) is in aws-cn"]
