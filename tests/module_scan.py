"""Where a module's build code reads another module's section of the spec: an AST scan.

Vocabulary:
- *build code* is what the compiler runs to build a stack: the functions a module hands
  the compiler as `build`, `finalize`, `plan`, `services` and `role_settings` (in its
  `MODULE = module(...)`, or `Module(...)`), and every function of the module's package they refer to,
  directly or through others. What only `check` and `check_environments` reach is *check
  code*, which may read any section: checks exist to relate sections to each other.
- a *spec expression* is the resolved spec of one environment: `ctx.spec`, a parameter
  named `spec`, a name assigned one, or a parameter of a package function that build
  code passes one to (whatever the parameter is called).
- a *read* of section `s` is `<spec>["s"]`, `<spec>.get("s", ...)` or `"s" in <spec>`,
  for `s` the name of another module.

The module's runtime code (`engine/`, `scripts/`: subpackages shipped to run on AWS)
has no spec and is not scanned.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOTS = ("build", "finalize", "plan", "services", "role_settings")


@dataclass(frozen=True)
class Read:
    file: str
    line: int
    function: str
    section: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.function}) reads spec section '{self.section}'"


def reads(package: Path, others: Iterable[str]) -> list[Read]:
    """Every read of a section in `others` by the build code of the module in `package`."""
    files = {p.stem: ast.parse(p.read_text("utf-8"), str(p)) for p in sorted(package.glob("*.py"))}
    functions: dict[tuple[str, str], ast.AST] = {}
    for stem, tree in files.items():
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                functions[(stem, node.name)] = node
    names = {stem: _names(tree, stem, functions) for stem, tree in files.items()}
    roots = _roots(files.get("__init__"), names)
    if not roots:  # a scan that found no build code would find nothing wrong with it
        raise ValueError(f"{package}: no build callables in a `MODULE = module(...)` or `Module(...)` declaration")
    reached = _reach(roots, functions, names)
    spec_params = _spec_params(reached, functions, names)
    found = []
    for key in sorted(reached, key=lambda k: (k[0], str(k[1]))):
        node = functions.get(key) or key[1]  # a lambda root is its own node
        function = key[1] if isinstance(key[1], str) else "<lambda>"
        for line, section in _section_reads(node, spec_params.get(key, set()), set(others)):
            found.append(Read(f"{package.name}/{key[0]}.py", line, function, section))
    return sorted(set(found), key=lambda r: (r.file, r.line, r.section))


def _names(tree: ast.Module, stem: str, functions: dict) -> dict[str, object]:
    """What each top-level name of a file refers to: a package function (stem, name), or
    a sibling file (its stem, as a str)."""
    out: dict[str, object] = {name: (s, name) for (s, name) in functions if s == stem}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module is None:  # from . import x
                    out[local] = alias.name
                elif (node.module, alias.name) in functions:  # from .x import f
                    out[local] = (node.module, alias.name)
    return out


def _roots(init: ast.Module | None, names: dict) -> set:
    """The callables the module's declaration hands the compiler for building."""
    roots: set = set()
    for node in ast.walk(init) if init else ():
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Module", "module"):
            for keyword in node.keywords:
                if keyword.arg not in ROOTS:
                    continue
                if isinstance(keyword.value, ast.Lambda):
                    roots.add(("__init__", keyword.value))
                else:
                    roots |= set(_refs(keyword.value, "__init__", names))
    return roots


def _refs(node: ast.AST, stem: str, names: dict) -> list[tuple[str, str]]:
    """The package functions `node`, in file `stem`, refers to (called or passed on)."""
    table, found = names.get(stem, {}), []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(table.get(sub.id), tuple):
            found.append(table[sub.id])
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and isinstance(table.get(sub.value.id), str):
            found.append((table[sub.value.id], sub.attr))
    return found


def _reach(roots: set, functions: dict, names: dict) -> set:
    reached, todo = set(), list(roots)
    while todo:
        key = todo.pop()
        if key in reached:
            continue
        node = functions.get(key) if isinstance(key[1], str) else key[1]
        if node is None:
            continue
        reached.add(key)
        todo += [ref for ref in _refs(node, key[0], names) if ref in functions]
    return reached


def _spec_params(reached: set, functions: dict, names: dict) -> dict:
    """Per function, the names of its parameters that receive a spec from build code."""
    params: dict = {key: set() for key in reached}
    changed = True
    while changed:
        changed = False
        for key in reached:
            node = functions.get(key) or key[1]
            spec = _spec_names(node, params[key])
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                callee = next(iter(_refs(call.func, key[0], names)), None)
                if callee not in functions or callee not in params:
                    continue
                declared = [a.arg for a in functions[callee].args.args] if hasattr(functions[callee], "args") else []
                passed = [(declared[i] if i < len(declared) else None, a) for i, a in enumerate(call.args)]
                passed += [(k.arg, k.value) for k in call.keywords]
                for param, value in passed:
                    if param and _is_spec(value, spec) and param not in params[callee]:
                        params[callee].add(param)
                        changed = True
    return params


def _spec_names(node: ast.AST, params: set) -> set[str]:
    """Names that hold the spec in a function: its `spec` parameter, the parameters build
    code passes a spec to, and names assigned a spec expression (also in tuples)."""
    names = set(params)
    args = node.args if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else None
    if args and any(a.arg == "spec" for a in args.args + args.kwonlyargs):
        names.add("spec")
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Assign):
            continue
        for target in sub.targets:
            pairs = (zip(target.elts, sub.value.elts) if isinstance(target, ast.Tuple) and isinstance(sub.value, ast.Tuple)
                     else [(target, sub.value)])
            names |= {t.id for t, v in pairs if isinstance(t, ast.Name) and _is_spec(v, names)}
    return names


def _is_spec(node: ast.AST, names: set[str]) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "spec") or (isinstance(node, ast.Name) and node.id in names)


def _section_reads(node: ast.AST, params: set, others: set[str]) -> list[tuple[int, str]]:
    spec = _spec_names(node, params)
    found = []
    for sub in ast.walk(node):
        key = None
        if isinstance(sub, ast.Subscript) and _is_spec(sub.value, spec):
            key = sub.slice
        elif (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "get"
              and _is_spec(sub.func.value, spec) and sub.args):
            key = sub.args[0]
        elif (isinstance(sub, ast.Compare) and len(sub.ops) == 1 and isinstance(sub.ops[0], (ast.In, ast.NotIn))
              and _is_spec(sub.comparators[0], spec)):
            key = sub.left
        if isinstance(key, ast.Constant) and key.value in others:
            found.append((sub.lineno, key.value))
    return found
