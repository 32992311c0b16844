"""The pass that checks a built stack against AWS's API models, before synthesis.

Three kinds of payload reach an API: Terraform attributes (`terraform.ATTRIBUTES`),
SageMaker pipeline definitions (`pipelines`) and Step Functions definitions
(`states`). Each problem becomes a `SpecError` at the spec path of the resource that
carries it, naming the module and the Terraform address, like the provider-schema
check does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import SpecError
from ..module_api import Resource, Stack
from . import check_member, member_shape, pipelines, states
from .terraform import ATTRIBUTES, NAME_PREFIX_SUFFIX

_MAPPED = {type_: tuple(sorted(attributes.items())) for type_, attributes in ATTRIBUTES.items()}
DOCUMENTS = {("aws_sagemaker_pipeline", "pipeline_definition"): pipelines.check,
             ("aws_sfn_state_machine", "definition"): states.check}


def check(stack: Stack) -> list[SpecError]:
    errors = []
    for resource in stack.resources:
        if resource.data_source:
            continue
        for problem in problems(resource):
            errors.append(SpecError(resource.spec_path, f"module {resource.module}: {resource.address}: {problem}",
                                    hint="AWS would reject this; the constraint comes from its API model (botocore)"))
    return errors


def problems(resource: Resource) -> list[str]:
    found = []
    for attribute, (service, operation, member) in _MAPPED.get(resource.type, ()):
        shape = member_shape(service, operation, member)
        for where, value in _values(resource.attrs, attribute.split(".")):
            found += check_member(service, shape, value, f"{where} ({operation} {member})")
        if attribute == "name":
            for where, prefix in _values(resource.attrs, ["name_prefix"]):
                found += check_member(service, shape, prefix + "x" * NAME_PREFIX_SUFFIX,
                                      f"{where} + the {NAME_PREFIX_SUFFIX}-character suffix Terraform adds ({operation} {member})")
    for (type_, attribute), check_document in DOCUMENTS.items():
        if resource.type == type_ and isinstance(resource.attrs.get(attribute), str):
            found += [f"{attribute}: {p}" for p in check_document(json.loads(resource.attrs[attribute]))]
    return found


def _values(node: Any, path: list[str], where: str = "") -> Iterator[tuple[str, Any]]:
    """The values at an attribute path, through nested blocks (lists) and objects."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _values(item, path, f"{where}[{i}]")
        return
    if not path:
        yield where, node
        return
    if isinstance(node, dict) and path[0] in node:
        yield from _values(node[path[0]], path[1:], f"{where}.{path[0]}" if where else path[0])
