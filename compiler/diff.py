"""What a change to mlops.yaml does to the platform, before Terraform is asked.

Both specs go through `check` (load to built checks, no CDK); the built stacks of each
environment are compared resource by resource: added, removed, changed (which
attributes, down to the field inside an embedded JSON document such as a pipeline
definition) and replaced (a changed argument that forces a new resource, from
`mlops.replacement`). Removing or replacing a stateful resource, or an endpoint, is
flagged: that is data lost or downtime, and what `--fail-on destroy` stops in CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from .build import Target
from .module_api import Resource
from .moves import readdress
from .resolve import Resolved

# Types whose destruction loses data or history (buckets, keys, repositories,
# registries, domains, trails, log groups), or serves traffic (endpoints).
STATEFUL = {
    "aws_s3_bucket": "bucket", "aws_kms_key": "KMS key", "aws_ecr_repository": "image repository",
    "aws_codecommit_repository": "code repository", "aws_sagemaker_model_package_group": "model registry",
    "aws_sagemaker_domain": "Studio domain", "aws_cloudtrail": "trail", "aws_cloudwatch_log_group": "log group",
    "aws_sagemaker_feature_group": "feature group", "aws_sagemaker_endpoint": "endpoint, downtime",
}


@dataclass(frozen=True)
class Change:
    """One resource of one environment: `action` is add, remove, change, replace or move
    (a renamed entry's resource at its new address, nothing else changed)."""

    env: str
    address: str
    action: str
    spec_path: tuple  # in mlops.yaml, following overrides back to their lines
    attributes: tuple[str, ...] = ()  # what changed; for replace, what forces it first
    stateful: str | None = None
    moved_from: str | None = None  # the address Terraform's state has it at, when it moves

    @property
    def destroys(self) -> bool:
        """Data or traffic is lost: a stateful resource removed or replaced."""
        return self.stateful is not None and self.action in ("remove", "replace")


@dataclass
class EnvironmentDiff:
    name: str
    status: str  # "added", "removed" or "kept"
    changes: list[Change] = field(default_factory=list)


def compare(before: list[tuple[Resolved, Target]], after: list[tuple[Resolved, Target]],
            forces_new: Callable[[str, str], bool]) -> list[EnvironmentDiff]:
    """Every environment of either spec, in name order, with its changes. A resource the
    new stack's `moved` blocks take to a new address is compared there, as Terraform will."""
    old = {resolved.env.name: (resolved, target) for resolved, target in before}
    new = {resolved.env.name: (resolved, target) for resolved, target in after}
    diffs = []
    for name in sorted(set(old) | set(new)):
        status = "added" if name not in old else "removed" if name not in new else "kept"
        moves = _moves(new[name][1].moved if name in new else [])
        old_resources = {moves.get(r.address, r.address): replace(r, attrs=readdress(r.attrs, moves))
                         for r in (old[name][1].stack.resources if name in old else []) if not r.data_source}
        was = {to: r.address for r in (old[name][1].stack.resources if name in old else [])
               if (to := moves.get(r.address, r.address)) != r.address}
        new_resources = {r.address: r for r in (new[name][1].stack.resources if name in new else []) if not r.data_source}
        origin = (new.get(name) or old[name])[0].origin
        changes = {}
        for address in sorted(set(old_resources) | set(new_resources)):
            change = _change(name, old_resources.get(address), new_resources.get(address), forces_new, origin)
            if address in was and address in new_resources:
                change = replace(change or Change(name, address, "move", origin(new_resources[address].spec_path)),
                                 moved_from=was[address])
            if change is not None:
                changes[address] = change
        _follow(name, changes, new_resources, forces_new, origin)
        diffs.append(EnvironmentDiff(name, status, [changes[a] for a in sorted(changes)]))
    return diffs


def _moves(moved: list[tuple[str, str]]) -> dict[str, str]:
    """Each address a `moved` block names, to where its chain of moves ends."""
    step = dict(moved)
    out = {}
    for start in step:
        end, seen = step[start], {start}
        while end in step and end not in seen:
            seen.add(end)
            end = step[end]
        out[start] = end
    return out


def _follow(env: str, changes: dict[str, Change], resources: dict[str, Resource], forces_new, origin) -> None:
    """What Terraform will also change: a resource that reads an attribute of a replaced
    one gets a new value there (known after apply), and is replaced in turn when that
    argument forces it (a new model replaces its endpoint configuration, whose new name
    updates the endpoint)."""
    replaced = {a for a, c in changes.items() if c.action == "replace"}
    while replaced:
        following = set()
        for address, resource in resources.items():
            reads = tuple(sorted({p for a in replaced for p in _reading(resource.attrs, "${" + a + ".")}))
            if not reads or address in replaced:
                continue
            before = changes.get(address)
            if before is not None and before.action in ("add", "replace"):
                continue
            forcing = tuple(p for p in reads if forces_new(resource.type, _argument(p)))
            attributes = tuple(sorted(set(reads) | set(before.attributes if before else ())))
            stateful = STATEFUL.get(resource.type)
            path = origin(resource.spec_path)
            moved_from = before.moved_from if before else None
            if forcing:
                changes[address] = Change(env, address, "replace", path,
                                          forcing + tuple(a for a in attributes if a not in forcing), stateful,
                                          moved_from)
                following.add(address)
            else:
                changes[address] = Change(env, address, "change", path, attributes, moved_from=moved_from)
        replaced = following


def _reading(value: Any, reference: str, prefix: str = "") -> Iterator[str]:
    """The attribute paths of `value` whose text contains `reference`."""
    if isinstance(value, str):
        if reference in value:
            yield prefix
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _reading(item, reference, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _reading(item, reference, prefix)


def _change(env: str, old: Resource | None, new: Resource | None, forces_new, origin) -> Change | None:
    resource = new or old
    stateful = STATEFUL.get(resource.type)
    path = origin(resource.spec_path)
    if old is None:
        return Change(env, resource.address, "add", path)
    if new is None:
        return Change(env, resource.address, "remove", path, stateful=stateful)
    changed = tuple(sorted(set(paths(old.attrs, new.attrs))))
    if not changed:
        return None
    forcing = tuple(p for p in changed if forces_new(resource.type, _argument(p)))
    if forcing:
        return Change(env, resource.address, "replace", path, forcing + tuple(p for p in changed if p not in forcing),
                      stateful)
    return Change(env, resource.address, "change", path, changed)


def paths(old: Any, new: Any, prefix: str = "", blocks: bool = True) -> Iterator[str]:
    """The attribute paths whose values differ: `a.b` for nested blocks (a block is a
    list of one object), `a[2]` for list items, and inside JSON text (a pipeline or a
    policy) the JSON path after a colon: `pipeline_definition: Steps[1].Arguments`
    (`blocks`: a list of one object is a Terraform block, named without an index)."""
    if isinstance(old, str) and isinstance(new, str) and old != new:
        documents = _json(old), _json(new)
        if all(isinstance(d, (dict, list)) for d in documents):
            for inner in paths(*documents, blocks=False):
                yield f"{prefix}: {inner}" if prefix else inner
            return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from paths(old.get(key), new.get(key), f"{prefix}.{key}" if prefix else str(key), blocks)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        single = blocks and len(old) == 1 and isinstance(old[0], dict) and isinstance(new[0], dict)
        for index, (a, b) in enumerate(zip(old, new)):
            yield from paths(a, b, prefix if single else f"{prefix}[{index}]", blocks)
    elif old != new:
        yield prefix


def _json(text: str) -> Any:
    if text[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _argument(path: str) -> str:
    """The provider argument a changed path sits in: no list indexes, no JSON inside."""
    argument = path.split(":", 1)[0]
    while "[" in argument:
        start = argument.index("[")
        argument = argument[:start] + argument[argument.index("]", start) + 1:]
    return argument
