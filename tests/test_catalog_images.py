"""Every image the models catalog names exists: entry by entry (algorithm and framework,
version, training and serving scope, processor) it is one the SageMaker SDK's image
configuration names, and its repository is one the pinned provider's
`aws_sagemaker_prebuilt_ecr_image` resolves. The schema's enums follow the catalog."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from mlops_modules.models import catalog
from sdk_images import aliases, images
from golden import STACKS, load_stack

PROVIDER_TABLE = ROOT / "tests" / "data" / "prebuilt_ecr_repositories.txt"
SCOPES = {"training": "training", "serving": "inference"}


def _provider_repositories() -> set[str]:
    lines = PROVIDER_TABLE.read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _entries():
    """(id, SDK config, scope, catalog version, image) for every image in the catalog."""
    for name, algorithm in sorted(catalog.ALGORITHMS.items()):
        for version in algorithm.versions:
            for scope in ("training", "inference"):
                yield f"{name}-{version}-{scope}", name, scope, version, algorithm.image(version)
    for name, framework in sorted(catalog.FRAMEWORKS.items()):
        for kind, scope in SCOPES.items():
            for version, image in getattr(framework, kind).items():
                yield f"{name}-{version}-{kind}", name, scope, version, image
    yield "processing", "sklearn", "training", "1.4", catalog.PROCESSING
    yield "model-monitor", "model-monitor", "monitoring", "", catalog.MODEL_MONITOR
    yield "clarify", "clarify", "processing", "1.0", catalog.CLARIFY


ENTRIES = list(_entries())


def missing(config: str, scope: str, version: str, image: catalog.Image) -> list[str]:
    """What of one catalog image the SDK does not name: a tag per processor that is not
    the SDK's for a version the catalog version stands for (its alias, or a full version
    it is the prefix of: "1.4" for 1.4-2, "4.48" for 4.48.0), or a processor the SDK builds
    the version for that the catalog leaves out (offering less than exists is fine for
    none of the frameworks: it would turn valid specs into errors)."""
    full = aliases(config, scope).get(version, version)
    known = [i for i in images(config) if i.scope == scope
             and (i.version == full or i.version.startswith((f"{version}-", f"{version}.")))]
    problems = []
    for processor, tag in sorted(image.tags.items()):
        if not any(i.repository == image.repository and i.tag == tag and i.processor in (processor, None) for i in known):
            problems.append(f"{image.repository}:{tag} ({processor})")
    offered = {i.processor for i in known if i.repository == image.repository}
    if offered - {None} - set(image.tags):
        problems.append(f"{sorted(offered - {None} - set(image.tags))} built too but not offered")
    return problems


@pytest.mark.parametrize(("config", "scope", "version", "image"), [e[1:] for e in ENTRIES], ids=[e[0] for e in ENTRIES])
def test_every_catalog_image_is_in_the_sdk_image_config(config, scope, version, image) -> None:
    assert missing(config, scope, version, image) == []


def test_the_check_catches_images_aws_does_not_publish() -> None:
    """The defects of issue 10, each caught by the check above."""
    assert missing("tensorflow", "inference", "2.16", catalog._dlc("tensorflow-inference", "2.16.2", "py310"))
    assert missing("tensorflow", "inference", "2.16", catalog._dlc("tensorflow-inference", "2.16.1", "py310"))
    assert missing("huggingface", "inference", "4.46", catalog._dlc(
        "huggingface-pytorch-inference", "2.3.0-transformers4.46.1", "py311", container={"gpu": "cu121-ubuntu20.04"}))
    assert missing("sklearn", "training", "1.4", catalog._same("sagemaker-scikit-learn", "1.4-2", ("cpu",)))
    assert missing("pytorch", "training", "2.5", catalog._dlc("pytorch-training", "2.5.1", "py311", ("gpu",)))
    assert not missing("tensorflow", "inference", "2.16", catalog._dlc("tensorflow-inference", "2.16.1"))


@pytest.mark.parametrize(("config", "scope", "version", "image"), [e[1:] for e in ENTRIES], ids=[e[0] for e in ENTRIES])
def test_every_repository_is_one_the_provider_resolves(config, scope, version, image) -> None:
    assert image.repository in _provider_repositories(), (
        f"aws_sagemaker_prebuilt_ecr_image (hashicorp/aws 6.69.1) does not know {image.repository}: "
        "terraform plan would reject it")


def test_the_provider_table_is_the_one_recorded() -> None:
    repositories = _provider_repositories()
    assert len(repositories) == 81 and "sagemaker-model-monitor-analyzer" in repositories
    assert "sagemaker-tensorflow-inference" not in repositories


def _schema_enum(name: str) -> list[str]:
    schema = json.loads((ROOT / "modules" / "models" / "schema.json").read_text("utf-8"))
    return schema["definitions"]["models.training"]["properties"][name]["enum"]


def test_schema_enums_are_the_catalog() -> None:
    assert sorted(_schema_enum("algorithm")) == sorted(catalog.ALGORITHMS)
    assert sorted(_schema_enum("framework")) == sorted(catalog.FRAMEWORKS)



def readme_table() -> str:
    """The README's table of what the catalog offers, rendered from the catalog."""
    rows = ["| training | versions | trains on | serving (registered model, endpoint) |", "|---|---|---|---|"]
    for name, algorithm in sorted(catalog.ALGORITHMS.items()):
        rows.append(f"| algorithm `{name}` | {', '.join(algorithm.versions)} | {' or '.join(p.upper() for p in algorithm.processors)} "
                    "| its training image |")
    for name, framework in sorted(catalog.FRAMEWORKS.items()):
        processors = sorted({p for image in framework.training.values() for p in image.tags})
        rows.append(f"| framework `{name}` | {', '.join(framework.training)} | {' or '.join(p.upper() for p in processors)} "
                    f"| versions {', '.join(framework.serving)} |")
    return "\n".join(rows)


