"""Which baselines one model's training pipeline computes, decided from what the monitoring
module plans for the model (`ctx.planned("monitoring")`), and the files Terraform writes
for them: Clarify's analysis configurations, or mlops's monitoring engine and its
configuration. `baselines.py` turns the result into pipeline steps."""

from __future__ import annotations

import json

from mlops import clarify
from mlops.module_api import BuildContext, literal, tf_name

from mlops_modules.data.exports import Bucket, Data
from mlops_modules.monitoring.exports import MLOPS, Monitors

from . import baselines, engine_baseline
from .baselines import Plan
from .exports import Baseline, EngineCode
from .images import clarify_image, model_monitor_image, processing_image

CHECK_CONFIGS = {"bias": clarify.bias_check, "explainability": clarify.explainability_check}


def plan(ctx: BuildContext, name: str, training: dict, output: Bucket,
         monitors: Monitors | None) -> tuple[Plan | None, list, EngineCode | None]:
    """The baseline steps' plan (None: no baseline), the objects the pipeline depends on,
    and the monitoring engine's files when mlops's engine monitors the model."""
    if not monitors or not monitors.kinds:
        return None, [], None
    if monitors.engine == MLOPS:
        return _engine(ctx, name, training, output, monitors)
    datasets = ctx.imported("data.datasets")
    holdout = monitors.holdout or training.get("validation")  # one is required for scored baselines
    analyzed = monitors.data_quality or monitors.model_quality
    found = {"monitor_image": model_monitor_image(ctx) if analyzed else "",
             "holdout_uri": datasets[holdout].uri if holdout else "",
             "model_quality": monitors.model_quality, "clarify": {}}
    if monitors.data_quality:
        quality = monitors.data_quality
        dataset = quality.get("baseline_dataset") or training["input"]
        found["data_quality"] = {"dataset_uri": datasets[dataset].uri, "header": quality["header"]}
    configs = []
    for kind, config in CHECK_CONFIGS.items():
        settings = getattr(monitors, kind)
        if not settings:
            continue
        found["clarify_image"] = clarify_image(ctx)
        obj = _config(ctx, tf_name(name, kind, "baseline_config"), output, baselines.config_key(name, kind),
                      config(settings), ("monitoring", "models", name, kind))
        found["clarify"][kind] = {"settings": settings, "config_uri": f"s3://{output.ref('bucket')}/{obj.attrs['key']}"}
        configs.append(obj)
    return Plan(**found), configs, None


def _engine(ctx: BuildContext, name: str, training: dict, output: Bucket,
            monitors: Monitors) -> tuple[Plan | None, list, EngineCode]:
    """mlops's monitoring engine: Terraform uploads its files (the monitoring pipeline
    runs them too, so they are exported); only data quality has a baseline."""
    engine = engine_code(ctx, name, output)
    objects, code_uri = list(engine.objects), engine.uri
    quality = monitors.data_quality
    if not quality:
        return None, objects, engine
    data: Data = ctx.imported("data")
    dataset = quality.get("baseline_dataset") or training["input"]
    config = _config(ctx, tf_name(name, "data_quality", "baseline_config"), output, engine_baseline.CONFIG_KEY.format(name),
                     engine_baseline.baseline_config(quality, not quality.get("baseline_dataset")),
                     ("monitoring", "models", name, "data_quality"))
    return Plan(monitor_image="", engine_data_quality={
        "code_uri": code_uri, "config_uri": f"s3://{output.ref('bucket')}/{config.attrs['key'].rsplit('/', 1)[0]}/",
        "dataset_uri": data.datasets[dataset].uri, "instance_type": quality["instance_type"]}), objects + [config], engine


def engine_code(ctx: BuildContext, name: str, output: Bucket) -> EngineCode:
    """mlops's monitoring engine, uploaded to the model's prefix of its output bucket."""
    prefix, objects = engine_baseline.upload(ctx, name, output, output.key_arn)
    return EngineCode(prefix=prefix, uri=f"s3://{output.ref('bucket')}/{prefix}", objects=tuple(objects),
                      image=processing_image(ctx))


def kept(found: Plan | None, name: str) -> dict[str, Baseline]:
    """The baselines the pipeline registers with each version, by kind."""
    return {kind: Baseline(baselines.prefix(name, kind), baselines.FILES[kind]) for kind in found.kinds} if found else {}


def _config(ctx: BuildContext, ident: str, output: Bucket, key: str, config: dict, path: tuple):
    """A configuration file a baseline step reads, written by Terraform (KMS)."""
    return ctx.resource("aws_s3_object", ident, {
        "bucket": output.ref("id"),
        "key": key,
        "content": literal(json.dumps(config, sort_keys=True, indent=2)),
        "content_type": "application/json",
        "server_side_encryption": "aws:kms",
        "kms_key_id": output.key_arn,
    }, path=path)
