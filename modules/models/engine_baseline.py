"""The data-quality baseline of mlops's monitoring engine, computed by the training
pipeline (`monitoring.engine: mlops`, the default).

The engine (the monitoring module's `engine/` folder, shipped as package data, which
`monitoring.exports.ENGINE_PACKAGE` names) runs as
`python3 job.py` in the scikit-learn processing image. Terraform uploads its files to
`models/<model>/code/monitoring/` in the model's output bucket, and its configuration
(`kind: baseline`, the spec's columns and features) to
`models/<model>/baselines/config/data-quality/monitor.json`; the `DataQualityBaseline`
Processing step reads both and the training data, and writes `statistics.json` and
`constraints.json` to `models/<model>/baselines/data-quality/`, where the monitoring
module's archive keeps them per version, as it keeps Model Monitor's. The monitoring
pipeline of each environment runs the same files.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from mlops.module_api import BuildContext, literal, tf_name

from mlops_modules.monitoring.exports import ENGINE_PACKAGE

from .jobs import processing
from .steps import Step

if TYPE_CHECKING:
    from .definition import Inputs

CODE = "/opt/ml/processing/input/code"
CONFIG = "/opt/ml/processing/input/config"
CONFIG_KEY = "models/{}/baselines/config/data-quality/monitor.json"  # in the output bucket, per model


def _folder() -> Path:
    """The engine's folder: its files are package data beside its code."""
    return Path(import_module(ENGINE_PACKAGE).__file__).parent


def engine_files() -> list[str]:
    """The engine's Python files, in a stable order."""
    folder = _folder()
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".py") and p.name != "__init__.py")


def upload(ctx: BuildContext, name: str, output, kms_key: str) -> tuple[str, list]:
    """Upload the engine's files; (their key prefix in the output bucket, the objects)."""
    folder = _folder()
    prefix = f"models/{name}/code/monitoring"
    objects = [ctx.resource("aws_s3_object", tf_name(name, "monitoring", file.removesuffix(".py")), {
        "bucket": output.ref("id"),
        "key": f"{prefix}/{file}",
        "content": literal(folder.joinpath(file).read_text("utf-8")),
        "content_type": "text/x-python",
        "server_side_encryption": "aws:kms",
        "kms_key_id": kms_key,
    }, path=("monitoring", "models", name)) for file in engine_files()]
    return f"{prefix}/", objects


def baseline_config(settings: dict, from_training_data: bool) -> dict:
    """The engine's `baseline` configuration from the spec's data_quality section: the
    training data has the label first; a baseline_dataset holds the columns only."""
    return {"kind": "baseline", "publish": False, "settings": {
        "columns": settings["columns"], "features": settings["features"] or settings["columns"],
        "header": settings["header"], "label_first": from_training_data,
        "drift_threshold": settings["drift_threshold"]}}


def step(i: Inputs, vpc: dict, data_quality: dict) -> Step:
    """The Processing step: engine, configuration and dataset in, baseline out. It calls
    no AWS API (no metrics for a baseline), so it stays network-isolated."""
    return processing("DataQualityBaseline", data_quality["instance_type"], i, vpc, entry=["python3", f"{CODE}/job.py"],
                      inputs=[("code", data_quality["code_uri"], CODE), ("config", data_quality["config_uri"], CONFIG),
                              ("dataset", data_quality["dataset_uri"], "/opt/ml/processing/input/dataset")],
                      outputs=[("baseline", f"{i.output_uri}/baselines/data-quality/", "/opt/ml/processing/output")],
                      depends_on=("Train",))
