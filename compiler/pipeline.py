"""The passes in order: load -> validate -> resolve -> build -> synthesize -> render.

Each pass is a plain function in its own file; this one only chains them and stops at
the first pass that found errors, so later passes can trust their input. The CDK is
imported only when a spec has come through every check and is about to synthesize.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import conformance, declared, names, registry
from .build import Target, build
from .errors import SpecError, SpecInvalid
from .loader import Document, load
from .resolve import Resolved, resolve
from .schema import assemble
from .write import Plan, render


@dataclass
class Checked:
    """A spec that passed every check, resolved per environment; errors when it did not."""

    document: Document | None
    resolved: list[Resolved] = field(default_factory=list)
    errors: list[SpecError] = field(default_factory=list)


def check(raw: bytes, source: str) -> Checked:
    """load, validate, resolve, build and check the built stacks: everything `mlops
    validate` does, without the CDK."""
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
    if not errors:  # building is plain Python (no CDK), so validate runs these checks too
        errors = built_checks([build(one, modules) for one in resolved])
    return Checked(document, resolved, errors)


def targets(checked: Checked) -> list[Target]:
    modules = registry.modules()
    return [build(one, modules) for one in checked.resolved]


def aws_errors(built: list[Target]) -> list[SpecError]:
    """What AWS would reject in the built stacks, by its own API models (no CDK needed)."""
    from .awsapi import stack as api

    return _unique([error for target in built for error in api.check(target.stack)])


def plan(built: list[Target]) -> Plan:
    """Check the built stacks (`built_checks`) and against AWS's API models, synthesize
    them, check them against the pinned provider schemas, and render the files of
    `generated/`; raises SpecInvalid when a stack does not pass."""
    errors = built_checks(built)
    if errors:
        raise SpecInvalid(errors)
    rejected = aws_errors(built)
    if rejected:
        raise SpecInvalid(rejected)
    from .cdk import synthesize  # the CDK runtime starts here and nowhere else

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
        files[f"{name}/cdk.tf.json"] = render(stacks[name])
        files[f"{name}/exceptions.json"] = render(
            {"exceptions": [vars(e) for e in sorted(target.stack.exceptions, key=_exception_key)]}
        )
    return Plan(files)


def built_checks(built: list[Target]) -> list[SpecError]:
    """Checks that need the built stacks of every environment but not the CDK: physical
    names never collide (environments may share an account); the spec's exceptions
    name resources the stacks contain, and declare every finding a spec setting causes."""
    stacks = [t.stack for t in built]
    return names.check(stacks) + declared.check(stacks)


def _unique(errors: list[SpecError]) -> list[SpecError]:
    """One error per problem, even when every environment's stack has it."""
    seen: dict[tuple, SpecError] = {}
    for error in errors:
        seen.setdefault((error.path, error.message), error)
    return list(seen.values())


def _exception_key(exc) -> tuple:
    return (exc.resource, exc.check, exc.declared_by)
