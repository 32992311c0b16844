"""Build one stack per resolved environment: the compiler's own settings, then each module.

The compiler owns what every stack has regardless of modules -- the pinned providers,
the S3 backend and the provider configuration (account guard, assumed role, default
tags) -- and hands each module a `BuildContext` in registry order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from . import renames
from .errors import SpecError
from .module_api import BuildContext, CheckException, Module, Stack, literal
from .providers import PROVIDERS, TERRAFORM_VERSION, taggable
from .resolve import Resolved
from .retire import retired, unprotect


@dataclass
class Target:
    """A built stack plus the Terraform settings around it."""

    stack: Stack
    backend: dict[str, Any]
    providers: dict[str, dict[str, Any]]  # provider name -> its configuration
    required_providers: dict[str, dict[str, str]]
    required_version: str
    # For a retired environment, what prevent_destroy guarded (mlops.retire); else None.
    retired: list[str] | None = None
    # Addresses (from, to) that renamed entries' resources and data sources moved to
    # (mlops.moves): the resources' become Terraform `moved` blocks.
    moved: list[tuple[str, str]] = field(default_factory=list)


def build(resolved: Resolved, modules: Iterable[Module]) -> Target:
    spec, env = resolved.spec, resolved.env
    modules = tuple(modules)
    stack, moved, made_from = (_renamed(resolved, modules) if resolved.stages
                               else (_modules(spec, env, modules), [], {}))
    _trace(stack, made_from)
    guarded = unprotect(stack) if retired(spec, env.name) else None
    for index, exc in enumerate(spec.get("exceptions", [])):
        declared = CheckException(exc["check"], exc["resource"], exc["reason"], "mlops.yaml", exc["expires"])
        stack.exceptions.append(declared)
        stack.spec_exceptions.append((resolved.origin(("exceptions", index)), declared))
    # Point each expected finding at the line that set its value (an override, say).
    stack.expected_findings = [replace(f, path=resolved.origin(f.path)) for f in stack.expected_findings]
    used = {"aws"} | {r.type.split("_", 1)[0] for r in stack.resources}
    configs = {"aws": provider(spec, resolved)}
    if "awscc" in used:
        # Same account, region and role as aws; awscc has no default_tags or account guard.
        configs["awscc"] = {"region": configs["aws"]["region"]}
        if "assume_role" in configs["aws"]:  # a nested attribute in awscc, a block in aws
            configs["awscc"]["assume_role"] = dict(configs["aws"]["assume_role"][0])
    return Target(
        stack=stack,
        backend=backend(spec, env.name),
        providers=configs,
        required_providers={name: dict(PROVIDERS[name]) for name in sorted(used)},
        required_version=TERRAFORM_VERSION,
        retired=guarded,
        moved=moved,
    )


def _modules(spec: dict[str, Any], env, modules: tuple[Module, ...]) -> Stack:
    """Every module's plan, then build, then finalize, in registry order."""
    stack = Stack(project=spec["project"], env=env)
    services: set[str] = set()
    present = [m for m in modules if m.name in spec]
    role_settings: dict[str, Any] = {}
    for module in present:
        services |= module.services(spec)
        role_settings.update(module.role_settings(spec, env))
        stack.plans[module.name] = module.plan(spec[module.name] or {}, env)
    contexts = [BuildContext(m.name, spec, stack, frozenset(services), m.emits, role_settings) for m in present]
    for module, ctx in zip(present, contexts):
        module.build(ctx)
    for module, ctx in zip(present, contexts):
        module.finalize(ctx)
    return stack