def test_readme_table_is_the_catalog() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    begin, end = "<!-- catalog table: tests/test_catalog_images.py -->\n", "\n<!-- end of catalog table -->"
    assert begin in readme and end in readme
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    assert table == readme_table(), "README.md's catalog table is stale; paste:\n" + readme_table()


FRAMEWORK_REPOSITORIES = {i.repository for f in catalog.FRAMEWORKS.values() for i in f.training.values()}


def _pipelines():
    for path in STACKS:
        stack = load_stack(path)
        images = stack.get("data", {}).get("aws_sagemaker_prebuilt_ecr_image", {})
        for name, body in sorted(stack.get("resource", {}).get("aws_sagemaker_pipeline", {}).items()):
            yield f"{path.relative_to(ROOT).parent}:{name}", images, json.loads(body["pipeline_definition"])


def _image(images: dict, uri: str) -> dict | None:
    """The prebuilt image data source a `${data....registry_path}` reference names."""
    match = uri.removeprefix("${data.aws_sagemaker_prebuilt_ecr_image.").removesuffix(".registry_path}")
    return images.get(match)


def _steps(definition: dict):
    for step in definition["Steps"]:
        yield step
        for branch in ("IfSteps", "ElseSteps"):
            yield from step["Arguments"].get(branch, [])


def _tag_processor(tag: str) -> str | None:
    """The processor an image tag names (`-cpu`, `-gpu`), or None (built-in algorithms, XGBoost)."""
    return next((p for p in (catalog.CPU, catalog.GPU) if f"-{p}" in tag), None)


PIPELINES = [p for p in _pipelines() if any(s["Name"] == "Train" for s in p[2]["Steps"])]
# Monitoring pipelines (monitoring/pipeline.py): Processing steps running mlops's engine.
MONITORING = [p for p in _pipelines() if not any(s["Name"] == "Train" for s in p[2]["Steps"])]


@pytest.mark.parametrize(("images", "definition"), [p[1:] for p in MONITORING], ids=[p[0] for p in MONITORING])
def test_the_monitoring_job_runs_in_the_processing_image(images, definition) -> None:
    """The engine needs python3, numpy and boto3: the scikit-learn processing image's CPU build."""
    jobs = [s for s in _steps(definition) if s["Type"] == "Processing"]
    assert jobs
    for job in jobs:
        ran = _image(images, job["Arguments"]["AppSpecification"]["ImageUri"])
        assert ran["repository_name"] == catalog.PROCESSING.repository, job["Name"]
        assert ran["image_tag"] == catalog.PROCESSING.tag(catalog.CPU), job["Name"]


@pytest.mark.parametrize(("images", "definition"), [p[1:] for p in PIPELINES], ids=[p[0] for p in PIPELINES])
def test_scripts_run_in_the_training_framework_and_serving_follows_the_endpoint(images, definition) -> None:
    steps = {s["Name"]: s for s in _steps(definition)}
    trained = _image(images, steps["Train"]["Arguments"]["AlgorithmSpecification"]["TrainingImage"])
    for name in ("Preprocess", "Evaluate"):
        app = steps.get(name, {}).get("Arguments", {}).get("AppSpecification", {})
        if "exec python3" not in " ".join(app.get("ContainerEntrypoint", [])):
            continue  # no user script (the report step)
        ran = _image(images, app["ImageUri"])
        if trained and trained["repository_name"] in FRAMEWORK_REPOSITORIES:
            assert ran["repository_name"] == trained["repository_name"], name
            instance = steps[name]["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"]
            assert _tag_processor(ran["image_tag"]) in (catalog.processor(instance), None), name
        else:
            assert ran["repository_name"] == catalog.PROCESSING.repository, name
    spec = steps["Register"]["Arguments"]["InferenceSpecification"]
    served = _image(images, spec["Containers"][0]["Image"])
    if served and served["repository_name"] != (trained or {}).get("repository_name"):
        instance = spec["SupportedRealtimeInferenceInstanceTypes"][0]
        assert _tag_processor(served["image_tag"]) in (catalog.processor(instance), None)
