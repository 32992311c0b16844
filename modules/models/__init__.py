"""models: training in the three ways of the reference architecture, the training
pipeline (component 6), orchestration and retraining (component 7), the model registry
and deployment.

Per model: a model package group, a SageMaker pipeline (or a Step Functions state
machine) whose definition mlops generates and checks against AWS's schema, retraining
triggers, an approver when approval is automatic, and an endpoint for the version the
environment pins.
"""

from __future__ import annotations

import json
from importlib import resources

from mlops.module_api import BuildContext, Environment, Module, fragment, literal, tf_name

from . import baselines, card, catalog, deploy, engine_baseline, scripts, stepfunctions, triggers
from .baselines import Plan
from .checks import check
from .definition import Inputs, training_steps
from .to_pipeline import definition

def group_name(spec, env: Environment, name: str) -> str:
    return f"{spec['project']}-{env.name}-{name}"


def build(ctx: BuildContext) -> None:
    pipelines: dict = {}
    kept: dict = {}
    code: dict = {}
    groups = {name: _model(ctx, name, ctx.section[name], pipelines, kept, code) for name in sorted(ctx.section)}
    ctx.export("groups", groups)
    ctx.export("pipelines", pipelines)
    # Per model, the baselines its pipeline registers: {kind: (prefix in the output bucket, files)}.
    ctx.export("baselines", kept)
    # Per model monitored by mlops's engine: {"uri": S3 prefix of the engine's files, "objects": [...]}.
    ctx.export("monitoring_code", code)
    # Whether an instance type has local NVMe storage (SageMaker rejects a volume key there).
    ctx.export("has_local_storage", catalog.has_local_storage)
    # Looked up here for the baseline steps; the monitoring module's jobs use the same images.
    ctx.export("model_monitor_image", "${data.aws_sagemaker_prebuilt_ecr_image.model_monitor.registry_path}")
    ctx.export("clarify_image", "${data.aws_sagemaker_prebuilt_ecr_image.clarify.registry_path}")


def _model(ctx: BuildContext, name: str, model: dict, pipelines: dict, kept: dict, code: dict):
    """Build one model; returns its model package group, adds its SageMaker pipeline and
    the baselines that pipeline registers."""
    env, spec = ctx.env, ctx.spec
    path = ("models", name)
    key = ctx.imported("keys.arns")["platform"]
    roles = ctx.imported("workspace.roles")
    group = ctx.resource("aws_sagemaker_model_package_group", tf_name(name), {
        "model_package_group_name": group_name(spec, env, name),
        "model_package_group_description": model["registry"].get("description") or f"Versions of {name}",
    }, path=path + ("registry",), prevent_destroy=True)
    card.build(ctx, name, model, group_name(spec, env, name), path)
    training = model["training"]
    images = _images(ctx, name, model)
    datasets = ctx.imported("data.datasets")
    buckets = ctx.imported("data.buckets")
    output = buckets[training["output_bucket"]]
    evaluation = model["evaluation"]
    endpoint = model.get("endpoint") or {}
    plan, configs = _baselines(ctx, name, training, datasets, output, code)
    report_uri = None
    if not evaluation.get("entry_point"):
        report = _script(ctx, name, "evaluation_report.py", output, training, path + ("evaluation",))
        report_uri = f"s3://{output.ref('bucket')}/{report.attrs['key']}"
        configs.append(report)
    if plan:
        kept[name] = {kind: (baselines.prefix(name, kind), baselines.FILES[kind]) for kind in plan.kinds}
    inputs = Inputs(
        model=name,
        group=group.ref("model_package_group_name"),
        training_role=roles["training"].ref("arn"),
        training_image=images["training"],
        inference_image=images["inference"],
        processing_image=(_prebuilt(ctx, "processing", catalog.PROCESSING, catalog.CPU)
                          if _uses_processing(model, images) or (plan and plan.engine_data_quality) else ""),
        script_images={step: images[step] for step in ("preprocess", "evaluate") if images.get(step)},
        dataset_uri=datasets[training["input"]]["uri"],
        validation_uri=datasets[training["validation"]]["uri"] if training.get("validation") else None,
        output_uri=f"s3://{output.ref('bucket')}/models/{name}",
        code_uri=ctx.imported("repositories.packages", {}).get(name),
        report_uri=report_uri,
        region=env.region,
        key=key,
        subnets=ctx.imported("network.subnet_ids"),
        security_group=ctx.imported("workspace.security_group_id"),
        metric=evaluation["metric"],
        threshold=evaluation["min"] if "min" in evaluation else evaluation["max"],
        at_least="min" in evaluation,
        content_type=images["content_type"],
        endpoint_instance=endpoint.get("instance_type", catalog.DEFAULT_ENDPOINT),
        baselines=plan,
        test_uri=datasets[training["test"]]["uri"] if training.get("test") else None,
    )
    steps = training_steps(model, inputs)
    if model["orchestrator"] == "step-functions":
        machine = stepfunctions.training(ctx, name, model, inputs, steps, path + ("orchestrator",))
        target = {"arn": machine.ref("arn"), "kind": "state-machine"}
    else:
        pipeline = ctx.resource("aws_sagemaker_pipeline", tf_name(name), {
            "pipeline_name": f"{spec['project']}-{env.name}-{name}",
            "pipeline_display_name": f"{spec['project']}-{env.name}-{name}",
            "pipeline_description": f"Train, evaluate and register {name} (generated by mlops)",
            "role_arn": roles["pipelines"].ref("arn"),
            "pipeline_definition": json.dumps(definition(steps), indent=2, sort_keys=True),
        }, path=path + ("training",), depends_on=configs)
        target = {"arn": pipeline.ref("arn"), "kind": "pipeline"}
        pipelines[name] = pipeline
        if model["registry"]["approval"] == "auto":
            stepfunctions.approver(ctx, name, group, path + ("registry", "approval"))
    target["dataset"] = inputs.dataset_uri
    target["dataset_spec"] = datasets[training["input"]]
    triggers.build(ctx, name, model, target)
    deploy.build(ctx, name, model, group_name(spec, env, name))
    ctx.output(f"model_{tf_name(name)}_package_group", group.ref("model_package_group_name"),
               f"Model package group of {name}")
    return group


