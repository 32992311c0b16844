"""Monitoring across environments (`environments.<env>.serves_from`, mlops.serving).

An environment that serves another's versions monitors its own endpoints, with its own
capture, alarms and reports, but the served version's baselines are kept where it was
trained: its monitoring jobs read them there (`pipeline.py`, `Model.trained_in`), and
the training environment lets exactly those jobs' roles do so (`share`). Model Monitor
jobs (`engine: model-monitor`) would need the same grants on roles mlops does not name,
so a serving environment monitors with mlops's engine.

Drift found in a serving environment retrains the model where it trains: the serving
environment's drift rule sends the alarm's state change to the training environment's
default event bus (`retraining.forward`); there, the bus policy lets exactly those
rules put events (`bus_policy`) and a rule matching those alarms from those accounts
starts the model's debounced retraining (`listen`). Step Functions is no
cross-account EventBridge target, hence the hop through the bus.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlops import s3
from mlops.errors import SpecError
from mlops.events import RULE_NAME, rule
from mlops.iam import document
from mlops.module_api import BuildContext, Environment, tf_name
from mlops.names import fit
from mlops.serving import granted, serving, sid, through_s3

from mlops_modules.keys.exports import PLATFORM
from mlops_modules.models.exports import Model, endpoint_name

from . import retraining
from .alarms import violations_alarm_name
from .exports import KINDS, MLOPS, engine_of, job_role_arn


def share(ctx: BuildContext, name: str, model: Model) -> None:
    """Let each serving environment's monitoring jobs of `name` list, read and decrypt the
    data-quality baselines of every version (the only kind mlops's engine compares with)."""
    if "data-quality" not in model.baselines:
        return
    bucket, prefix = model.output, f"{model.baselines['data-quality'].prefix}/v"
    for server in serving(ctx.spec, ctx.env):
        role = [job_role_arn(ctx.spec["project"], server, name)]
        s3.allow(ctx, bucket.resource, granted(sid(server, "MonitorReadsBaselines", name), ["s3:GetObject"],
                                               [f"{bucket.ref('arn')}/{prefix}*"], server, role))
        s3.allow(ctx, bucket.resource, granted(sid(server, "MonitorListsBaselines", name), ["s3:ListBucket"],
                                               [bucket.ref("arn")], server, role,
                                               conditions=[("StringLike", "s3:prefix", [f"{prefix}*"])]))
        ctx.allow_key_use(PLATFORM, granted(sid(server, "MonitorDecryptsBaselines", name), ["kms:Decrypt"], ["*"],
                                            server, role, conditions=[through_s3(ctx.env)]))


def listen(ctx: BuildContext, name: str, path: tuple) -> None:
    """In the training environment: drift of `name` in a serving environment (its data-quality
    violations alarm entering ALARM, forwarded to this default bus) starts the retraining;
    one rule per serving environment, matching its account and its alarm together."""
    env, project = ctx.env, ctx.spec["project"]
    for server in serving(ctx.spec, env):
        alarm = violations_alarm_name(endpoint_name(project, server.name, name), "data_quality")
        ident = tf_name("served_drift", server.name, name)
        drifted = rule(ctx, ident, name=f"{project}-{env.name}-{name}-drift-in-{server.name}",
                       description=f"{name}: the data-quality monitor in {server.name} found violations; retrain",
                       path=path, pattern={
                           "account": [server.account], "source": ["aws.cloudwatch"],
                           "detail-type": ["CloudWatch Alarm State Change"],
                           "resources": [server.arn("cloudwatch", f"alarm:{alarm}")],
                           "detail": {"state": {"value": ["ALARM"]}}})
        retraining.retrain(ctx, name, drifted, path, ident=tf_name(ident, "retrain"))


def bus_policy(ctx: BuildContext, names: list[str]) -> None:
    """The default bus's policy (one per bus): each serving environment may put events
    here only from its drift rules of the models in `names`, which `listen` matches."""
    env, project = ctx.env, ctx.spec["project"]
    servers = serving(ctx.spec, env)
    if not servers or not names:
        return
    bus = env.arn("events", "event-bus/default")
    policy = ctx.data("aws_iam_policy_document", "event_bus_default", document(*[
        granted(sid(server, "ForwardsDrift"), ["events:PutEvents"], [bus], server,
                [server.arn("events", f"rule/{retraining.drift_rule_name(project, server.name, name)}") for name in names],
                key="aws:SourceArn") for server in servers]), path=("monitoring", "models"))
    ctx.resource("aws_cloudwatch_event_bus_policy", "default", {"event_bus_name": "default", "policy": policy.ref("json")},
                 path=("monitoring", "models"))


def check(env: Environment, name: str, settings: dict, engine: str) -> list[SpecError]:
    """In a serving environment, monitors run on mlops's engine."""
    if not env.serves_from:
        return []
    path = ("monitoring", "models", name)
    kinds = [k for k in KINDS if settings.get(k)]
    if kinds and engine != MLOPS:
        where = path + ("engine",) if settings.get("engine") else ("monitoring", "engine")
        return [SpecError(where, f"{env.name} serves {name} from {env.serves_from}, where its baselines are kept; "
                          "Model Monitor's jobs would read them there as roles mlops does not grant",
                          hint=f"monitor {name} with engine: mlops in {env.name}")]
    return []


def check_environments(specs: Mapping[str, Mapping]) -> list[tuple[str, SpecError]]:
    """A serving environment's data-quality monitor compares with the baseline the training
    environment's pipeline computes, which it does only for a model it monitors so, with
    the same engine; its drift retrains the model there, with the window set there."""
    errors = []
    for env_name in sorted(specs):
        trains = specs[env_name]["environments"][env_name].get("serves_from")
        here, there = (specs[env_name].get("monitoring") or {}), (specs[trains].get("monitoring") or {}) if trains else {}
        for name in sorted(here.get("models", {})) if trains else []:
            if not here["models"][name].get("data_quality"):
                continue
            theirs = there.get("models", {}).get(name) or {}
            if not theirs.get("data_quality") or engine_of(there, name) != MLOPS:
                errors.append((env_name, SpecError(
                    ("monitoring", "models", name, "data_quality"),
                    f"{env_name} compares {name}'s traffic with the baseline of the version it serves, which "
                    f"{trains} computes only for a model it monitors for data quality with mlops's engine",
                    hint=f"monitor {name}'s data quality in {trains} too (engine: mlops)")))
            elif retraining.enabled(here["models"][name]["on_drift"]) and not retraining.enabled(theirs["on_drift"]):
                errors.append((env_name, SpecError(
                    ("monitoring", "models", name, "on_drift"),
                    f"drift in {env_name} retrains {name} in {trains}, where it trains, and {trains} retrains it on "
                    "drift only with on_drift there", hint=f"set on_drift for {name} in {trains} too (its window "
                    f"applies to drift from {env_name})")))
    return errors

