"""Promote the approved version: which registry serves an environment, where its
version is pinned, and whether a version may be served.

`environments.<env>.overrides.models.<m>.endpoint.model_version` pins the version
per environment; `mlops promote` changes that one line after asking the registry that
the version is approved and passed its gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .registry_client import Version


def training_environment(data: Mapping[str, Any], env: str) -> str:
    """The environment whose registry holds the versions `env` serves: the one its
    `serves_from` names (mlops.serving), else `env` itself."""
    return data["environments"][env].get("serves_from") or env


@dataclass(frozen=True)
class Target:
    """Where a model's version for one environment is pinned, and whose registry holds it."""

    model: str
    env: str
    trains_in: str
    path: tuple  # of endpoint.model_version in mlops.yaml


def target(data: Mapping[str, Any], model: str, env: str) -> Target:
    """The spec path `mlops promote` rewrites: the environment's override, or the model's
    entry under the environment's additions when only that environment has the model."""
    settings = data["environments"][env]
    section = "additions" if model in ((settings.get("additions") or {}).get("models") or {}) else "overrides"
    path = ("environments", env, section, "models", model, "endpoint", "model_version")
    return Target(model, env, training_environment(data, env), path)


def gate_problem(version: Version, evaluation: Mapping[str, Any]) -> str | None:
    """Why this version may not be served: its status, or the metric its training job
    reported held to the model's gate as the spec states it now."""
    if version.status != "Approved":
        return f"its approval status is {version.status}; only Approved versions are promoted"
    metric = evaluation["metric"]
    if metric not in version.metrics:
        where = f"training job {version.training_job}" if version.training_job else "no training job named by its artifact"
        return f"{metric}, the model's gate, is not among the metrics of {where}"
    value = version.metrics[metric]
    if "min" in evaluation and value < evaluation["min"]:
        return f"{metric} was {value:g}, below the gate's minimum of {evaluation['min']:g}"
    if "max" in evaluation and value > evaluation["max"]:
        return f"{metric} was {value:g}, above the gate's maximum of {evaluation['max']:g}"
    return None
