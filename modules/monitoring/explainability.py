"""Explainability monitoring: SHAP feature attributions of live traffic, which only
SageMaker Clarify computes (through a shadow endpoint of the served model; `clarify.py`
builds the monitor). mlops's own engine has no explainability."""

from __future__ import annotations

from mlops.errors import SpecError
from mlops.module_api import Environment

from . import clarify
from .exports import MLOPS


def check(env: Environment, name: str, settings: dict, engine: str, capture: bool) -> list[SpecError]:
    if not settings.get("explainability"):
        return []
    errors = clarify.check(env, name, "explainability", engine, capture)
    if engine == MLOPS:
        errors.append(SpecError(("monitoring", "models", name, "explainability"), "the mlops monitoring engine does not "
                                "compute SHAP explanations; only SageMaker Clarify (Model Monitor) does",
                                hint=f"set monitoring.models.{name}.engine: model-monitor if this account still has "
                                     "Model Monitor, or remove explainability"))
    return errors
