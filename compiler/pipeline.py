"""The passes in order: load -> validate -> resolve -> build -> synthesize -> render.

Each pass is a plain function in its own file; this one only chains them and stops at
the first pass that found errors, so later passes can trust their input. The CDK is
imported only when a spec has come through every check and is about to synthesize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import declared, names, policy_size, registry, retire
from .awsapi import stack as awsapi
from .build import Target, build
from .documents import FOLDER, GITATTRIBUTES, README, readme, split
from .errors import SpecError, SpecInvalid, format_path
from .loader import Document, load
from .resolve import Resolved, moved, resolve
from .schema import assemble

if TYPE_CHECKING:
    from .write import Plan


@dataclass
class Checked:
    """A spec that passed every check, resolved and built per environment; errors when it did not."""

    document: Document | None
    resolved: list[Resolved] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)
    # The stacks built from `resolved` (plain Python), which the checks ran on.
    built: list[Target] = field(default_factory=list)


def check(raw: bytes, source: str) -> Checked:
    """load, validate, resolve, build and check the built stacks: everything `mlops
    validate` does, without the CDK. Building is plain Python and finds what only the
    whole stack shows (two names that become one Terraform address, physical names that
    collide, what AWS's API models reject), so `validate` and `compile` agree on every spec."""
    try:
        document = load(raw, source)
    except SpecInvalid as invalid:
        return Checked(None, errors=invalid.errors)
    modules = registry.modules()
    schema = assemble(modules)
    from .validate import validate

    errors = validate(document.data, schema)
    if errors:
        return Checked(document, errors=errors)
    resolved, errors = resolve(document.data, schema, modules)
    if errors:
        return Checked(document, resolved, errors)
    built = [build(one, modules) for one in resolved]
    errors = [moved(one, error) for one, target in zip(resolved, built) for error in target.stack.errors]
    if errors:
        return Checked(document, resolved, _unique(errors))
    return Checked(document, resolved, built_checks(built), built)


def targets(checked: Checked) -> list[Target]:
    """The stacks `check` built, one per environment."""
    return checked.built


def plan(built: list[Target], source: str = "mlops.yaml") -> Plan:
    """Synthesize the built stacks (they passed `built_checks` in `check`), check them
    against the pinned provider schemas, and render the files of `generated/`; raises
    SpecInvalid when a stack does not conform."""
    from . import conformance
    from .cdk import synthesize  # the CDK runtime starts here and nowhere else
    from .write import Plan, render

    stacks = synthesize(built)
    schemas = conformance.pinned()
    errors: list[SpecError] = []
    for target in built:
        origins = {r.address: conformance.Origin(r.module, r.spec_path) for r in target.stack.resources}
        errors += conformance.check(stacks[target.stack.env.name], origins, schemas)
    if errors:
        raise SpecInvalid(_unique(errors))
    files: dict[str, bytes] = {}
    for target in built:
        name = target.stack.env.name
        files.update(_stack_files(target, stacks[name], source))
        files[f"{name}/exceptions.json"] = render(
            {"exceptions": [vars(e) for e in sorted(target.stack.exceptions, key=_exception_key)]}
        )
        if target.retired is not None:
            files[f"{name}/{retire.MARKER}"] = retire.instructions(target.stack, target.retired, source).encode()
    return Plan(files)


def _stack_files(target: Target, stack: dict, source: str) -> dict[str, bytes]:
    """cdk.tf.json with its large documents as files beside it (mlops.documents), and
    the README that says where each came from."""
    from .write import render

    name = target.stack.env.name
    stack, documents = split(stack)
    files = {f"{name}/cdk.tf.json": render(stack)} | {f"{name}/{rel}": text for rel, text in documents.items()}
    if documents:
        origins = {f"{FOLDER}/{r.type}/{r.name}.json": format_path(r.spec_path)
                   for r in target.stack.resources if not r.data_source}
        files[f"{name}/{README}"] = readme(name, source, {rel: origins[rel] for rel in documents})
        files[f"{name}/{GITATTRIBUTES[0]}"] = GITATTRIBUTES[1]
    return files


def built_checks(built: list[Target]) -> list[SpecError]:
    """Checks that need the built stacks of every environment but not the CDK: physical
    names never collide (environments may share an account); the spec's exceptions
    name resources the stacks contain, and declare every finding a spec setting causes;
    every role's inline policies fit IAM's limit;
    then what AWS's API models reject (mlops.awsapi), in stacks that passed those."""
    stacks = [t.stack for t in built]
    errors = names.check(stacks) + declared.check(stacks) + policy_size.check(stacks)
    return errors or _unique([error for stack in stacks for error in awsapi.check(stack)])


def _unique(errors: list[SpecError]) -> list[SpecError]:
    """One error per problem, even when every environment's stack has it."""
    seen: dict[tuple, SpecError] = {}
    for error in errors:
        seen.setdefault((error.path, error.message), error)
    return list(seen.values())


def _exception_key(exc) -> tuple:
    return (exc.resource, exc.check, exc.declared_by)
