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
    """A resource of the first stack has no single counterpart in a later one."""


@dataclass(frozen=True)
class Later:
    """A stack built from a later stage: which names became which (first name -> name at
    that stage, per renamed entry) and how a first-stage spec path reads there."""

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
        swaps = [(re.compile(rf"(?<![A-Za-z0-9]){re.escape(tf_name(a))}(?![A-Za-z0-9])"), tf_name(b))
                 for a, b in stage.names if a != b]
        index = {r.address: r for r in stage.stack.resources}
        taken: dict[str, str] = {}
        for resource in first.resources:
            target = _match(resource, index, swaps, stage.path)
            if target in taken:
                raise Unmatched(f"{resource.address} and {taken[target]} both become {target}")
            taken[target] = resource.address
            chains[resource.address].append(target)
        if set(taken) != set(index):
            raise Unmatched(f"{', '.join(sorted(set(index) - set(taken)))}: no counterpart in the spec as it was")
        names = {o.name for o in stage.stack.outputs}
        for name in outputs:
            outputs[name] = _output(_swap(name, swaps), name, names)
    final = {address: chain[-1] for address, chain in chains.items()}
    moves = {(a, b) for chain in chains.values() for a, b in zip(chain, chain[1:]) if a != b}
    stack = _moved(first, final, outputs, later[-1])
    return stack, sorted(moves), {final[r.address]: r.spec_path for r in first.resources if final[r.address] != r.address}


def _swap(name: str, swaps: list[tuple[re.Pattern[str], str]]) -> str:
    for pattern, new in swaps:
        name = pattern.sub(new, name)
    return name


def _match(resource: Resource, index: dict[str, Resource], swaps, path: Callable[[SpecPath], SpecPath]) -> str:
    """The address `resource` has in a later stack: its name with the renamed entries'
    names swapped, or its own, where that stack has a resource of its type from its entry."""
    made_by = path(resource.spec_path)
    candidates = {replace(resource, name=n).address for n in (_swap(resource.name, swaps), resource.name)}
    found = [a for a in candidates if a in index and index[a].type == resource.type and index[a].spec_path == made_by]
    if len(found) != 1:
        raise Unmatched(f"{resource.address}: {'no' if not found else 'more than one'} counterpart "
                        f"among {', '.join(sorted(candidates))}")
    return found[0]


def _output(swapped: str, own: str, names: set[str]) -> str:
    for name in (swapped, own):
        if name in names:
            return name
    raise Unmatched(f"output {own}: no counterpart")


def _moved(first: Stack, final: dict[str, str], outputs: dict[str, str], written: Later) -> Stack:
    """A copy of `first` with every address, reference and spec path as written now."""

    def fix(value: Any) -> Any:
        return readdress(value, final)

    out = Stack(project=first.project, env=first.env, exports=first.exports, plans=first.plans,
                key_statements=first.key_statements, errors=list(written.stack.errors))
    for r in first.resources:
        out.add(replace(r, name=final[r.address].split(".")[-1], attrs=fix(r.attrs), spec_path=written.path(r.spec_path),
                        depends_on=tuple(final.get(a, a) for a in r.depends_on)))
    out.outputs = [Output(outputs[o.name], fix(o.value), o.description) for o in first.outputs]
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
