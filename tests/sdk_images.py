"""The SageMaker SDK's image configuration (sagemaker-core's `image_uri_config/*.json`),
read as data: which (repository, tag) pairs the SDK would name, per framework, scope,
version and processor.

tools/setup.sh installs sagemaker-core without its dependencies (it pins protobuf<7,
this project's test provider needs protobuf>=7), so nothing here imports `sagemaker`:
the JSON files are found through the distribution's file list. The tag is formed the
way the SDK's `image_uris.retrieve` forms it (`_format_tag`): the tag prefix (the
version, or `<pytorch version>-transformers<version>` for Hugging Face), the processor
unless `processor_in_tag` is false, the Python version and the container version for
that processor, joined by '-'; a config without a version tag (Model Monitor) names
no tag, which ECR reads as `latest`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

SDK = "sagemaker-core"


@dataclass(frozen=True)
class SdkImage:
    scope: str          # training, inference, processing, monitoring
    version: str        # the SDK's full version key (e.g. 2.5.1, 1.4-2)
    processor: str | None
    repository: str
    tag: str
    base: str = ""      # Hugging Face: the PyTorch version (e.g. 2.5.1)


def config_dir() -> Path:
    try:
        dist = distribution(SDK)
    except PackageNotFoundError as error:  # pragma: no cover - a setup problem, said plainly
        raise RuntimeError(f"{SDK} is not installed: run tools/setup.sh") from error
    path = next(f for f in dist.files if f.name == "pytorch.json" and "image_uri_config" in str(f))
    return Path(dist.locate_file(path)).parent


@cache
def config(name: str) -> dict:
    return json.loads((config_dir() / f"{name}.json").read_text("utf-8"))


def _scopes(cfg: dict) -> dict[str, dict]:
    if "versions" in cfg:  # one config for every scope it lists (built-in algorithms)
        return {scope: cfg for scope in cfg.get("scope", ["training"])}
    return {scope: sub for scope, sub in cfg.items() if isinstance(sub, dict) and "versions" in sub}


def aliases(name: str, scope: str) -> dict[str, str]:
    return dict(_scopes(config(name))[scope].get("version_aliases", {}))


@cache
def images(name: str) -> tuple[SdkImage, ...]:
    found = []
    for scope, cfg in _scopes(config(name)).items():
        for version, entry in cfg["versions"].items():
            bases = [(k, v) for k, v in entry.items() if k.startswith("pytorch")] if name == "huggingface" else [("", entry)]
            for base, sub in bases:
                if not isinstance(sub, dict) or "repository" not in sub:
                    continue
                base_version = base.removeprefix("pytorch")
                prefix = f"{base_version}-transformers{version}" if base else sub.get("tag_prefix", version)
                for processor in cfg.get("processors") or sub.get("processors") or [None]:
                    for py in sub.get("py_versions") or [None]:
                        container = (sub.get("container_version") or {}).get(processor)
                        shown = processor if sub.get("processor_in_tag", True) else None
                        tag = "-".join(x for x in (prefix, shown, py, container) if x) or "latest"
                        found.append(SdkImage(scope, version, processor, sub["repository"], tag, base_version))
    return tuple(found)
