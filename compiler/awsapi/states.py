"""Step Functions state machines, checked task by task against the APIs they call.

A Task whose Resource is a service integration sends its `Parameters` as that API's
request: `arn:aws:states:::sagemaker:createTrainingJob.sync` is CreateTrainingJob,
`arn:aws:states:::aws-sdk:s3:copyObject` is S3's CopyObject. A key ending in `.$`
takes its value from the state's input (a JSONPath or an intrinsic function) at run
time, so only its name is checked. A state in JSONata (the definition's or the state's
`QueryLanguage`) sends its `Arguments` instead, where a string `{% ... %}` is an
expression evaluated at run time, so again only its member's name is checked. An
integration whose API is not in the pinned slices is a problem too: nothing goes
unchecked by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from . import Hole, check_request
from .operations import OPERATIONS

_INTEGRATION = re.compile(r"^arn:[^:]+:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync(?::2)?|\.waitForTaskToken)?$")
# Service names in integration ARNs that differ from botocore's.
_SERVICES = {"sfn": "stepfunctions"}


def check(definition: dict[str, Any]) -> list[str]:
    """Every problem of one state machine definition (Amazon States Language, JSONPath or JSONata)."""
    problems = []
    language = definition.get("QueryLanguage", "JSONPath")
    for name, state in _states(definition.get("States", {})):
        if state.get("Type") != "Task":
            continue
        resource = state.get("Resource", "")
        match = _INTEGRATION.match(resource)
        if not match:
            problems.append(f"{name}: {resource!r} is not a service integration mlops knows how to check")
            continue
        service = _SERVICES.get(match.group(1), match.group(1))
        operation = match.group(2)[:1].upper() + match.group(2)[1:]
        if operation not in OPERATIONS.get(service, ()):
            problems.append(f"{name}: {service} {operation} is not in the pinned API slices "
                            "(add it to mlops.awsapi.operations and run tools/extract_api_models.py)")
            continue
        if state.get("QueryLanguage", language) == "JSONata":
            request = _expressions(state.get("Arguments", {}))
        else:
            request = _holes(state.get("Parameters", {}))
        problems += [f"{name}: {p}" for p in check_request(service, operation, request)]
    return problems


def _states(states: dict[str, dict]) -> Iterator[tuple[str, dict]]:
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _states(branch.get("States", {}))
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from _states(state[key].get("States", {}))


def _holes(node: Any) -> Any:
    """Parameters with every `Key.$` turned into `Key` holding a run-time value."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key.endswith(".$"):
                out[key[:-2]] = Hole(None, f"the run-time value {value!r}")
            else:
                out[key] = _holes(value)
        return out
    if isinstance(node, list):
        return [_holes(item) for item in node]
    return node


def _expressions(node: Any) -> Any:
    """JSONata Arguments with every `{% ... %}` string turned into a run-time value."""
    if isinstance(node, str) and node.startswith("{%") and node.endswith("%}"):
        return Hole(None, f"the run-time value {node!r}")
    if isinstance(node, dict):
        return {key: _expressions(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_expressions(item) for item in node]
    return node

