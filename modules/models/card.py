"""Model cards: what a model is for, who owns it and how risky it is, as a SageMaker
model card (`aws_sagemaker_model_card`, KMS-encrypted) that reviewers read next to
the model package group. The content follows SageMaker's model card schema; mlops
fills what the spec knows (the algorithm, the training data, the quality gate) so the
card cannot drift from what the pipeline does.
"""

from __future__ import annotations

import json

from mlops.module_api import BuildContext, literal, tf_name


def algorithm(training: dict) -> str:
    if "algorithm" in training:
        return f"SageMaker built-in {training['algorithm']} {training['version']}"
    if "framework" in training:
        return f"{training['framework']} {training['version']} script {training['entry_point']}"
    return f"custom image {training['image']}"


def content(name: str, model: dict, datasets: dict) -> str:
    card, training, evaluation = model["card"], model["training"], model["evaluation"]
    gate = f"{evaluation['metric']} >= {evaluation['min']}" if "min" in evaluation else f"{evaluation['metric']} <= {evaluation['max']}"
    document = {
        "model_overview": {
            "model_description": card["description"],
            "model_owner": card["owner"],
            "problem_type": card.get("problem_type", "Other"),
            "algorithm_type": algorithm(training),
        },
        "intended_uses": {
            "purpose_of_model": card["purpose"],
            "intended_uses": card.get("intended_uses", card["purpose"]),
            "risk_rating": card["risk_rating"],
            "explanations_for_risk_rating": card.get("risk_explanation", "Not given"),
        },
        "training_details": {
            "training_observations": f"Trained by the mlops pipeline of {name} on dataset "
                                     f"{training['input']} ({datasets[training['input']].uri}).",
        },
        "evaluation_details": [{
            "name": "quality gate",
            "evaluation_observation": f"A version is registered only if {gate} on the evaluation report.",
        }],
    }
    return json.dumps(document, sort_keys=True)


def build(ctx: BuildContext, name: str, model: dict, card_name: str, path: tuple) -> None:
    if "card" not in model:
        return
    ctx.resource("aws_sagemaker_model_card", tf_name(name), {
        "model_card_name": card_name,
        "model_card_status": model["card"]["status"],
        "content": literal(content(name, model, ctx.imported("data.datasets"))),
        "security_config": [{"kms_key_id": ctx.imported("keys").platform}],
    }, path=path + ("card",))