def _baselines(ctx: BuildContext, name: str, training: dict, datasets: dict, output, code: dict) -> tuple[Plan | None, list]:
    """What the baseline steps need when this environment monitors the model against
    baselines, and the Clarify analysis files Terraform writes for them."""
    monitors = ctx.spec.get("monitoring", {}).get("models", {}).get(name, {})
    kinds = [k for k in ("data_quality", "model_quality", "bias", "explainability") if monitors.get(k)]
    if not kinds:
        return None, []
    if engine_baseline.engine_of(ctx.spec, name) == "mlops":
        return _engine_baselines(ctx, name, training, datasets, output, monitors, code)
    holdout = monitors.get("holdout") or training.get("validation")  # one is required for scored baselines
    analyzed = monitors.get("data_quality") or monitors.get("model_quality")
    plan = {"monitor_image": model_monitor_image(ctx) if analyzed else "",
            "holdout_uri": datasets[holdout]["uri"] if holdout else "",
            "model_quality": monitors.get("model_quality"), "clarify": {}}
    if monitors.get("data_quality"):
        quality = monitors["data_quality"]
        dataset = quality.get("baseline_dataset") or training["input"]
        plan["data_quality"] = {"dataset_uri": datasets[dataset]["uri"], "header": quality["header"]}
    configs = []
    bucket_key = _bucket_key(ctx, training)
    for kind, config in (("bias", baselines.bias_check_config), ("explainability", baselines.explainability_check_config)):
        if not monitors.get(kind):
            continue
        plan["clarify_image"] = clarify_image(ctx)
        obj = ctx.resource("aws_s3_object", tf_name(name, kind, "baseline_config"), {
            "bucket": output.ref("id"),
            "key": baselines.config_key(name, kind),
            "content": literal(json.dumps(config(monitors[kind]), sort_keys=True, indent=2)),
            "content_type": "application/json",
            "server_side_encryption": "aws:kms",
            "kms_key_id": bucket_key,
        }, path=("monitoring", "models", name, kind))
        plan["clarify"][kind] = {"settings": monitors[kind], "config_uri": f"s3://{output.ref('bucket')}/{obj.attrs['key']}"}
        configs.append(obj)
    return Plan(**plan), configs


def _engine_baselines(ctx: BuildContext, name: str, training: dict, datasets: dict, output,
                      monitors: dict, code: dict) -> tuple[Plan | None, list]:
    """mlops's monitoring engine: Terraform uploads its files (the monitoring pipeline
    runs them too, so they are exported); only data quality has a baseline."""
    code_uri, objects = engine_baseline.upload(ctx, name, output, _bucket_key(ctx, training))
    code[name] = {"uri": code_uri, "objects": objects, "image": _prebuilt(ctx, "processing", catalog.PROCESSING, catalog.CPU)}
    quality = monitors.get("data_quality")
    if not quality:
        return None, objects
    dataset = quality.get("baseline_dataset") or training["input"]
    config = engine_baseline.write_config(ctx, name, output, _bucket_key(ctx, training),
                                          engine_baseline.baseline_config(quality, not quality.get("baseline_dataset")))
    return Plan(monitor_image="", engine_data_quality={
        "code_uri": code_uri, "config_uri": f"s3://{output.ref('bucket')}/{config.attrs['key'].rsplit('/', 1)[0]}/",
        "dataset_uri": datasets[dataset]["uri"], "instance_type": quality["instance_type"]}), objects + [config]


def _bucket_key(ctx: BuildContext, training: dict) -> str:
    return ctx.imported("keys.arns")[ctx.spec["data"]["buckets"][training["output_bucket"]]["key"]]


