"""The slices must describe the provider version the compiler pins.

compiler/providers.py pins each provider's version in the `required_providers` of every
stack; the conformance check reads the slices; both must agree with the package the
slices come from. The pin is read from the file's source, without importing the
compiler, so the tool runs in any Python with the standard library.
"""
from __future__ import annotations

import ast

from . import REPO
from .model import Package
from .rules import ExtractError

PROVIDERS_PY = REPO / "compiler" / "providers.py"


def pinned_version(short: str) -> str | None:
    """The provider version compiler/providers.py pins for `short`, read without importing it."""
    if not PROVIDERS_PY.exists():
        return None
    tree = ast.parse(PROVIDERS_PY.read_text())
    for node in tree.body:
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        if target == "PROVIDERS" and value is not None:
            try:
                providers = ast.literal_eval(value)
            except ValueError:
                return None
            entry = providers.get(short)
            return entry.get("version") if isinstance(entry, dict) else None
    return None


def check_pin(package: Package, short: str, address: str, version: str, allow_other: bool) -> None:
    """Refuse a package whose provider version differs from the pin, unless allow_other
    (--no-pin-check); a provider that is not pinned passes."""
    pin = pinned_version(short)
    if pin is not None and pin != version and not allow_other:
        raise ExtractError(
            f"{package.name} {package.version} carries {address} {version}, but compiler/providers.py "
            f"pins {pin}; bump the pin first or pass --no-pin-check"
        )
