"""The images a model's steps run in: prebuilt SageMaker images looked up per region at
plan time (`aws_sagemaker_prebuilt_ecr_image`, one data source per image and processor),
or a custom image's digest as its release pipeline published it (repositories module)."""

from __future__ import annotations

from mlops.module_api import BuildContext, tf_name

from . import catalog


def images(ctx: BuildContext, name: str, model: dict) -> dict:
    """Training image, serving image and content type of one model, and the image its
    scripts run in: a framework model's preprocessing and evaluation scripts run in its
    training container (the CPU or GPU build, per the step's instance type), because
    they load what the training script saved; the others use the processing image.
    checks.py has made sure every image named here exists for its processor."""
    training = model["training"]
    if training.get("algorithm"):
        algorithm = catalog.ALGORITHMS[training["algorithm"]]
        image = prebuilt(ctx, f"{name}_training", algorithm.image(training["version"]),
                         catalog.processor(training["instance_type"]))
        return {"training": image, "inference": image, "content_type": algorithm.content_type}
    if training.get("framework"):
        return _framework(ctx, name, model)
    published = ctx.imported("repositories.images")[training["image"]]
    image = published.parameter.ref("insecure_value")
    return {"training": image, "inference": image, "content_type": "text/csv"}


def _framework(ctx: BuildContext, name: str, model: dict) -> dict:
    training = model["training"]
    framework = catalog.FRAMEWORKS[training["framework"]]
    built = framework.training[training["version"]]
    trained_on = catalog.processor(training["instance_type"])
    # Serving runs on the endpoint's instance type, so its CPU or GPU build follows that.
    endpoint_type = (model.get("endpoint") or {}).get("instance_type", catalog.DEFAULT_ENDPOINT)
    serving = framework.serving[catalog.serving_version(training)]
    found = {"training": prebuilt(ctx, f"{name}_training", built, trained_on),
             "inference": prebuilt(ctx, f"{name}_inference", serving, catalog.processor(endpoint_type)),
             "content_type": "text/csv"}
    for step, section in (("preprocess", model.get("processing")), ("evaluate", model["evaluation"])):
        if section and section.get("entry_point"):
            runs_on = catalog.processor(section["instance_type"])
            ident = f"{name}_training" if runs_on == trained_on else f"{name}_training_{runs_on}"
            found[step] = prebuilt(ctx, ident, built, runs_on)
    return found


def uses_processing(model: dict, found: dict) -> bool:
    """Whether a step runs in the processing image: the report step (no evaluation
    script), or a script that does not run in the framework's training container."""
    scripts = (("processing", "preprocess"), ("evaluation", "evaluate"))
    return not model["evaluation"].get("entry_point") or any(
        (model.get(key) or {}).get("entry_point") and step not in found for key, step in scripts)


def processing_image(ctx: BuildContext) -> str:
    """The scikit-learn processing image (report step, scripts, mlops's monitoring engine)."""
    return prebuilt(ctx, "processing", catalog.PROCESSING, catalog.CPU)


def model_monitor_image(ctx: BuildContext) -> str:
    """Model Monitor's analyzer, resolved per region at plan time (baselines and monitors)."""
    return prebuilt(ctx, "model_monitor", catalog.MODEL_MONITOR, catalog.CPU)


def clarify_image(ctx: BuildContext) -> str:
    """SageMaker Clarify's processing image (bias and explainability baselines and monitors)."""
    return prebuilt(ctx, "clarify", catalog.CLARIFY, catalog.CPU)


def prebuilt(ctx: BuildContext, ident: str, image: catalog.Image, processor: str) -> str:
    """The registry path of one prebuilt image, looked up per region at plan time."""
    address = f"data.aws_sagemaker_prebuilt_ecr_image.{tf_name(ident)}"
    if not ctx.stack.has(address):
        ctx.data("aws_sagemaker_prebuilt_ecr_image", tf_name(ident),
                 {"repository_name": image.repository, "image_tag": image.tag(processor)}, path=("models",))
    return "${" + address + ".registry_path}"


def looked_up(ctx: BuildContext, ident: str) -> str | None:
    """The registry path of a prebuilt image some step looked up, else None."""
    address = f"data.aws_sagemaker_prebuilt_ecr_image.{tf_name(ident)}"
    return ctx.stack.get(address).ref("registry_path") if ctx.stack.has(address) else None
