"""models: training in the three ways of the reference architecture, the training
pipeline (component 6), orchestration and retraining (component 7), the model registry
and deployment.

Per model: a model package group (and a model card, `card.py`), a release pipeline that
packages its scripts when it runs any (`packages.py`), a SageMaker pipeline (or a Step
Functions state machine) whose definition mlops generates and checks against AWS's
schema, with the baseline steps the monitoring module plans for the model
(`baseline_plan.py`, `baselines.py`), retraining triggers, an approver when approval is
automatic, and an endpoint for the version the environment pins (`deploy.py`); and who
else may use what it trains (`grants.py`). An environment that serves another's versions
(`serves_from`) builds only the endpoints and what they need (`served.py`). What other
modules may use of it is `Models` (`exports.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

from mlops.module_api import BuildContext, literal, module, tf_name
from mlops.serving import training

from mlops_modules.data.exports import Bucket, Data

from . import baseline_plan, card, deploy, grants, packages, scripts, served, stepfunctions, triggers
from .catalog import DEFAULT_ENDPOINT
from .checks import check
from .definition import Inputs, training_steps
from .exports import Model, Models, plan
from .exports import group_name as group_name_of
from .images import images, looked_up, processing_image, uses_processing
from .to_pipeline import definition


def build(ctx: BuildContext) -> None:
    trains = training(ctx.spec, ctx.env)
    if trains:
        built = {name: served.build(ctx, name, ctx.section[name], trains) for name in sorted(ctx.section)}
        served.inference_grants(ctx, built, trains)
    else:
        built = {name: _model(ctx, name, ctx.section[name]) for name in sorted(ctx.section)}
        grants.build(ctx, built)
    ctx.export(Models(models=built, model_monitor_image=looked_up(ctx, "model_monitor"),
                      clarify_image=looked_up(ctx, "clarify")))


def _model(ctx: BuildContext, name: str, model: dict) -> Model:
    """Build one model: its registry group and card, the pipeline that packages its
    scripts, its training pipeline (or state machine) with the baseline steps its monitors
    ask for, retraining triggers, and the endpoint of the version the environment pins."""
    env, spec, path = ctx.env, ctx.spec, ("models", name)
    group_name = group_name_of(spec["project"], env.name, name)
    group = ctx.resource("aws_sagemaker_model_package_group", tf_name(name), {
        "model_package_group_name": group_name,
        "model_package_group_description": literal(model["registry"].get("description") or f"Versions of {name}"),
    }, path=path + ("registry",), prevent_destroy=True)
    card.build(ctx, name, model, group_name, path)
    output = ctx.imported("data.buckets")[model["training"]["output_bucket"]]
    code_uri = packages.build(ctx, name, model, output)
    found = images(ctx, name, model)
    monitoring = ctx.planned("monitoring")
    monitors = monitoring.models.get(name) if monitoring else None
    baselines, depends, engine = baseline_plan.plan(ctx, name, model["training"], output, monitors)
    report_uri = None
    if not model["evaluation"].get("entry_point"):
        report = _script(ctx, name, "evaluation_report.py", output, path + ("evaluation",))
        report_uri = f"s3://{output.ref('bucket')}/{report.attrs['key']}"
        depends.append(report)
    inputs = _inputs(ctx, name, model, group, found, output, code_uri, report_uri, baselines)
    target, pipeline = _orchestrate(ctx, name, model, inputs, depends, group, path)
    triggers.build(ctx, name, model, target)
    endpoint = deploy.build(ctx, name, model, group_name)
    ctx.output(f"model_{tf_name(name)}_package_group", group.ref("model_package_group_name"),
               f"Model package group of {name}", path=("models", name))
    return Model(group=group, group_name=group.attrs["model_package_group_name"], output=output, dataset_uri=inputs.dataset_uri, pipeline=pipeline,
                 endpoint=endpoint, baselines=baseline_plan.kept(baselines, name), engine=engine)


def _inputs(ctx: BuildContext, name: str, model: dict, group, found: dict, output: Bucket, code_uri: str | None,
            report_uri: str | None, baselines) -> Inputs:
    """What the pipeline definition needs, as references to what was built."""
    training, evaluation = model["training"], model["evaluation"]
    data: Data = ctx.imported("data")
    datasets = data.datasets
    return Inputs(
        model=name,
        group=group.ref("model_package_group_name"),
        training_role=ctx.imported("workspace.roles")["training"].ref("arn"),
        training_image=found["training"],
        inference_image=found["inference"],
        processing_image=(processing_image(ctx) if uses_processing(model, found)
                          or (baselines and baselines.engine_data_quality) else ""),
        script_images={step: found[step] for step in ("preprocess", "evaluate") if found.get(step)},
        dataset_uri=datasets[training["input"]].uri,
        validation_uri=datasets[training["validation"]].uri if training.get("validation") else None,
        output_uri=f"s3://{output.ref('bucket')}/models/{name}",
        code_uri=code_uri,
        report_uri=report_uri,
        region=ctx.env.region,
        key=ctx.imported("keys").platform,
        subnets=ctx.imported("network.subnet_ids"),
        security_group=ctx.imported("workspace.security_group_id"),
        metric=evaluation["metric"],
        threshold=evaluation["min"] if "min" in evaluation else evaluation["max"],
        at_least="min" in evaluation,
        content_type=found["content_type"],
        endpoint_instance=(model.get("endpoint") or {}).get("instance_type", DEFAULT_ENDPOINT),
        baselines=baselines,
        test_uri=datasets[training["test"]].uri if training.get("test") else None,
    )


def _orchestrate(ctx: BuildContext, name: str, model: dict, inputs: Inputs, depends: list, group, path: tuple):
    """The SageMaker pipeline (with the approver when approval is automatic) or the Step
    Functions state machine; (what retraining starts, the pipeline or None)."""
    steps = training_steps(model, inputs)
    target = {"dataset": inputs.dataset_uri,
              "dataset_spec": ctx.imported("data.datasets")[model["training"]["input"]]}
    if model["orchestrator"] == "step-functions":
        machine = stepfunctions.training(ctx, name, model, inputs, steps, path + ("orchestrator",))
        return {**target, "arn": machine.ref("arn"), "kind": "state-machine"}, None
    pipeline_name = f"{ctx.spec['project']}-{ctx.env.name}-{name}"
    pipeline = ctx.resource("aws_sagemaker_pipeline", tf_name(name), {
        "pipeline_name": pipeline_name,
        "pipeline_display_name": pipeline_name,
        "pipeline_description": f"Train, evaluate and register {name} (generated by mlops)",
        "role_arn": ctx.imported("workspace.roles")["pipelines"].ref("arn"),
        "pipeline_definition": json.dumps(definition(steps), indent=2, sort_keys=True),
    }, path=path + ("training",), depends_on=depends)
    if model["registry"]["approval"] == "auto":
        stepfunctions.approver(ctx, name, group, path + ("registry", "approval"))
    return {**target, "arn": pipeline.ref("arn"), "kind": "pipeline"}, pipeline


def _script(ctx: BuildContext, name: str, script: str, output: Bucket, path: tuple):
    """Upload one of `scripts/` to the model's prefix in its output bucket, for a
    pipeline step to run."""
    text = Path(scripts.__file__).with_name(script).read_text("utf-8")  # package data beside the scripts' code
    return ctx.resource("aws_s3_object", tf_name(name, script.removesuffix(".py")), {
        "bucket": output.ref("id"),
        "key": f"models/{name}/code/{script}",
        "content": literal(text),
        "content_type": "text/x-python",
        "server_side_encryption": "aws:kms",
        "kms_key_id": output.key_arn,
    }, path=path)


def services(spec) -> set[str]:
    return {"sagemaker.api", "sagemaker.runtime", "states", "events", "ecr.api", "ecr.dkr"} if spec.get("models") else set()


MODULE = module(
    __name__, build=build, check=check, services=services, plan=plan, check_environments=served.check_environments,
    after=("keys", "network", "data", "repositories", "workspace"),
    emits=frozenset({
        "aws_sagemaker_model_package_group", "aws_sagemaker_pipeline", "aws_sfn_state_machine",
        "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_scheduler_schedule",
        "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sagemaker_model",
        "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint", "aws_appautoscaling_target",
        "aws_appautoscaling_policy", "data.aws_iam_policy_document", "data.aws_sagemaker_prebuilt_ecr_image",
        "aws_sagemaker_model_card", "aws_s3_object", "aws_codebuild_project", "aws_codepipeline",
        "aws_sagemaker_model_package_group_policy", "aws_ecr_repository_policy",
    }),
)
