"""Scripts reach the step that runs them, and only that step: a custom image or a
built-in algorithm trains without the code package, while its evaluation script (from
training.source) still gets it. This combination once crashed the build (KeyError)."""

from __future__ import annotations

import json

from conftest import ROOT
from mlops import pipeline


def test_an_evaluation_script_for_a_custom_image_model_runs_and_training_gets_no_code():
    spec = (ROOT / "mlops.yaml").read_text().replace(
        "      image: fraud-train\n      input: transactions",
        "      image: fraud-train\n      source: fraud-model\n      input: transactions").replace(
        'evaluation: {metric: "validation:logloss", max: 0.3}',
        'evaluation: {metric: "validation:logloss", max: 0.3, entry_point: evaluate.py}')
    checked = pipeline.check(spec.encode(), "mlops.yaml")
    assert checked.errors == []
    machines = [r for r in checked.built[0].stack.resources
                if r.type == "aws_sfn_state_machine" and r.spec_path[:2] == ("models", "fraud-custom")]
    states = json.loads(machines[0].attrs["definition"])["States"]
    train = states["Train"]["Parameters"]
    assert [c["ChannelName"] for c in train["InputDataConfig"]] == ["train"]
    assert "sagemaker_program" not in train["HyperParameters"]
    evaluate = states["Evaluate"]["Parameters"]
    assert "code" in [i["InputName"] for i in evaluate["ProcessingInputs"]]
    assert evaluate["AppSpecification"]["ContainerEntrypoint"][-1].endswith("python3 evaluate.py")
