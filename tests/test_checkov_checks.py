"""compiler/schemas/checkov/terraform-checks.json is what the pinned checkov lists
(drift), and compile rejects an exception whose check id checkov does not have."""

from __future__ import annotations

import importlib.util

import pytest

from checkov_support import real_checkov
from conftest import ROOT
from golden import STACKS
from mlops import declared

_spec = importlib.util.spec_from_file_location("checkov_checks", ROOT / "tools" / "checkov_checks.py")
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


@pytest.mark.slow  # runs checkov --list
def test_the_committed_check_list_is_what_the_pinned_checkov_lists() -> None:
    checkov = real_checkov()
    assert tool.render(tool.listing(checkov)) == declared.CHECKS.read_text("utf-8"), \
        "run python tools/checkov_checks.py and review git diff"


def test_the_list_knows_the_checks_mlops_declares() -> None:
    version, known = declared.checks()
    assert version == "3.3.30"
    assert known["CKV_AWS_338"] == ["aws_cloudwatch_log_group"]
    assert known["CKV2_AWS_37"] == []  # a graph check: any type
    modules_declare = {"CKV_AWS_316", "CKV2_AWS_34", "CKV2_AWS_5", "CKV_AWS_356", "CKV_AWS_144", "CKV2_AWS_37"}
    assert modules_declare <= set(known)


def test_every_exception_we_write_names_a_check_for_its_resource_type() -> None:
    import json
    _, known = declared.checks()
    files = [p.parent / "exceptions.json" for p in STACKS]
    wrong = []
    for path in files:
        for exc in json.loads(path.read_text("utf-8"))["exceptions"]:
            kind = exc["resource"].removeprefix("data.").split(".")[0]
            if exc["check"] not in known or (known[exc["check"]] and kind not in known[exc["check"]]):
                wrong.append((str(path.relative_to(ROOT)), exc["check"], exc["resource"]))
    assert len(files) >= 10 and wrong == []
