"""Which engine runs a model's monitors.

- `mlops` (the default): mlops's own monitoring job (`engine/`), SageMaker Processing
  jobs in a monitoring pipeline that EventBridge Scheduler starts (`pipeline.py`). It
  uses only services open to every AWS account.
- `model-monitor`: SageMaker Model Monitor and Clarify schedules (`data_quality.py`,
  `model_quality.py`, `clarify.py`). AWS no longer opens Model Monitor to new customers;
  accounts that already use it keep it by saying `engine: model-monitor`.

`monitoring.engine` chooses for the spec, `monitoring.models.<name>.engine` for one model.
"""

from __future__ import annotations

MLOPS = "mlops"
MODEL_MONITOR = "model-monitor"
# What the mlops engine runs; explainability (SHAP through a shadow endpoint) stays with Clarify.
MLOPS_KINDS = ("data_quality", "model_quality", "bias")


def engine_of(section: dict, name: str) -> str:
    """The engine of one monitored model: its own `engine`, else the section's."""
    return section["models"][name].get("engine") or section.get("engine", MLOPS)
