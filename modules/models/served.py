"""Models an environment serves from another's registry (`environments.<env>.serves_from`,
mlops.serving). The environment trains nothing, so per model it builds no model package
group, card, code package, training pipeline or state machine, retraining trigger,
approver or baseline step. It keeps:
- the endpoint of the version it pins, a version of the training environment's group
  (`deploy.py`: the SageMaker model made from that version's ARN, whose artifact and
  image SageMaker takes from the version; the endpoint configuration, with data
  capture into this environment's capture bucket; the endpoint; autoscaling);
- mlops's monitoring engine, uploaded to this environment's output bucket when the
  engine monitors the model here; its monitors read the baselines of the served
  version from the training environment (`Model.trained_in`);
- one more inline policy on the inference role (`inference_grants`), with what serving
  needs in the training environment: describe the pinned versions, read their
  artifacts, decrypt them with that environment's platform key (by alias), pull the
  custom image they run in. The training environment grants the same roles the same
  things (`grants.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from mlops.errors import SpecError
from mlops.iam import document, statement
from mlops.module_api import BuildContext, Environment, tf_name
from mlops.s3 import bucket_name
from mlops.serving import decrypt_through_s3

from mlops_modules.keys.exports import PLATFORM, alias
from mlops_modules.monitoring.exports import MLOPS
from mlops_modules.repositories.exports import repository_name

from . import baseline_plan, baselines, deploy
from .exports import ARTIFACT, Baseline, Model, TrainedIn, artifacts, group_name
from .grants import ECR_PULL



def build(ctx: BuildContext, name: str, model: dict, trains: Environment) -> Model:
    project = ctx.spec["project"]
    output_name = model["training"]["output_bucket"]
    output = ctx.imported("data.buckets")[output_name]
    trained_in = TrainedIn(env=trains, group_name=group_name(project, trains.name, name),
                           bucket=bucket_name(ctx.spec, trains, output_name), key_alias=alias(project, trains.name, PLATFORM))
    monitoring = ctx.planned("monitoring")
    monitors = monitoring.models.get(name) if monitoring else None
    engine, kept = None, {}
    if monitors and monitors.engine == MLOPS and monitors.kinds:
        engine = baseline_plan.engine_code(ctx, name, output)
        if monitors.data_quality:  # the only kind mlops's engine keeps a baseline of
            kept["data-quality"] = Baseline(baselines.prefix(name, "data-quality"), baselines.FILES["data-quality"])
    endpoint = deploy.build(ctx, name, model, trained_in.group_name, trains)
    return Model(group=None, group_name=trained_in.group_name, output=output, dataset_uri="", pipeline=None,
                 endpoint=endpoint, baselines=kept, engine=engine, trained_in=trained_in)


def inference_grants(ctx: BuildContext, models: dict[str, Model], trains: Environment) -> None:
    """The inference role's policy for the versions this environment serves from `trains`."""
    served = {name: m for name, m in models.items() if m.endpoint}
    if not served:
        return
    project, section = ctx.spec["project"], ctx.section
    versions = [trains.arn("sagemaker", f"model-package/{m.group_name}/{m.endpoint.version}") for m in served.values()]
    objects = [f"{m.trained_in.bucket_arn}/{artifacts(name)}{ARTIFACT}" for name, m in served.items()]
    statements = [
        statement("DescribeServedVersions", ["sagemaker:DescribeModelPackage"], sorted(versions)),
        statement("ReadServedArtifacts", ["s3:GetObject"], sorted(objects)),
        decrypt_through_s3("DecryptServedArtifacts", trains, alias(project, trains.name, PLATFORM)),
    ]
    images = sorted({section[name]["training"]["image"] for name in served if section[name]["training"].get("image")})
    if images:
        statements += [
            statement("LogInToEcr", ["ecr:GetAuthorizationToken"], ["*"]),
            statement("PullServedImages", ECR_PULL,
                      [trains.arn("ecr", f"repository/{repository_name(project, image)}") for image in images]),
        ]
    ident, path = tf_name("inference", "served", "from", trains.name), ("environments", ctx.env.name, "serves_from")
    policy = ctx.data("aws_iam_policy_document", ident, document(*statements), path=path)
    ctx.resource("aws_iam_role_policy", ident, {"name": f"served-from-{trains.name}",
                                                "role": ctx.imported("workspace.roles")["inference"].ref("id"),
                                                "policy": policy.ref("json")}, path=path)


def check_environments(specs: Mapping[str, Mapping]) -> list[tuple[str, SpecError]]:
    """A serving environment serves models its training environment trains, as it trains
    them: the grants there follow that environment's spec (which bucket keeps the
    artifacts, which image they run in), so training settings of its own would be
    read by no pipeline and would point the serving roles elsewhere."""
    errors = []
    for env_name in sorted(specs):
        trains = specs[env_name]["environments"][env_name].get("serves_from")
        ours, theirs = specs[env_name].get("models") or {}, (specs[trains].get("models") or {}) if trains else {}
        for name in sorted(ours) if trains else []:
            if name not in theirs:
                errors.append((env_name, SpecError(("models", name), f"{env_name} serves from {trains}, which does not "
                                                   f"train {name}", hint=f"add {name} to {trains} too, or serve it "
                                                   "where it is trained", key=True)))
                continue
            mine, used = ours[name]["training"], theirs[name]["training"]
            changed = sorted(key for key in set(mine) | set(used) if mine.get(key) != used.get(key))
            if changed:
                errors.append((env_name, SpecError(("models", name, "training", changed[0]), f"{env_name} trains "
                                                   f"nothing: {name} is trained in {trains}, with {trains}'s training "
                                                   "settings", hint=f"set {name}'s training for {trains} (or for every "
                                                   "environment), not for " + env_name)))
    return errors
