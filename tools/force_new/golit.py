"""Just enough Go to read schema literals: tokens, and a tree of bracketed groups.

A provider's schema is written as nested composite literals
(`map[string]*schema.Schema{"bucket": {Type: ..., ForceNew: true}}`,
`schema.StringAttribute{PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}}`).
Reading them needs no type checker: tokens grouped by their brackets, a group's
elements split at top-level commas, an element's key split at its first top-level
colon. Comments are dropped (annotations are read from the raw text by `locate`);
every token keeps its line, which tells a struct's embedded fields apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"(?P<skip>//[^\n]*|/\*.*?\*/|\s+)"
    r"|(?P<str>`[^`]*`|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])+')"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*|\d[\w.]*)"
    r"|(?P<op>:=|\.\.\.|&&|\|\||[<>=!]=|<-|[{}()\[\],:;.&*=!<>+\-/%|^~?])",
    re.S,
)
_CLOSE = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class Tok:
    kind: str  # "str", "word" or "op"
    text: str
    line: int


@dataclass
class Group:
    """A bracketed run of nodes: `open` is "{", "(" or "["."""

    open: str
    items: list = field(default_factory=list)
    line: int = 0


Node = Tok | Group


def tokenize(text: str) -> list[Tok]:
    """The tokens of Go source, comments and white space dropped."""
    out, line, pos = [], 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # a character Go allows but schemas never use: skip it
            pos += 1
            continue
        kind = m.lastgroup
        if kind != "skip":
            out.append(Tok(kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    return out


def parse(text: str) -> list[Node]:
    """The source as a list of tokens and nested groups."""
    stack: list[Group] = [Group("")]
    for tok in tokenize(text):
        if tok.kind == "op" and tok.text in _CLOSE:
            stack.append(Group(tok.text, line=tok.line))
        elif tok.kind == "op" and tok.text in _CLOSE.values():
            if len(stack) > 1 and _CLOSE[stack[-1].open] == tok.text:
                done = stack.pop()
                stack[-1].items.append(done)
        else:
            stack[-1].items.append(tok)
    while len(stack) > 1:  # unbalanced (a truncated file): close what is open
        done = stack.pop()
        stack[-1].items.append(done)
    return stack[0].items


def is_tok(node: Node | None, text: str) -> bool:
    return isinstance(node, Tok) and node.text == text


def split(items: list[Node], sep: str = ",") -> list[list[Node]]:
    """A group's items split at top-level `sep`, empty parts dropped."""
    parts, cur = [], []
    for node in items:
        if is_tok(node, sep):
            parts.append(cur)
            cur = []
        else:
            cur.append(node)
    parts.append(cur)
    return [p for p in parts if p]


def element(part: list[Node]) -> tuple[list[Node] | None, list[Node]]:
    """(key, value) of a composite literal element; key None when unkeyed."""
    for i, node in enumerate(part):
        if is_tok(node, ":"):
            return part[:i], part[i + 1:]
    return None, part


def fields(body: Group) -> dict[str, list[Node]]:
    """A struct literal's keyed elements by field name (`Required: true` -> {"Required": [true]})."""
    out = {}
    for part in split(body.items):
        key, value = element(part)
        if key and len(key) == 1 and isinstance(key[0], Tok):
            out[key[0].text] = value
    return out


def text(nodes: list[Node]) -> str:
    """The nodes as compact source text (groups shown by their brackets only)."""
    return "".join(n.text if isinstance(n, Tok) else n.open + _CLOSE[n.open] for n in nodes)


def literal(value: list[Node]) -> tuple[str, Group] | None:
    """(type text, body) when the value is a composite literal (`&schema.Resource{...}`,
    or an elided `{...}`), else None."""
    if value and isinstance(value[-1], Group) and value[-1].open == "{" and not is_tok(value[0], "func"):
        return text(value[:-1]).lstrip("&"), value[-1]
    return None


def call(value: list[Node]) -> tuple[str, Group] | None:
    """(callee text, argument group) when the value is a call (`tftags.TagsSchema()`), else None."""
    if len(value) >= 2 and isinstance(value[-1], Group) and value[-1].open == "(" and isinstance(value[-2], Tok):
        return text(value[:-1]), value[-1]
    return None


def walk(items: list[Node]):
    """Every node below `items`, depth first, each with the list it sits in and its index."""
    for i, node in enumerate(items):
        yield items, i
        if isinstance(node, Group):
            yield from walk(node.items)


def find_literals(items: list[Node], type_text: str) -> list[Group]:
    """Bodies of every composite literal of a type whose text ends with `type_text`
    (`schema.Resource` finds `&schema.Resource{...}`), outermost first."""
    found = []
    for seq, i in walk(items):
        node = seq[i]
        if isinstance(node, Group) and node.open == "{" and i > 0:
            j = i
            while j > 0 and _in_type(seq[j - 1]):
                j -= 1
            before = seq[j - 1] if j > 0 else None
            if isinstance(before, Group) and before.open == "(" or is_tok(before, "func"):
                continue  # a function's body after its result type, not a literal
            if j < i and text(seq[j:i]).lstrip("&").endswith(type_text):
                found.append(node)
    return found


def _in_type(node: Node) -> bool:
    """Whether a node can be part of a literal's type (`&`, `*`, `.`, words, `[...]`)."""
    if isinstance(node, Group):
        return node.open == "["
    return node.kind == "word" and node.text not in {"return", "func"} or node.text in {".", "*", "&"}
