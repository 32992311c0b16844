"""Part of the module API: environments that serve versions another environment trains.

Vocabulary:
- the *training environment* (T) trains, evaluates and approves every version of a
  model and keeps its artifact, image and baselines;
- a *serving environment* (`environments.<env>.serves_from: T`) trains nothing: its
  endpoints serve the version `endpoint.model_version` pins *of T's model package
  group*, so staging and prod run the very bytes that were evaluated and approved.
  It must be in T's region (SageMaker serves a version, artifact and image only in
  the endpoint's region) and name the role Terraform runs as there (the role that
  creates its SageMaker models from T's versions, which T's registry names).

Each side writes its half of every grant (docs/architecture.md, "Serving in other
accounts"). A grant in T names the serving account as principal, narrowed by
`aws:PrincipalArn` to the serving environment's roles (`granted`): a resource policy
that names a role directly is rejected until the role exists, and silently stops
matching when the role is recreated, while T's grants must exist before the serving
environment creates its models. A grant in the serving environment names T's
resources by ARN, and T's KMS key by alias (`decrypt_through_s3`), since its id is
made by AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .environment import Environment, environment
from .errors import SpecError, did_you_mean
from .iam import statement


def training(spec: Mapping[str, Any], env: Environment) -> Environment | None:
    """The environment whose versions `env` serves; None when `env` trains its own."""
    return environment(spec, env.serves_from) if env.serves_from else None


def serving(spec: Mapping[str, Any], env: Environment) -> list[Environment]:
    """The environments that serve `env`'s versions, by name."""
    environments = spec["environments"]
    return [environment(spec, name) for name in sorted(environments)
            if environments[name].get("serves_from") == env.name]


def granted(sid: str, actions: Iterable[str], resources: Iterable[str], server: Environment,
            arns: Iterable[str], conditions: Iterable[tuple] = (), key: str = "aws:PrincipalArn") -> dict[str, Any]:
    """A resource-policy statement of the training environment letting exactly the roles
    `arns` (in `server`'s account) do `actions`: the account as principal, narrowed by
    aws:PrincipalArn (see the module docstring for why not the role as principal); or,
    with `key` aws:SourceArn, narrowed to the rules `arns` of that account (an event bus)."""
    return statement(sid, actions, list(resources), principals={"AWS": [server.arn("iam", "root", region=False)]},
                     conditions=[*conditions, ("ArnEquals", key, sorted(set(arns)))])


def sid(server: Environment, what: str, entry: str = "") -> str:
    """A statement id naming the serving environment and, where one policy has a
    statement per model, the spec entry (ids are letters and digits)."""
    words = [server.name, *re.split(r"[^A-Za-z0-9]+", entry)]
    return "".join(word[:1].upper() + word[1:] for word in words) + what


def through_s3(env: Environment) -> tuple:
    """The condition that lets a key be used through S3 in `env`'s region, and no other way."""
    return ("StringEquals", "kms:ViaService", [f"s3.{env.region}.amazonaws.com"])


def decrypt_through_s3(sid: str, trained_in: Environment, alias: str) -> dict[str, Any]:
    """What a serving role needs to read objects the training environment encrypted with
    its key `alias` (`alias/<name>`): kms:Decrypt on that account's keys that carry the
    alias (kms:ResourceAliases takes alias names, IAM policies only), through S3 only.
    The training environment's key policy must grant the role too."""
    return statement(sid, ["kms:Decrypt"], [trained_in.arn("kms", "key/*")], conditions=[
        ("ForAnyValue:StringEquals", "kms:ResourceAliases", [alias]), through_s3(trained_in)])


def check(data: Mapping[str, Any]) -> list[SpecError]:
    """`serves_from` names another environment that trains, in the same region, and the
    serving environment says which role Terraform runs as."""
    environments = data["environments"]
    trainers = sorted(name for name, env in environments.items() if not env.get("serves_from"))
    choices = f"environments that train: {', '.join(trainers)}" if trainers else "no environment trains: remove one serves_from"
    errors = []
    for name in sorted(environments):
        source = environments[name].get("serves_from")
        if source is None:
            continue
        path = ("environments", name, "serves_from")
        if source == name:
            errors.append(SpecError(path, f"{name} cannot serve from itself", hint=f"name the environment that trains "
                                    f"its models ({choices}), or remove serves_from"))
        elif source not in environments:
            errors.append(SpecError(path, f"no environment named '{source}'", hint=did_you_mean(source, trainers) or choices))
        elif environments[source].get("serves_from"):
            errors.append(SpecError(path, f"{source} serves from {environments[source]['serves_from']} itself, so it has "
                                    "no versions of its own to serve", hint=f"serve from an environment that trains "
                                    f"({choices})"))
        else:
            errors += _same_region(data, name, source) + _role(data, name, source)
    return errors


def _same_region(data: Mapping[str, Any], name: str, source: str) -> list[SpecError]:
    here, there = environment(data, name).region, environment(data, source).region
    if here == there:
        return []
    return [SpecError(("environments", name, "serves_from"), f"{name} is in {here} and {source} in {there}: SageMaker "
                      "serves a version, its artifact and its image only in the endpoint's region",
                      hint=f"serve from an environment in {here}, or put {name} in {there}")]


def _role(data: Mapping[str, Any], name: str, source: str) -> list[SpecError]:
    if environment(data, name).role_arn:
        return []
    return [SpecError(("environments", name, "serves_from"), f"{source}'s registry lets {name} create models from its "
                      f"versions only as the role Terraform runs as in {name}, and {name} names none",
                      hint=f"set environments.{name}.role (a role name or ARN the provider assumes)")]
