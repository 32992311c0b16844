"""Golden-file helpers: compile a spec in-process and compare a directory of files."""

from __future__ import annotations

import shutil
from pathlib import Path

from mlops.documents import load as load_stack  # noqa: F401 (a stack with its documents inlined)
from mlops.pipeline import check, plan, targets


def compile_files(spec: Path) -> dict[str, bytes]:
    checked = check(spec.read_bytes(), spec.name)
    assert not checked.errors, "\n".join(f"{e.dotted()}: {e.message}" for e in checked.errors)
    return plan(targets(checked)).files


def compare_or_update(files: dict[str, bytes], expected_dir: Path, update: bool) -> None:
    if update:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, content in files.items():
            (expected_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / rel).write_bytes(content)
        return
    expected = {str(p.relative_to(expected_dir)): p.read_bytes() for p in sorted(expected_dir.rglob("*")) if p.is_file()}
    assert sorted(files) == sorted(expected), "the set of generated files changed (run pytest --update-golden and review git diff)"
    for rel in sorted(files):
        assert files[rel].decode() == expected[rel].decode(), f"{rel} differs from {expected_dir / rel}"


ROOT = Path(__file__).resolve().parent.parent
# The golden cases: modules/<module>/cases/<case>/mlops.yaml, compiled into expected/ beside it.
CASE_SPECS = sorted(ROOT.glob("modules/*/cases/*/mlops.yaml"))
# Every committed stack, the one list the tests read: each golden case's environments,
# then generated/ (the bundled mlops.yaml). Each stack's folder also holds exceptions.json,
# and documents/ when it has large documents: read a stack with load_stack(path) to see
# them where Terraform does, inline.
GENERATED_STACKS = sorted(ROOT.glob("generated/*/cdk.tf.json"))
STACKS = sorted(ROOT.glob("modules/*/cases/*/expected/*/cdk.tf.json")) + GENERATED_STACKS
# Test ids for STACKS: the stack's folder, e.g. modules/data/cases/datasets/expected/dev.
STACK_IDS = [str(p.parent.relative_to(ROOT)) for p in STACKS]