def _renamed(resolved: Resolved, modules: tuple[Module, ...]) -> tuple[Stack, list[tuple[str, str]], dict]:
    """The stack of a spec with renamed entries (mlops.renames, mlops.moves): built as it
    was first, at the addresses of the spec as written, with the moves between, and the
    spec path each moved resource was made from at first."""
    from .moves import Later, Unmatched, keep  # only a spec with renames needs them

    first, *stages = resolved.stages
    env = resolved.env
    later = [Later(_modules(stage.spec, env, modules),
                   tuple((was, stage.name(e, now)) for (e, now), was in first.names.items()),
                   lambda p, stage=stage: stage.then(renames.now(p, first.paths))) for stage in stages]
    written = _modules(resolved.spec, env, modules)
    later.append(Later(written, tuple((was, now) for (_, now), was in first.names.items()),
                       lambda p: renames.now(p, first.paths)))
    made = _modules(first.spec, env, modules)
    for stage in [made, *(one.stack for one in later[:-1])]:
        for error in stage.errors:  # two old names that make one address: the spec as it was cannot be built
            written.errors.append(SpecError(_rename_of(first, error.path),
                                            f"the spec as it was before this rename does not build: {error.message}"))
    if written.errors:
        return written, [], {}
    try:
        return keep(made, later)
    except Unmatched as unmatched:
        written.errors.append(SpecError(
            _rename_of(first, unmatched.spec_path),
            f"mlops cannot follow this rename through the stack: {unmatched}",
            hint="a limitation of mlops, please report it; until it is fixed, keep the entry's old name"))
        return written, [], {}


def _rename_of(first: renames.Stage, path: tuple) -> tuple:
    """The `renamed_from` of the renamed entry that made the first-stage `path` (else
    of the first renamed entry): where an error about following renames belongs."""
    now = renames.now(path, first.paths)
    for entries, name in first.names:
        if now[:len(entries) + 1] == (*entries, name):
            return (*entries, name, renames.FIELD)
    entries, name = next(iter(first.names))
    return (*entries, name, renames.FIELD)


SPEC_PATH_TAG = "mlops:spec-path"


def _trace(stack: Stack, made_from: dict[str, tuple]) -> None:
    """Tag every taggable resource with the spec path that produced it, so anyone can go
    from a resource in the AWS console (or a Terraform address, with `mlops locate`)
    back to the line of mlops.yaml. Whether a type takes tags comes from the pinned
    provider schema. A renamed entry's resource whose tags cannot change without
    replacing it (awscc's monitoring job definitions) keeps the path it was made from
    (`made_from`), as it keeps its name."""
    kinds = taggable()
    if made_from:  # the forces-new tables are read only for a spec with renames
        from .replacement import forces_new
    for resource in stack.resources:
        kind = None if resource.data_source else kinds.get(resource.type)
        if not kind:
            continue
        traced = resource.spec_path
        if resource.address in made_from and forces_new(resource.type, "tags"):
            traced = made_from[resource.address]
        path = ".".join(str(part) for part in traced)[:256]
        if kind == "map":
            resource.attrs["tags"] = {**resource.attrs.get("tags", {}), SPEC_PATH_TAG: path}
        else:  # awscc: a list of {key, value}
            resource.attrs["tags"] = [*resource.attrs.get("tags", []), {"key": SPEC_PATH_TAG, "value": path}]


def backend(spec: dict[str, Any], env_name: str) -> dict[str, Any]:
    """S3 backend: one state object per environment, encrypted, S3-native locking."""
    state = spec["state"]
    region = state.get("region") or spec["region"]
    config: dict[str, Any] = {
        "bucket": state["bucket"],
        "key": f"{state.get('key_prefix', '')}{spec['project']}/{env_name}/terraform.tfstate",
        "region": region,
        "encrypt": True,
        "use_lockfile": True,
    }
    if state.get("kms_key_id"):
        config["kms_key_id"] = state["kms_key_id"]
    if state.get("role"):
        config["assume_role"] = {"role_arn": state["role"]}
    return config


def provider(spec: dict[str, Any], resolved: Resolved) -> dict[str, Any]:
    """AWS provider: pinned to the environment's account, optional assumed role, default tags."""
    env = resolved.env
    tags = {"Project": spec["project"], "Environment": env.name, "ManagedBy": "mlops"}
    if spec.get("owner"):
        tags["Owner"] = spec["owner"]
    tags.update(spec.get("tags", {}))
    tags = {literal(k): literal(v) for k, v in tags.items()}  # the spec's text, as written: no templates
    config: dict[str, Any] = {
        "region": env.region,
        "allowed_account_ids": [env.account],
        "default_tags": [{"tags": dict(sorted(tags.items()))}],
    }
    if env.role_arn:
        config["assume_role"] = [
            {"role_arn": env.role_arn, "session_name": f"mlops-{spec['project']}-{env.name}"}
        ]
    return config
