"""Terraform gets the same values from documents/ as it got inline (mlops.documents).

For every committed stack that has a ``documents/`` folder, two copies are planned
offline through the test provider (tests/tfprovider, as in test_terraform.py): the stack
as written, whose ``cdk.tf.json`` reads each document with ``file()`` or
``templatefile()``, and the same stack with every document put back inline
(``mlops.documents.inline``), as compile wrote it before documents were files. Their
planned values and resource changes must be equal.

The provider plans with ``TFPROVIDER_PLAN_KNOWN``: computed attributes get placeholders
that name their resource instead of staying unknown, so every templated document is
rendered in the plan and the comparison is of the values AWS would get, not of two
unknowns. Two broken copies show that the comparison sees what matters: one character
changed in a document, and two references swapped in what ``templatefile`` is given.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from golden import STACK_IDS, STACKS, load_stack
from mlops.documents import ARGUMENTS, FOLDER
from terraform_support import WORKERS, Outcome, provider_importable, run_stack, tf  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow  # two offline plans per stack with documents: minutes on 2 cores

WITH_DOCUMENTS = [(sid, p) for sid, p in zip(STACK_IDS, STACKS, strict=True) if (p.parent / FOLDER).is_dir()]
# A leaf of the object templatefile is given: `= aws_kms_key.platform.arn`.
_LEAF = re.compile(r" = ((?:data\.)?[A-Za-z0-9_]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_]+)")


def _changed_document(stack: Path, dest: Path) -> None:
    """The written stack with one character of its first document changed."""
    shutil.copytree(stack.parent / FOLDER, dest / FOLDER)
    shutil.copy(stack, dest / "cdk.tf.json")
    first = sorted((dest / FOLDER).rglob("*.json"))[0]
    text = first.read_text("utf-8")
    first.write_text(text[:-1] + " " + text[-1:], "utf-8")


def _swapped_references(stack: Path, dest: Path) -> None:
    """The written stack with two references swapped in the first templatefile call that has two."""
    shutil.copytree(stack.parent / FOLDER, dest / FOLDER)
    text = stack.read_text("utf-8")
    for line in text.splitlines():
        leaves = _LEAF.findall(line) if "templatefile(" in line else []
        if len(set(leaves)) >= 2:
            a, b = sorted(set(leaves))[:2]
            swapped = line.replace(f" = {a}", " = \0").replace(f" = {b}", f" = {a}").replace(" = \0", f" = {b}")
            (dest / "cdk.tf.json").write_text(text.replace(line, swapped), "utf-8")
            return
    pytest.fail(f"{stack}: no templatefile call with two references to swap", pytrace=False)


@pytest.fixture(scope="session")
def known(tf):
    """The test provider, planning computed attributes as placeholders that name their resource."""
    return dataclasses.replace(tf, env={**tf.env, "TFPROVIDER_PLAN_KNOWN": "1"})


@pytest.fixture(scope="session")
def planned(known, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    """(stack id, variant) -> its plan; variants: written, inlined, and for the first
    stack the two broken copies."""
    base = tmp_path_factory.mktemp("documents")
    jobs = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        for n, (sid, path) in enumerate(WITH_DOCUMENTS):
            folder = base / sid.replace("/", "__")
            jobs[sid, "written"] = pool.submit(run_stack, known, sid, path, folder / "written", True)
            jobs[sid, "inlined"] = pool.submit(run_stack, known, sid, load_stack(path), folder / "inlined", True)
            if n == 0:
                for variant, make in (("changed", _changed_document), ("swapped", _swapped_references)):
                    source = folder / f"{variant}-source"
                    source.mkdir(parents=True)
                    make(path, source)
                    jobs[sid, variant] = pool.submit(run_stack, known, sid, source / "cdk.tf.json",
                                                     folder / variant, True)
        return {key: job.result() for key, job in jobs.items()}


def _plan(o: Outcome) -> dict:
    assert o.runs.get("plan") and o.runs["plan"].returncode == 0, o.failure("plan")
    assert o.plan_doc is not None, o.failure("show")
    return {"planned_values": o.plan_doc["planned_values"], "resource_changes": o.plan_doc["resource_changes"]}


def test_there_are_stacks_with_documents() -> None:
    assert {sid for sid, _ in WITH_DOCUMENTS} >= {"generated/dev", "generated/prod"}
    assert len(WITH_DOCUMENTS) >= 10


@pytest.mark.parametrize("sid", [sid for sid, _ in WITH_DOCUMENTS])
def test_documents_plan_as_they_did_inline(planned, sid: str) -> None:
    written, inlined = _plan(planned[sid, "written"]), _plan(planned[sid, "inlined"])
    documents = [c for c in written["resource_changes"] if c["type"] in ARGUMENTS]
    assert documents, f"{sid} has documents/ but plans no resource that reads one"
    for change in documents:
        argument = ARGUMENTS[change["type"]]
        value = change["change"]["after"].get(argument)
        assert isinstance(value, str) and "${" not in value and not change["change"]["after_unknown"].get(argument), (
            f"{change['address']}.{argument} is not known in the plan: the comparison would prove nothing")
    assert written == inlined


def test_the_comparison_sees_one_changed_character(planned) -> None:
    sid = WITH_DOCUMENTS[0][0]
    assert _plan(planned[sid, "changed"]) != _plan(planned[sid, "inlined"])


def test_the_comparison_sees_swapped_references(planned) -> None:
    sid = WITH_DOCUMENTS[0][0]
    assert _plan(planned[sid, "swapped"]) != _plan(planned[sid, "inlined"])
