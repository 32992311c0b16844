"""Every role's inline policies fit IAM's limit of 10,240 characters (whitespace not
counted), which no API model states and which `PutRolePolicy` enforces at apply."""

from __future__ import annotations

from conftest import ROOT

from mlops import policy_size
from mlops.pipeline import check


def test_a_document_is_counted_as_the_provider_renders_it():
    statements = [
        {"sid": "Read", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]},
        {"effect": "Allow", "actions": ["kms:Decrypt", "kms:Encrypt"], "resources": ["*"],
         "condition": [{"test": "StringEquals", "variable": "kms:ViaService", "values": ["s3.eu-west-1.amazonaws.com"]}]},
    ]
    assert policy_size.render(statements) == (
        '{"Version":"2012-10-17","Statement":['
        '{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},'
        '{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*",'
        '"Condition":{"StringEquals":{"kms:ViaService":"s3.eu-west-1.amazonaws.com"}}}]}')


def _sizes(spec: str) -> dict[str, dict[str, int]]:
    checked = check(spec.encode(), "mlops.yaml")
    assert not checked.errors, checked.errors
    return {t.stack.env.name: policy_size.role_sizes(t.stack) for t in checked.built}


def test_references_count_as_the_arns_they_become():
    """The studio role of the bundled spec names each bucket by ARN: its estimate grows by
    exactly one bucket ARN (and its objects) per bucket added to the spec."""
    spec = (ROOT / "mlops.yaml").read_text()
    before = _sizes(spec)["dev"]["aws_iam_role.studio"]
    after = _sizes(spec.replace("    artifacts: {}\n", "    artifacts: {}\n    extra: {}\n"))["dev"]["aws_iam_role.studio"]
    arn = len("arn:aws:s3:::fraud-detection-dev-extra-111111111111")
    # ListDataBuckets gets the bucket, ReadWriteData its objects ("/*"), each with a comma and quotes.
    assert after - before == (arn + 3) + (arn + 2 + 3)


def test_the_bundled_spec_fits_with_room():
    sizes = _sizes((ROOT / "mlops.yaml").read_text())
    assert all(size <= policy_size.ROLE_INLINE_LIMIT for env in sizes.values() for size in env.values())
    assert sizes["prod"]["aws_iam_role.studio"] > 5_000  # the largest: it names every bucket and image


def test_a_role_over_the_limit_is_an_error_at_its_spec_line():
    spec = (ROOT / "mlops.yaml").read_text()
    extra = "".join(f"    extra{i:02d}: {{}}\n" for i in range(30))
    services = "".join(f"\n    {s}: [studio]" for s in ("rekognition", "textract", "translate", "transcribe", "bedrock"))
    spec = spec.replace("    artifacts: {}\n", "    artifacts: {}\n" + extra)
    spec = spec.replace("    comprehend: [studio, training]", "    comprehend: [studio, training]" + services)
    errors = check(spec.encode(), "mlops.yaml").errors
    assert [e.path for e in errors] == [("workspace",), ("workspace",)]
    assert all("aws_iam_role.studio: its inline policies come to about" in e.message
               and "IAM allows 10,240 per role" in e.message for e in errors)
    assert sorted(env for env in ("dev", "prod") for e in errors if f"characters in {env};" in e.message) == ["dev", "prod"]
