"""Where modules come from: one entry-point group, `mlops.modules`.

Built-in modules register in the project's own pyproject.toml through the same group an
external module package uses, so the compiler never imports a concrete module and a
platform team ships a module as a separate Python package with one line of metadata.
The group is what importlib.metadata finds, remembered by compiler/entry_points.py until
the installed distributions change: importing importlib.metadata costs a fifth of validate.
"""

from __future__ import annotations

from functools import cache

from .entry_points import entry_points
from .module_api import Module

GROUP = "mlops.modules"


class RegistryError(Exception):
    """A module package is broken: a packaging problem, not a problem with the spec."""


@cache
def modules() -> tuple[Module, ...]:
    """Every installed module, each after the modules it reads from (`after`), else by name."""
    found: dict[str, Module] = {}
    for ep in sorted(entry_points(GROUP), key=lambda e: e.name):
        try:
            module = ep.load()
        except Exception as exc:  # a broken plugin must not look like a bad spec
            raise RegistryError(f"module {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        if not isinstance(module, Module) or module.name != ep.name:
            raise RegistryError(
                f"entry point {ep.name!r} must name a mlops.module_api.Module called {ep.name!r}"
            )
        found[ep.name] = module
    return order(found)


def order(found: dict[str, Module]) -> tuple[Module, ...]:
    done: list[Module] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if any(m.name == name for m in done):
            return
        if name in visiting:
            raise RegistryError(f"modules depend on each other in a cycle through {name!r}")
        if name not in found:
            raise RegistryError(f"a module needs {name!r}, which is not installed")
        visiting.add(name)
        for dep in sorted(found[name].after):
            visit(dep)
        visiting.discard(name)
        done.append(found[name])

    for name in sorted(found):
        visit(name)
    return tuple(done)
