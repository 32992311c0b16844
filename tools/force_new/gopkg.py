"""A Go package's top-level names, enough to follow a schema across functions and files.

Schemas are not always one literal: a block's schema comes from a helper
(`Elem: containerSchema()`), a key from a constant (`names.AttrName`), a framework
attribute from another package (`framework.IDAttribute()`), a resource's Schema method
from a struct it embeds. A `Package` indexes one directory's functions, methods, string
constants, imports and embedded fields; a `Resolver` loads packages on demand and
follows a call or a constant to where it is defined. Anything outside the provider's own
module (the plugin SDK, the framework) is not followed: it never marks replacement.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .golit import Group, Tok, is_tok, split
from .source import Source


@dataclass
class Func:
    """A function or method: the file it is in (for its imports) and its body."""

    package: "Package"
    file: str
    body: Group


@dataclass
class Package:
    directory: str
    funcs: dict[str, Func] = field(default_factory=dict)
    methods: dict[tuple[str, str], Func] = field(default_factory=dict)
    consts: dict[str, str] = field(default_factory=dict)
    vars: dict[str, Func] = field(default_factory=dict)  # package-level `var x = <literal or call>`
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> alias -> path
    embeds: dict[str, list[str]] = field(default_factory=dict)  # struct type -> embedded type names


def unquote(tok: Tok) -> str:
    """The value of a Go string literal."""
    if tok.text.startswith("`"):
        return tok.text[1:-1]
    return json.loads(tok.text) if tok.text.startswith('"') else tok.text


def load(src: Source, directory: str) -> Package:
    """Index every non-test file of one package directory."""
    pkg = Package(directory)
    for path in src.paths(directory):
        nodes = src.nodes(path)
        pkg.imports[path] = {}
        for i, node in enumerate(nodes):
            if is_tok(node, "import"):
                _imports(nodes[i + 1], pkg.imports[path])
            elif is_tok(node, "func"):
                _func(pkg, path, nodes, i)
            elif is_tok(node, "const"):
                _consts(nodes[i + 1:], pkg.consts)
            elif is_tok(node, "var"):
                _vars(pkg, path, nodes[i + 1:])
            elif is_tok(node, "type") and i + 3 < len(nodes) and is_tok(nodes[i + 2], "struct"):
                pkg.embeds[nodes[i + 1].text] = _embedded(nodes[i + 3])
    return pkg


def _imports(node, into: dict[str, str]) -> None:
    entries = [node] if isinstance(node, Tok) else node.items
    alias = None
    for tok in entries:
        if tok.kind == "str":
            path = unquote(tok)
            into[alias or path.rsplit("/", 1)[-1]] = path
            alias = None
        elif tok.kind == "word" or tok.text == ".":
            alias = tok.text


def _func(pkg: Package, path: str, nodes: list, i: int) -> None:
    """`func Name(...) ... {body}` or `func (r *T) Name(...) ... {body}` at top level."""
    j, receiver = i + 1, None
    if j < len(nodes) and isinstance(nodes[j], Group) and nodes[j].open == "(":
        words = [t.text for t in nodes[j].items if isinstance(t, Tok) and t.kind == "word"]
        receiver = words[-1] if words else None
        j += 1
    if j >= len(nodes) or not isinstance(nodes[j], Tok):
        return
    name = nodes[j].text
    for k in range(j + 1, len(nodes)):
        node = nodes[k]
        if isinstance(node, Group) and node.open == "{" and not (k > 0 and is_tok(nodes[k - 1], "struct")):
            func = Func(pkg, path, node)
            if receiver:
                pkg.methods[(receiver, name)] = func
            else:
                pkg.funcs[name] = func
            return
        if is_tok(node, "func"):
            return


def _consts(rest: list, into: dict[str, str]) -> None:
    """String constants of one `const` declaration, single or grouped."""
    items = rest[0].items if rest and isinstance(rest[0], Group) else rest[:4]
    for k in range(len(items) - 2):
        a, b, c = items[k], items[k + 1], items[k + 2]
        if isinstance(a, Tok) and a.kind == "word" and is_tok(b, "=") and isinstance(c, Tok) and c.kind == "str":
            into[a.text] = unquote(c)


def _vars(pkg: Package, path: str, rest: list) -> None:
    """Package-level variables whose value is a literal or a call (`var topicSchema =
    map[string]*schema.Schema{...}`), kept as a function-like body to read them from."""
    grouped = bool(rest) and isinstance(rest[0], Group) and rest[0].open == "("
    items = rest[0].items if grouped else rest
    k = 0
    while k < len(items) - 1:
        name = items[k]
        j = k + 1
        while j < len(items) and not is_tok(items[j], "=") and not isinstance(items[j], Group):
            j += 1  # skip an explicit type
        if not (isinstance(name, Tok) and name.kind == "word" and j < len(items) and is_tok(items[j], "=")):
            break
        end = j + 1
        while end < len(items) and not (isinstance(items[end], Group) and items[end].open in "{("):
            end += 1
        pkg.vars[name.text] = Func(pkg, path, Group("", items[j + 1: end + 1]))
        if not grouped:
            break
        k = end + 1


def _embedded(body: Group) -> list[str]:
    """Embedded fields of a struct: lines that are only a (qualified) type name."""
    lines: dict[int, list] = {}
    for node in body.items:
        lines.setdefault(node.line, []).append(node)
    out = []
    for nodes in lines.values():
        words = [n.text for n in nodes if isinstance(n, Tok)]
        if all(isinstance(n, Tok) for n in nodes) and (len(words) == 1 or len(words) == 3 and words[1] == "."):
            out.append("".join(words).lstrip("*"))
    return out


class Resolver:
    """Packages of one source, loaded on demand, and lookups across them."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.module = src.module()
        self._packages: dict[str, Package] = {}

    def package(self, directory: str) -> Package:
        if directory not in self._packages:
            self._packages[directory] = load(self.src, directory)
        return self._packages[directory]

    def _qualified(self, pkg: Package, file: str, qualifier: str) -> Package | None:
        """The package an alias names in `file`, when it is part of the provider's module."""
        path = pkg.imports.get(file, {}).get(qualifier)
        if path is None or not path.startswith(self.module + "/"):
            return None
        return self.package(path[len(self.module) + 1:])

    def func(self, pkg: Package, file: str, callee: str) -> Func | None:
        """The function a call names (`helper`, `tftags.TagsSchema`), when its source is here."""
        if "." not in callee:
            return pkg.funcs.get(callee) or pkg.vars.get(callee)
        qualifier, name = callee.split(".", 1)
        other = self._qualified(pkg, file, qualifier)
        return (other.funcs.get(name) or other.vars.get(name)) if other else None

    def name(self, pkg: Package, file: str, key: list) -> str | None:
        """An attribute name from a map key: a string, a constant, or `pkg.Constant`."""
        if len(key) == 1 and isinstance(key[0], Tok):
            return unquote(key[0]) if key[0].kind == "str" else pkg.consts.get(key[0].text)
        if len(key) == 3 and is_tok(key[1], ".") and all(isinstance(k, Tok) for k in key):
            other = self._qualified(pkg, file, key[0].text)
            return other.consts.get(key[2].text) if other else None
        return None

    def method(self, pkg: Package, type_name: str, name: str) -> Func | None:
        """A method of a type, or of a type it embeds in the same package (the egress rule
        resource takes its Schema from the security group rule resource it embeds)."""
        seen, todo = set(), [type_name]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if (current, name) in pkg.methods:
                return pkg.methods[(current, name)]
            todo.extend(e for e in pkg.embeds.get(current, []) if "." not in e)
        return None


__all__ = ["Func", "Package", "Resolver", "split", "unquote"]
