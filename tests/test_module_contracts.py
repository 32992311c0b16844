"""Modules talk through typed exports and plans (`modules/<m>/exports.py`), never through
each other's sections of the spec or each other's code (docs/architecture.md, Modules)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from module_scan import reads

MODULES = Path(__file__).resolve().parent.parent / "modules"
NAMES = sorted(p.name for p in MODULES.iterdir() if (p / "schema.json").is_file())


@pytest.mark.parametrize("module", NAMES)
def test_build_code_reads_only_its_own_section(module: str) -> None:
    found = reads(MODULES / module, set(NAMES) - {module})
    assert not found, "build code reads other modules' sections (use their exports or plans):\n" + "\n".join(map(str, found))


def test_the_scan_finds_reads_in_build_code_only(tmp_path: Path) -> None:
    """A planted module: every way build code can read the models section is found, with
    the function it is in; the same reads in check code, and reads of its own section
    or of settings no module owns, are not."""
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent("""
        from . import parts
        from .checks import check
        from .parts import build

        MODULE = Module(name="planted", build=build, check=check,
                        services=lambda spec: {"sts"} if "models" in spec else set())
    """))
    (package / "parts.py").write_text(textwrap.dedent("""
        def build(ctx):
            project, own = ctx.spec["project"], ctx.spec["planted"]
            _endpoints(ctx.spec, ctx.section)
            for name in ctx.spec.get("models", {}):
                pass

        def _endpoints(whole, section):
            env, spec = None, whole
            return spec["models"], section["models"]

        def unused(spec):
            return spec["models"]
    """))
    (package / "checks.py").write_text(textwrap.dedent("""
        from .parts import unused

        def check(spec, env):
            return spec["models"], unused(spec)
    """))
    found = reads(package, {"models", "data"})
    assert [(r.file, r.line, r.function, r.section) for r in found] == [
        ("planted/__init__.py", 7, "<lambda>", "models"),
        ("planted/parts.py", 5, "build", "models"),
        ("planted/parts.py", 10, "_endpoints", "models"),
    ]


def test_modules_import_only_the_exports_of_other_modules() -> None:
    """A module imports the module API and, of another module, its `exports` alone."""
    wrong = []
    for path in sorted(MODULES.rglob("*.py")):
        module = path.relative_to(MODULES).parts[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                wrong.append(f"{path.relative_to(MODULES)}: from {'.' * node.level}{node.module or ''} import ...")
                continue
            imported = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                        [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in imported:
                parts = name.split(".")
                if parts[0] == "mlops_modules" and len(parts) > 1 and parts[1] != module and parts[2:] != ["exports"]:
                    wrong.append(f"{path.relative_to(MODULES)}: {name}")
    assert not wrong, "modules import other modules' code:\n" + "\n".join(wrong)


def test_the_scan_refuses_a_package_it_finds_no_build_code_in(tmp_path: Path) -> None:
    """Finding no declaration would make every package look clean."""
    (tmp_path / "__init__.py").write_text("def build(ctx):\n    return ctx.spec['models']\n")
    with pytest.raises(ValueError, match="no build callables"):
        reads(tmp_path, {"models"})
