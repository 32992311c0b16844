"""Which training channel a built-in algorithm's metric is computed on.

SageMaker's built-in algorithms name each metric after the data it is computed on:
`train:*` on the training channel, `validation:*` on the `validation` channel and
`test:*` on the `test` channel, and they report a metric only when that channel is
given. k-means, k-NN and factorization machines report `test:*` metrics only; xgboost
reports `validation:*` (and `train:*`) metrics; linear learner both. AWS documents
this per algorithm on its tuning pages, e.g.
https://docs.aws.amazon.com/sagemaker/latest/dg/k-means-tuning.html ("it doesn't use a
validation dataset ... But it does take a test dataset and emits metrics"),
https://docs.aws.amazon.com/sagemaker/latest/dg/kNN-tuning.html ("consumes a test data
set and emits a metric"), https://docs.aws.amazon.com/sagemaker/latest/dg/fm-tuning.html,
https://docs.aws.amazon.com/sagemaker/latest/dg/linear-learner-tuning.html and
https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost-tuning.html ("metrics to use
for model validation").

So a quality gate on a metric whose channel the job does not get never sees a value:
every run fails and nothing is registered. The channel comes from the metric's prefix,
so the catalog's metric lists stay as they are.
"""

from __future__ import annotations

from mlops.errors import SpecError

# Metric prefix -> the key of models.<name>.training that gives that channel's data.
CHANNELS = {"validation": "validation", "test": "test"}


def check_gate(name: str, training: dict, metric: str) -> list[SpecError]:
    """For a built-in algorithm: the gate's metric must be computed on a channel the
    training job gets."""
    prefix = metric.split(":", 1)[0] if ":" in metric else ""
    key = CHANNELS.get(prefix)
    if not key or training.get(key):
        return []
    return [SpecError(("models", name, "evaluation", "metric"),
                      f"{training['algorithm']} reports '{metric}' only on a {prefix} channel, and training has no {key} "
                      f"dataset: the gate would never see the metric and no version would be registered",
                      hint=f"add training.{key}: <data.datasets name> with the {prefix} data")]
