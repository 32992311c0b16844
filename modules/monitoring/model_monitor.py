"""What every Model Monitor job of one model shares (`engine: model-monitor`): the job
definition's common parts (`mlops.monitor_jobs`) in the workspace's VPC with the
platform key, reports under `monitoring/<model>/` in the model's output bucket, and
the notification of runs that found violations."""

from __future__ import annotations

from mlops.module_api import BuildContext, Resource, tf_name
from mlops.monitor_jobs import definition, job_name, notify_violations

from mlops_modules.models.exports import Model


def job(ctx: BuildContext, provider: str, kind: str, name: str, label: str, settings: dict, model: Model, *,
        role: str | None = None, reports: str | None = None, isolated: bool = True) -> dict:
    """The common attributes of the job definition of one of model `name`'s monitors
    (`kind` as the job definition's attributes name it, `label` as its name ends), run
    as `role` (by default the training role), writing to `reports` (a key prefix in the
    output bucket, by default `monitoring/<model>/<label>`)."""
    return definition(provider, kind, name=job_name(model.endpoint.name, label),
                      role=role or ctx.imported("workspace.roles")["training"].ref("arn"),
                      key=ctx.imported("keys").platform,
                      output_uri=f"s3://{model.output.ref('bucket')}/{reports or f'monitoring/{name}/{label}'}",
                      instance_type=settings["instance_type"], subnets=ctx.imported("network.subnet_ids"),
                      security_group=ctx.imported("workspace.security_group_id"), isolated=isolated)


def violations(ctx: BuildContext, name: str, kind: str, suffix: str, schedule: Resource, topic: Resource,
               path: tuple) -> Resource:
    """The rule `<project>-<env>-<model>-<suffix>` for runs of `schedule` that found
    violations, notifying the alerts topic; returns it, for more targets."""
    env, project = ctx.env, ctx.spec["project"]
    return notify_violations(ctx, tf_name(suffix, name), schedule, topic, name=f"{project}-{env.name}-{name}-{suffix}",
                             description=f"{name}: the {kind} monitor found violations against the baseline", path=path)