def _script(ctx: BuildContext, name: str, script: str, output, training: dict, path: tuple):
    """Upload one of `scripts/` to the model's prefix in its output bucket, for a
    pipeline step to run."""
    text = resources.files(scripts).joinpath(script).read_text("utf-8")
    return ctx.resource("aws_s3_object", tf_name(name, script.removesuffix(".py")), {
        "bucket": output.ref("id"),
        "key": f"models/{name}/code/{script}",
        "content": literal(text),
        "content_type": "text/x-python",
        "server_side_encryption": "aws:kms",
        "kms_key_id": _bucket_key(ctx, training),
    }, path=path)


def model_monitor_image(ctx: BuildContext) -> str:
    """Model Monitor's analyzer, resolved per region at plan time (baselines and monitors)."""
    return _prebuilt(ctx, "model_monitor", catalog.MODEL_MONITOR, catalog.CPU)


def clarify_image(ctx: BuildContext) -> str:
    """SageMaker Clarify's processing image (bias and explainability baselines and monitors)."""
    return _prebuilt(ctx, "clarify", catalog.CLARIFY, catalog.CPU)


def _images(ctx: BuildContext, name: str, model: dict) -> dict:
    """Training image, serving image and content type of one model, and the image its
    scripts run in: a framework model's preprocessing and evaluation scripts run in its
    training container (the CPU or GPU build, per the step's instance type), because
    they load what the training script saved; the others use the processing image.
    checks.py has made sure every image named here exists for its processor."""
    training = model["training"]
    if training.get("algorithm"):
        algorithm = catalog.ALGORITHMS[training["algorithm"]]
        image = _prebuilt(ctx, f"{name}_training", algorithm.image(training["version"]),
                          catalog.processor(training["instance_type"]))
        return {"training": image, "inference": image, "content_type": algorithm.content_type}
    if training.get("framework"):
        framework = catalog.FRAMEWORKS[training["framework"]]
        built = framework.training[training["version"]]
        trained_on = catalog.processor(training["instance_type"])
        # Serving runs on the endpoint's instance type, so its CPU or GPU build follows that.
        endpoint_type = (model.get("endpoint") or {}).get("instance_type", catalog.DEFAULT_ENDPOINT)
        serving = framework.serving[catalog.serving_version(training)]
        images = {"training": _prebuilt(ctx, f"{name}_training", built, trained_on),
                  "inference": _prebuilt(ctx, f"{name}_inference", serving, catalog.processor(endpoint_type)),
                  "content_type": "text/csv"}
        for step, section in (("preprocess", model.get("processing")), ("evaluate", model["evaluation"])):
            if section and section.get("entry_point"):
                runs_on = catalog.processor(section["instance_type"])
                ident = f"{name}_training" if runs_on == trained_on else f"{name}_training_{runs_on}"
                images[step] = _prebuilt(ctx, ident, built, runs_on)
        return images
    published = ctx.imported("repositories.images")[training["image"]]
    image = published["parameter"].ref("insecure_value")
    return {"training": image, "inference": image, "content_type": "text/csv"}


def _uses_processing(model: dict, images: dict) -> bool:
    """Whether a step runs in the processing image: the report step (no evaluation
    script), or a script that does not run in the framework's training container."""
    scripts = (("processing", "preprocess"), ("evaluation", "evaluate"))
    return not model["evaluation"].get("entry_point") or any(
        (model.get(key) or {}).get("entry_point") and step not in images for key, step in scripts)


def _prebuilt(ctx: BuildContext, ident: str, image: catalog.Image, processor: str) -> str:
    """The registry path of one prebuilt image, looked up per region at plan time."""
    address = f"data.aws_sagemaker_prebuilt_ecr_image.{tf_name(ident)}"
    if not ctx.stack.has(address):
        ctx.data("aws_sagemaker_prebuilt_ecr_image", tf_name(ident),
                 {"repository_name": image.repository, "image_tag": image.tag(processor)}, path=("models",))
    return "${" + address + ".registry_path}"


def services(spec) -> set[str]:
    return {"sagemaker.api", "sagemaker.runtime", "states", "events", "ecr.api", "ecr.dkr"} if spec.get("models") else set()


MODULE = Module(
    name="models",
    schema=fragment(__name__),
    build=build,
    check=check,
    services=services,
    after=("keys", "network", "data", "repositories", "workspace"),
    emits=frozenset({
        "aws_sagemaker_model_package_group", "aws_sagemaker_pipeline", "aws_sfn_state_machine",
        "aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_scheduler_schedule",
        "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_sagemaker_model",
        "aws_sagemaker_endpoint_configuration", "aws_sagemaker_endpoint", "aws_appautoscaling_target",
        "aws_appautoscaling_policy", "data.aws_iam_policy_document", "data.aws_sagemaker_prebuilt_ecr_image",
        "aws_sagemaker_model_card", "aws_s3_object",
    }),
)
