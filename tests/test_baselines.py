"""Monitors compare with what the training pipeline computed: every baseline file a
monitor reads is one that a pipeline step writes and the registration archive keeps per
version, and every pipeline reference (`Get`) names a step and a property that step has.
Checked over all golden cases and generated/."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT
from golden import STACKS, load_stack
from job_definitions import BASELINE_CONFIGS

# What a step of each type exposes to later steps (the Describe* response of its job).
PROPERTIES = {
    "Training": ("ModelArtifacts", "FinalMetricDataList", "TrainingJobName"),
    "Processing": ("ProcessingOutputConfig",),
    "Model": ("ModelName",),
    "Transform": ("TransformOutput",),
    "QualityCheck": ("CalculatedBaselineStatistics", "CalculatedBaselineConstraints"),
    "ClarifyCheck": ("CalculatedBaselineConstraints",),
}


def _stacks():
    for path in STACKS:
        yield path.relative_to(ROOT).parent.as_posix(), load_stack(path)


def _steps(steps: list[dict]):
    for step in steps:
        yield step
        yield from _steps(step.get("Arguments", {}).get("IfSteps", []) + step.get("Arguments", {}).get("ElseSteps", []))


def _gets(node):
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            yield node["Get"]
        for value in node.values():
            yield from _gets(value)
    elif isinstance(node, list):
        for value in node:
            yield from _gets(value)


def _monitored(stack: dict) -> list[tuple[str, str]]:
    """(job definition address, baseline S3 URI) of every monitor with a baseline."""
    found = []
    for kind, resources in stack.get("resource", {}).items():
        for name, body in resources.items():
            for attribute in BASELINE_CONFIGS:
                config = body.get(attribute)
                if not config:
                    continue
                config = config[0] if isinstance(config, list) else config
                for resource in ("constraints_resource", "statistics_resource"):
                    value = config.get(resource)
                    if value:
                        found.append((f"{kind}.{name}", (value[0] if isinstance(value, list) else value)["s3_uri"]))
    return found


PIPELINES = [(where, name, json.loads(body["pipeline_definition"])) for where, stack in _stacks()
             for name, body in sorted(stack.get("resource", {}).get("aws_sagemaker_pipeline", {}).items())]
MONITORED = [(where, address, uri, stack) for where, stack in _stacks() for address, uri in _monitored(stack)]


def test_golden_cases_cover_every_kind_of_baseline() -> None:
    kinds = {re.search(r"/baselines/([a-z-]+)/v\d+/", uri).group(1) for _, _, uri, _ in MONITORED}
    assert kinds == {"data-quality", "model-quality", "bias", "explainability"}


@pytest.mark.parametrize("where,name,definition", PIPELINES, ids=[f"{w}:{n}" for w, n, _ in PIPELINES])
def test_every_reference_names_a_step_and_a_property_it_has(where: str, name: str, definition: dict) -> None:
    types = {s["Name"]: s["Type"] for s in _steps(definition["Steps"])}
    parameters = {p["Name"] for p in definition["Parameters"]}
    for reference in _gets(definition["Steps"]):
        kind, target, *rest = re.split(r"[.\[]", reference)
        if kind == "Parameters":
            assert target in parameters, reference
            continue
        assert kind == "Steps" and target in types, reference
        assert rest and rest[0] in PROPERTIES[types[target]], f"{reference}: a {types[target]} step has no {rest[:1]}"


@pytest.mark.parametrize("where,address,uri,stack", MONITORED, ids=[f"{w}:{a}" for w, a, _, _ in MONITORED])
def test_a_monitor_reads_a_baseline_the_pipeline_writes_and_the_archive_keeps(where, address, uri, stack) -> None:
    match = re.fullmatch(r"s3://(\$\{[^}]+\})/(models/([a-z0-9-]+)/baselines/[a-z-]+)/v(\d+)/([a-z.]+)", uri)
    assert match, uri
    bucket, prefix, model, version, file = match.groups()
    # The endpoint serves the version whose baseline the monitor reads.
    models = stack["resource"]["aws_sagemaker_model"]
    assert any(m["name"].endswith(f"-{model}-v{version}") for m in models.values()), (uri, sorted(models))
    # The pipeline writes the file under the prefix...
    definitions = [json.loads(p["pipeline_definition"]) for p in stack["resource"]["aws_sagemaker_pipeline"].values()]
    outputs = [o["S3Output"]["S3Uri"] for d in definitions for s in _steps(d["Steps"])
               for o in s.get("Arguments", {}).get("ProcessingOutputConfig", {}).get("Outputs", [])]
    assert f"s3://{bucket}/{prefix}/" in outputs
    # ...and, on registration, the archive copies it to v<version>/.
    copies = [state["Parameters"] for machine in stack["resource"]["aws_sfn_state_machine"].values()
              for state in json.loads(machine["definition"])["States"].values()
              if state.get("Resource", "").endswith("s3:copyObject")]
    key = f"States.Format('{prefix}/v{{}}/{file}', $.detail.ModelPackageVersion)"
    assert any(c["CopySource"] == f"{bucket}/{prefix}/{file}" and c["Key.$"] == key for c in copies), uri


def test_collecting_predictions_keeps_this_runs_outputs_in_holdout_order(tmp_path) -> None:
    """The script of the CollectPredictions step, run on a copy of its directories: a
    file left by an earlier holdout is ignored, and a missing output fails the step."""
    import subprocess

    from mlops_modules.models.baselines import COLLECT

    root = tmp_path / "opt" / "ml" / "processing"
    for folder in ("holdout/2024", "predictions/2024", "collected"):
        (root / folder).mkdir(parents=True)
    (root / "holdout" / "b.csv").write_text("0,5,6\n")
    (root / "holdout" / "2024" / "a.csv").write_text("1,2,3\n1,4,4\n")
    (root / "predictions" / "b.csv.out").write_text("0,0.2")  # no final newline
    (root / "predictions" / "2024" / "a.csv.out").write_text("1,0.9\n1,0.8\n")
    (root / "predictions" / "old.csv.out").write_text("1,0.1\n")  # from an earlier holdout
    script = COLLECT.replace("/opt/ml/", f"{tmp_path}/opt/ml/")
    assert subprocess.run(["/bin/sh", "-c", script], capture_output=True).returncode == 0
    assert (root / "collected" / "predictions.csv").read_text() == "1,0.9\n1,0.8\n0,0.2\n"
    (root / "predictions" / "b.csv.out").unlink()
    assert subprocess.run(["/bin/sh", "-c", script], capture_output=True).returncode != 0
