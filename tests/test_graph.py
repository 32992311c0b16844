"""`mlops graph` draws the platform: the README's picture is its output for the bundled
spec, and every model, bucket, dataset, endpoint and monitor of each environment is in
it, with what starts each training."""

from __future__ import annotations

import re

from conftest import ROOT
from mlops import pipeline
from mlops.graph import mermaid

CHECKED = pipeline.check((ROOT / "mlops.yaml").read_bytes(), "mlops.yaml")


def test_the_readme_shows_the_graph_of_the_bundled_spec():
    prod = [r for r in CHECKED.resolved if r.env.name == "prod"]
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", readme, re.S).group(1)
    assert block == mermaid(prod)


def test_every_environment_shows_its_parts_and_triggers():
    text = mermaid(CHECKED.resolved)
    for one in CHECKED.resolved:
        env = one.env.name
        assert f'subgraph {env}["{env}: account {one.env.account}, {one.env.region}"]' in text
        for model in one.spec["models"]:
            assert f"{env}_train_{model.replace('-', '_')}[" in text
        for bucket in one.spec["data"]["buckets"]:
            assert f'{env}_bucket_{bucket}[("bucket {bucket}")]' in text
    assert 'prod_endpoint_fraud_xgb("endpoint fraud-xgb v3, ml.m5.large")' in text
    assert 'dev_endpoint_fraud_xgb("endpoint fraud-xgb v4, ml.m5.large")' in text  # overrides applied
    assert 'prod_monitor_fraud_xgb -.->|"drift"| prod_train_fraud_xgb' in text
    assert 'prod_dataset_transactions -.->|"new data"| prod_train_fraud_xgb' in text
    ids = re.findall(r"^\s+([A-Za-z0-9_]+)[\[(]", text, re.M)
    assert len(ids) == len(set(ids)), "a node is declared twice"


def test_a_serving_environment_shows_what_it_serves_and_trains_nothing():
    spec = ROOT / "modules" / "models" / "cases" / "cross-account" / "mlops.yaml"
    checked = pipeline.check(spec.read_bytes(), spec.name)
    prod = [r for r in checked.resolved if r.env.name == "prod"]
    text = mermaid(prod)
    assert "prod_train_" not in text
    assert 'prod_registry_churn[("registry churn in dev")]' in text
    assert 'prod_monitor_churn -.->|"drift"| prod_retrain_churn' in text
