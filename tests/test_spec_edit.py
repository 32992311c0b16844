"""Setting one value in a YAML text changes that value and nothing else: the text
around it stays byte for byte, comments included; what cannot be done that way is
refused, never approximated."""

from __future__ import annotations

import pytest

from mlops.spec_edit import EditRefused, set_value

PATH = ("environments", "prod", "overrides", "models", "churn", "endpoint", "model_version")


def test_an_existing_value_changes_in_place():
    text = "environments:\n  prod:\n    overrides:\n      models:\n        churn:\n          endpoint: {model_version: 3, min_instances: 2}  # pinned\n"
    assert set_value(text, PATH, 12) == text.replace("model_version: 3", "model_version: 12")


def test_a_missing_key_joins_the_deepest_block_mapping_in_its_indentation():
    text = "environments:\n  prod:\n    account: '1'   # prod\n    description: |\n      two\n      lines\n# end\n"
    assert set_value(text, PATH, 4) == text.replace(
        "      lines\n", "      lines\n    overrides:\n      models:\n        churn:\n          endpoint: {model_version: 4}\n")


def test_a_missing_key_joins_a_flow_mapping_even_an_empty_one():
    assert set_value("environments: {prod: {}}\n", PATH, 4) == \
        "environments: {prod: {overrides: {models: {churn: {endpoint: {model_version: 4}}}}}}\n"


@pytest.mark.parametrize("text", [
    "environments:\n  prod:\n    overrides:\n",  # overrides is empty (null), not a mapping
    "environments:\n  prod:\n    overrides:\n      models: [churn]\n",
])
def test_what_is_not_a_mapping_is_refused(text):
    with pytest.raises(EditRefused):
        set_value(text, PATH, 4)
