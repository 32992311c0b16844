"""Part of the module API: EventBridge rules and EventBridge Scheduler schedules, with their
targets and the roles those targets are called as.

Vocabulary: a *rule* matches events (a push, a new object, a pipeline run that failed);
a *target* is where a rule sends what it matched, called as a role that may do that one
thing (`target`), or with no role when the target's own resource policy lets EventBridge
in (the alerts topic); a *schedule* starts a target at set times, encrypted with the
platform key, through a role that may also decrypt it (`scheduler_role`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .iam import service_role, statement
from .module_api import BuildContext, Resource
from .names import fit

RULE_NAME = 64  # characters EventBridge allows in a rule's name, as in a schedule's


def rule(ctx: BuildContext, ident: str, *, name: str, description: str, pattern: dict, path: tuple) -> Resource:
    """A rule on the default bus matching `pattern`, named `name` (shortened by `fit`)."""
    return ctx.resource("aws_cloudwatch_event_rule", ident, {
        "name": fit(name, RULE_NAME),
        "description": description,
        "event_pattern": json.dumps(pattern, sort_keys=True),
    }, path=path)


def target(ctx: BuildContext, ident: str, matched: Resource, arn: str, *, path: tuple, role: str | None = None,
           statements: Iterable[dict] = (), **attrs) -> Resource:
    """Send what the rule `matched` to `arn`. With `role` (the role's Terraform name),
    EventBridge calls the target as a role that may do `statements` and nothing else;
    `attrs` are the target's other settings (its input, pipeline parameters)."""
    body = {"rule": matched.ref("name"), "arn": arn}
    if role:
        body["role_arn"] = service_role(ctx, role, "events.amazonaws.com", list(statements), path=path).ref("arn")
    body.update(attrs)
    return ctx.resource("aws_cloudwatch_event_target", ident, body, path=path)


def start_state_machine(sid: str, machine: Resource, key: str) -> list[dict]:
    """What a caller needs to start `machine`: the execution, and the key its data is
    encrypted with (every state machine uses the platform key, `mlops.states`)."""
    return [statement(sid, ["states:StartExecution"], [machine.ref("arn")]),
            statement("UseStateMachineKey", ["kms:Decrypt", "kms:GenerateDataKey"], [key])]


def scheduler_role(ctx: BuildContext, ident: str, statements: list[dict], key: str, *, path: tuple) -> Resource:
    """The role schedules call their targets as: `statements`, and the platform key the
    schedules are encrypted with (Scheduler decrypts them as this role)."""
    return service_role(ctx, ident, "scheduler.amazonaws.com",
                        [*statements, statement("DecryptSchedule", ["kms:Decrypt"], [key])], path=path)


def schedule(ctx: BuildContext, ident: str, *, name: str, description: str, expression: str, arn: str,
             role: Resource, key: str, path: tuple, **attrs) -> Resource:
    """A schedule that starts `arn` as `role`, retrying for an hour; `attrs` are the
    target's other settings (pipeline parameters, input)."""
    return ctx.resource("aws_scheduler_schedule", ident, {
        "name": fit(name, RULE_NAME),
        "description": description,
        "schedule_expression": expression,
        "flexible_time_window": [{"mode": "OFF"}],
        "kms_key_arn": key,
        "target": [{"arn": arn, "role_arn": role.ref("arn"), **attrs,
                    "retry_policy": [{"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}]}],
    }, path=path)
