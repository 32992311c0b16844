"""The starter mlops.yaml `mlops init` writes: a small platform that validates, with a
comment on each section saying what it makes and where to read more.

It is text, not a dumped data structure, because the comments are the point: a new
user learns the file by reading it. `tests/test_init.py` validates every variant.
"""

from __future__ import annotations

from dataclasses import dataclass

TRAINING = ("builtin", "framework", "custom", "none")


@dataclass(frozen=True)
class Answers:
    """What `mlops init` asks: the project, its region, each environment's account, how
    the first model trains."""

    project: str
    region: str
    environments: tuple[tuple[str, str], ...]  # (name, 12-digit account id)
    training: str = "builtin"
    state_bucket: str | None = None


def render(a: Answers, schema: str) -> str:
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        "# Written by `mlops init`. `mlops validate` checks it, `mlops compile` turns it into",
        "# generated/<env>/cdk.tf.json, one Terraform stack per environment.",
        f"project: {a.project}",
        f"region: {a.region}",
        "",
        "# The Terraform state bucket (S3-native locking), which must exist before `terraform init`.",
        f"state: {{bucket: {a.state_bucket or a.project + '-tfstate'}}}",
        "",
        "# One stack per environment, each in its own account; `overrides` change a setting",
        "# in one environment only.",
        "environments:",
    ]
    for index, (name, account) in enumerate(a.environments):
        env = f'  {name}: {{account: "{account}", role: mlops-deploy'
        if index:  # each environment its own network range
            env += f", overrides: {{network: {{cidr: 10.{20 + index}.0.0/16}}}}"
        lines.append(env + "}")
    lines += [
        "",
        "network: {cidr: 10.20.0.0/16}        # private subnets, VPC endpoints, no internet route",
        "keys: {}                             # the platform KMS key (add domains for sensitive data)",
        "",
        "data:",
        "  buckets:                           # encrypted, versioned, access-logged S3 buckets",
        "    raw: {}",
        "    artifacts: {}                    # where training writes models and reports",
        "  datasets:",
        "    training-data: {bucket: raw, prefix: training/}",
        "    validation-data: {bucket: raw, prefix: validation/}",
    ]
    lines += _repositories(a.training)
    lines += ["", "workspace: {}                        # SageMaker Studio and the execution roles"]
    lines += _model(a.training)
    return "\n".join(lines) + "\n"


def _repositories(training: str) -> list[str]:
    if training == "framework":
        return ["", "repositories:", "  code:", "    model-code: {description: Training and evaluation scripts}"]
    if training == "custom":
        return ["", "repositories:", "  code:", "    model-code: {description: The training image's source}",
                "  images:", "    trainer: {source: model-code}    # built, tested and published by digest"]
    return []


def _model(training: str) -> list[str]:
    if training == "none":
        return ["", "# models: add a model here; `mlops init --training builtin` shows one."]
    head = ["", "models:", "  first-model:", "    training:"]
    gate = ['    evaluation: {metric: "validation:auc", min: 0.8}   # registered only when it passes']
    data = ["      input: training-data", "      validation: validation-data"]
    if training == "builtin":
        body = ["      algorithm: xgboost", '      version: "1.7-1"', *data, "      instance_type: ml.m5.xlarge",
                '      hyperparameters: {objective: "binary:logistic", num_round: 100}']
    elif training == "framework":
        body = ["      framework: pytorch", '      version: "2.5"', "      entry_point: train.py",
                "      source: model-code", *data, "      instance_type: ml.m5.xlarge",
                "      metric_definitions:", '        - {name: "validation:auc", regex: "val_auc=([0-9.]+)"}']
    else:
        body = ["      image: trainer", *data, "      instance_type: ml.m5.xlarge",
                "      metric_definitions:", '        - {name: "validation:auc", regex: "val_auc=([0-9.]+)"}']
    return head + body + gate + ["    retrain: {schedule: rate(7 days)}"]
