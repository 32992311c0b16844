"""Keep a renamed entry's resources: the stack of its first names, at the new addresses.

`build` makes one stack from the spec as it was first (mlops.renames: every AWS name
and value as created), one from each later stage of its renames, and one from the spec
as written. Each resource of the first stack is matched to its address in every later
one: its Terraform name with each renamed entry's name swapped (`tf_name` spells a name
the same way in every address), accepted only where that stack has a resource of the
same type made by the same spec entry, and the match must be one to one. The result is
the first stack's resources (their AWS names, settings and references as created) at
the addresses of the spec as written, and the `moved` blocks that take Terraform's
state from each stage's address to the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .errors import SpecPath
from .module_api import Output, Resource, Stack, tf_name

_ADDRESS = re.compile(r"(?<![\w.])(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*")


class Unmatched(Exception):
    """A resource (or output) of the first stack has no single counterpart in a later one."""

    def __init__(self, message: str, spec_path: SpecPath = ()) -> None:
        super().__init__(message)
        self.spec_path = spec_path  # what made it, in the first stage


@dataclass(frozen=True)
class Later:
    """A stack built from a later stage: which names became which (first name -> name at
    that stage, per renamed entry; one old name may be several entries' of different
    kinds) and how a first-stage spec path reads there."""

    stack: Stack
    names: tuple[tuple[str, str], ...]
    path: Callable[[SpecPath], SpecPath]


def keep(first: Stack, later: list[Later]) -> tuple[Stack, list[tuple[str, str]], dict[str, SpecPath]]:
    """`first` at the addresses of `later[-1]` (the spec as written), and the moves from
    stage to stage (data sources too: Terraform keeps no state for them, so they get no
    `moved` block, but `mlops diff` follows references to them), and the spec path each
    moved resource was made from at first. Raises Unmatched when a resource cannot be followed."""
    chains = {r.address: [r.address] for r in first.resources}
    outputs = {o.name: o.name for o in first.outputs}
    for stage in later:
        spell = _Spellings(stage.names)
        index = {(r.type, r.address): r.spec_path for r in stage.stack.resources}
        found = _one_to_one([(r.address, r.spec_path, [replace(r, name=n).address for n in spell(r.name)],
                              lambda a, r=r, stage=stage: index.get((r.type, a)) == stage.path(r.spec_path))
                             for r in first.resources], {a for _, a in index})
        for address, target in found.items():
            chains[address].append(target)
        named = {o.name: o.spec_path for o in stage.stack.outputs}
        outputs = _one_to_one([(o.name, o.spec_path, spell(o.name),
                                lambda n, o=o, stage=stage: n in named and named[n] == stage.path(o.spec_path))
                               for o in first.outputs], set(named))
    final = {address: chain[-1] for address, chain in chains.items()}
    moves = {(a, b) for chain in chains.values() for a, b in zip(chain, chain[1:]) if a != b}
    stack = _moved(first, final, outputs, later[-1])
    return stack, sorted(moves), {final[r.address]: r.spec_path for r in first.resources if final[r.address] != r.address}


class _Spellings:
    """Every way a first-stage Terraform name may read at a later stage: each renamed
    entry's name in it (as `tf_name` spells it, longest match first, so `raw_archive` is
    not read as `raw` + `_archive`) kept or replaced by a later name of that name."""

    LIMIT = 256

    def __init__(self, names: tuple[tuple[str, str], ...]) -> None:
        self.options: dict[str, set[str]] = {}
        for was, then in names:
            if was != then:
                self.options.setdefault(tf_name(was), {tf_name(was)}).add(tf_name(then))
        tokens = sorted(self.options, key=lambda s: (-len(s), s))
        self.pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(map(re.escape, tokens))})(?![A-Za-z0-9])") \
            if tokens else None

    def __call__(self, name: str) -> list[str]:
        spellings = [""]
        end = 0
        for match in self.pattern.finditer(name) if self.pattern else ():
            head = name[end:match.start()]
            spellings = [s + head + o for s in spellings for o in sorted(self.options[match.group(0)])][: self.LIMIT]
            end = match.end()
        return [s + name[end:] for s in spellings]


def _one_to_one(items, available: set[str]) -> dict[str, str]:
    """For each (key, spec path, candidates, accept) the one candidate `accept`s, each
    taken once, every available one taken: raises Unmatched otherwise."""
    taken: dict[str, str] = {}
    for key, made_by, candidates, accept in items:
        found = sorted({c for c in candidates if accept(c)})
        if len(found) != 1:
            raise Unmatched(f"{key}: {'no' if not found else 'more than one'} counterpart among "
                            f"{', '.join(sorted(set(candidates)))}", made_by)
        if found[0] in taken:
            raise Unmatched(f"{key} and {taken[found[0]]} both become {found[0]}", made_by)
        taken[found[0]] = key
    if set(taken) != available:
        raise Unmatched(f"{', '.join(sorted(available - set(taken)))}: no counterpart in the spec as it was")
    return {key: target for target, key in taken.items()}


def _moved(first: Stack, final: dict[str, str], outputs: dict[str, str], written: Later) -> Stack:
    """A copy of `first` with every address, reference and spec path as written now."""

    def fix(value: Any) -> Any:
        return readdress(value, final)

    out = Stack(project=first.project, env=first.env, exports=first.exports, plans=first.plans,
                key_statements=first.key_statements, errors=list(written.stack.errors))
    for r in first.resources:
        out.add(replace(r, name=final[r.address].split(".")[-1], attrs=fix(r.attrs), spec_path=written.path(r.spec_path),
                        depends_on=tuple(final.get(a, a) for a in r.depends_on)))
    out.outputs = [Output(outputs[o.name], fix(o.value), o.description, written.path(o.spec_path))
                   for o in first.outputs]
    out.exceptions = [replace(e, resource=final.get(e.resource, e.resource)) for e in first.exceptions]
    out.expected_findings = [replace(f, resource=final.get(f.resource, f.resource), path=written.path(f.path))
                             for f in first.expected_findings]
    return out


def readdress(value: Any, addresses: dict[str, str]) -> Any:
    """`value` with every Terraform reference to an address of `addresses` pointing at
    its new address (`${aws_s3_bucket.data_raw.id}` -> `${aws_s3_bucket.data_landing.id}`)."""
    if isinstance(value, str):
        return _ADDRESS.sub(lambda m: addresses.get(m.group(0), m.group(0)), value) if "${" in value else value
    if isinstance(value, list):
        return [readdress(v, addresses) for v in value]
    if isinstance(value, dict):
        return {k: readdress(v, addresses) for k, v in value.items()}
    return value
