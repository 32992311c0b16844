"""Environments that serve another's versions (`serves_from`, mlops.serving): which
registry the registry commands ask, and who each side names."""

from __future__ import annotations

from mlops import promotion, serving
from mlops.environment import environment

DATA = {
    "project": "demo", "region": "eu-west-1",
    "environments": {
        "dev": {"account": "111111111111", "role": "mlops-deploy"},
        "staging": {"account": "222222222222", "role": "mlops-deploy", "serves_from": "dev"},
        "prod": {"account": "333333333333", "role": "mlops-deploy", "serves_from": "dev",
                 "overrides": {"models": {"churn": {"endpoint": {"model_version": 3}}}}},
    },
}


def test_the_registry_of_a_serving_environment_is_the_training_environments():
    assert promotion.training_environment(DATA, "dev") == "dev"
    assert promotion.training_environment(DATA, "prod") == "dev"
    target = promotion.target(DATA, "churn", "prod")
    assert target.trains_in == "dev"
    assert target.path == ("environments", "prod", "overrides", "models", "churn", "endpoint", "model_version")


def test_each_side_knows_the_other():
    dev, prod = environment(DATA, "dev"), environment(DATA, "prod")
    assert prod.serves_from == "dev" and dev.serves_from is None
    assert serving.training(DATA, prod) == dev and serving.training(DATA, dev) is None
    assert [env.name for env in serving.serving(DATA, dev)] == ["prod", "staging"]
    assert serving.serving(DATA, prod) == []


def test_a_grant_names_the_serving_account_narrowed_to_its_roles():
    prod = environment(DATA, "prod")
    role = "arn:aws:iam::333333333333:role/demo-prod-inference"
    granted = serving.granted("ProdReads", ["s3:GetObject"], ["arn:aws:s3:::b/k"], prod, [role])
    assert granted["principals"] == [{"type": "AWS", "identifiers": ["arn:aws:iam::333333333333:root"]}]
    assert granted["condition"] == [{"test": "ArnEquals", "variable": "aws:PrincipalArn", "values": [role]}]


def test_the_training_key_is_named_by_alias_through_s3_only():
    dev = environment(DATA, "dev")
    decrypt = serving.decrypt_through_s3("DecryptArtifacts", dev, "alias/demo-dev-platform")
    assert decrypt["actions"] == ["kms:Decrypt"] and decrypt["resources"] == ["arn:aws:kms:eu-west-1:111111111111:key/*"]
    assert {c["variable"]: c["values"] for c in decrypt["condition"]} == {
        "kms:ResourceAliases": ["alias/demo-dev-platform"], "kms:ViaService": ["s3.eu-west-1.amazonaws.com"]}
