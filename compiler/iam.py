"""Part of the module API: IAM policy documents as `aws_iam_policy_document` data sources.

Policies are written as data sources rather than JSON strings so the generated
Terraform stays readable, references resolve at plan time, and checkov inspects each
statement. Actions are always named: a `*` action is a bug the tests look for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def statement(
    sid: str,
    actions: Iterable[str],
    resources: Iterable[str],
    *,
    effect: str = "Allow",
    principals: Mapping[str, Iterable[str]] | None = None,
    conditions: Iterable[tuple[str, str, Iterable[str]]] = (),
) -> dict[str, Any]:
    """One statement; `principals` maps a type (AWS, Service, *) to identifiers,
    `conditions` are (test, variable, values) triples."""
    body: dict[str, Any] = {
        "sid": sid,
        "effect": effect,
        "actions": sorted(set(actions)),
        "resources": list(resources),
    }
    if principals:
        body["principals"] = [
            {"type": kind, "identifiers": sorted(set(ids))} for kind, ids in sorted(principals.items())
        ]
    if conditions:
        body["condition"] = [
            {"test": test, "variable": variable, "values": list(values)}
            for test, variable, values in conditions
        ]
    return body


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    """Attributes of an `aws_iam_policy_document` data source."""
    return {"statement": list(statements)}


def deny_insecure_transport(resources: list[str]) -> dict[str, Any]:
    """Deny any request to S3 that is not over TLS 1.2 or later."""
    return statement(
        "DenyInsecureTransport",
        ["s3:*"],
        resources,
        effect="Deny",
        principals={"*": ["*"]},
        conditions=[("Bool", "aws:SecureTransport", ["false"])],
    )
