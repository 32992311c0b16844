"""Real Terraform, offline, for the tests that run it (test_terraform.py,
test_documents_terraform.py): the test provider (tests/tfprovider) installed once per
test module, and a stack run through init, validate and plan.

Without a ``terraform`` binary (or the provider's Python dependencies) those tests skip
locally; in CI (``CI`` set) they fail. A provider that Terraform cannot install or
start always fails.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from golden import STACKS

try:  # the provider's dependencies come with `pip install -e '.[test]'` (tools/setup.sh)
    from tfprovider import harness
except ImportError as exc:  # reported by the autouse fixture below: skip locally, fail in CI
    IMPORT_ERROR: ImportError | None = exc
else:
    IMPORT_ERROR = None

WORKERS = 2  # the machine has 2 cores; Terraform and the provider share them


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the Terraform tests)", pytrace=False)
    pytest.skip(reason)


def check_imports() -> None:
    if IMPORT_ERROR is not None:
        unavailable(f"the test provider cannot be imported ({IMPORT_ERROR}): pip install -e '.[test]'")


@pytest.fixture(autouse=True)
def provider_importable() -> None:
    """Autouse in every test module that imports it."""
    check_imports()


@dataclass
class Outcome:
    name: str
    dir: Path
    runs: dict[str, harness.Run] = field(default_factory=dict)
    validate_doc: dict = field(default_factory=dict)
    plan_doc: dict | None = None

    def failure(self, step: str) -> str:
        r = self.runs.get(step)
        return f"terraform {' '.join(r.args)} in {self.dir}:\n{r.output}" if r else f"{step} did not run"


def run_stack(inst: harness.Installation, name: str, stack: dict | Path, dest: Path, do_plan: bool) -> Outcome:
    """init, validate and (with do_plan, when valid) plan and show a copy of `stack`: its
    cdk.tf.json path (with the documents/ beside it), or the stack itself."""
    out = Outcome(name, harness.copy_stack(stack, dest, inst))
    out.runs["init"] = r = harness.init(inst, out.dir)
    if r.returncode != 0:
        return out
    out.runs["validate"], out.validate_doc = harness.validate(inst, out.dir)
    if do_plan and out.runs["validate"].returncode == 0:
        p, s, out.plan_doc = harness.plan(inst, out.dir)
        out.runs["plan"] = p
        if s is not None:
            out.runs["show"] = s
    return out


@pytest.fixture(scope="session")
def tf(tmp_path_factory: pytest.TempPathFactory) -> harness.Installation:
    """The test provider for every provider and version the committed stacks pin."""
    check_imports()  # session fixtures run before the autouse check
    if harness.terraform_binary() is None:
        unavailable("terraform is not on PATH")
    if not STACKS:
        pytest.fail("no stacks found", pytrace=False)
    base = tmp_path_factory.mktemp("terraform")
    try:
        providers: dict[str, list[str]] = {}
        for p in STACKS:
            for address, version in harness.required_providers(p).items():
                providers.setdefault(address, []).append(version)
        inst = harness.install(base / "provider", providers)
        harness.prime(inst, STACKS)  # one init per pinned provider set: it answers; lock files
    except Exception as exc:  # noqa: BLE001 - Terraform is here, so a broken provider is a failure
        pytest.fail(f"cannot install the test provider: {exc}", pytrace=False)
    return inst
