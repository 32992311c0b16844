"""Monitoring across environments (`environments.<env>.serves_from`, mlops.serving).

An environment that serves another's versions monitors its own endpoints, with its own
capture, alarms and reports, but the served version's baselines are kept where it was
trained: its monitoring jobs read them there (`pipeline.py`, `Model.trained_in`), and
the training environment lets exactly those jobs' roles do so (`share`). Model Monitor
jobs (`engine: model-monitor`) would need the same grants on roles mlops does not name,
so a serving environment monitors with mlops's engine.
"""

from __future__ import annotations

from collections.abc import Mapping

from mlops import s3
from mlops.errors import SpecError
from mlops.module_api import BuildContext, Environment
from mlops.serving import granted, serving, sid, through_s3

from mlops_modules.keys.exports import PLATFORM
from mlops_modules.models.exports import Model

from . import retraining
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
    if retraining.enabled(settings["on_drift"]):
        return [SpecError(path + ("on_drift",), f"{env.name} trains nothing: {name} is retrained in "
                          f"{env.serves_from}, and drift in {env.name} cannot start that yet",
                          hint=f"set on_drift: false in environments.{env.name}.overrides.monitoring.models.{name}")]
    return []


def check_environments(specs: Mapping[str, Mapping]) -> list[tuple[str, SpecError]]:
    """A serving environment's data-quality monitor compares with the baseline the training
    environment's pipeline computes, which it does only for a model it monitors so, with
    the same engine."""
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
    return errors

