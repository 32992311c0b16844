"""Tags from the spec (`tags`, `owner`), checked against what the services mlops tags
accept. Every resource carries them through the provider's `default_tags`, so one tag
AWS rejects (`team: "ML & Data"`) fails every create call at apply time. The key and
value shapes are those of the API models (SageMaker, IAM, CloudWatch Logs, SSM: the
tagged services with the strictest rules), never written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SpecError
from . import check_member

# (service, key shape, value shape) of tagged services in the slices.
SHAPES = (("sagemaker", "TagKey", "TagValue"), ("iam", "tagKeyType", "tagValueType"),
          ("logs", "TagKey", "TagValue"), ("ssm", "TagKey", "TagValue"))
HINT = "AWS tags take letters, digits, spaces and _ . : / = + - @ (keys up to 128 characters, values up to 256)"


def check(spec: Mapping[str, Any]) -> list[SpecError]:
    errors = []
    for key, value in sorted((spec.get("tags") or {}).items()):
        errors += _first(("tags", key), key, 1, True) + _first(("tags", key), value, 2, False)
    if spec.get("owner"):
        errors += _first(("owner",), spec["owner"], 2, False)
    return errors


def _first(path: tuple, text: str, which: int, key: bool) -> list[SpecError]:
    """The first service's objection to a tag key (which=1) or value (which=2)."""
    for service, *shapes in SHAPES:
        problems = check_member(service, shapes[which - 1], text, "tag key" if key else "tag value")
        if problems:
            return [SpecError(path, f"{problems[0]} ({service} {shapes[which - 1]})", hint=HINT, key=key)]
    return []
