"""The test suite's own shape: test files share code through helper modules (golden.py,
engine_job.py, ...), never by importing one another, so each runs, moves and is
deselected on its own; and the list of committed stacks is built once, in golden.py
(STACKS), so a new place for stacks is one edit and no test silently misses it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FILES = sorted(TESTS.glob("*.py"))
# What only golden.py may glob for: the stacks (cdk.tf.json and exceptions.json under expected/ and generated/).
STACK_FILES = ("cdk.tf.json", "exceptions.json", "expected")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path))


def _imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _glob_patterns(tree: ast.Module) -> list[str]:
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("glob", "rglob")
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_no_test_module_imports_another(path: Path) -> None:
    others = sorted(name for name in _imported(_tree(path)) if name.startswith("test_") and (TESTS / f"{name}.py").is_file())
    assert others == [], f"{path.name} imports {others}: move what they share into a helper module"


@pytest.mark.parametrize("path", [p for p in FILES if p.name != "golden.py"], ids=lambda p: p.name)
def test_only_golden_lists_the_stacks(path: Path) -> None:
    globs = [p for p in _glob_patterns(_tree(path)) if any(part in p for part in STACK_FILES)]
    assert globs == [], f"{path.name} globs for stacks {globs}: use golden.STACKS"


def test_the_checks_see_the_files() -> None:
    assert len(FILES) > 20
    assert any("cdk.tf.json" in p for p in _glob_patterns(_tree(TESTS / "golden.py")))
