"""The small contract between the compiler and the modules that build resources.

Vocabulary:
- a *module* owns one top-level section of `mlops.yaml` (its name is that YAML key,
  its folder, its schema fragment and its entry-point name) and adds resources for it;
- a *resolved spec* is the plain data for one environment: defaults filled in and the
  environment's overrides applied;
- a *stack* is what one environment compiles to; modules add generic Terraform
  resources to it by type and name. Nothing here imports the CDK, so a module can be
  read and tested without Node or jsii; `mlops.cdk` turns a finished stack into
  Terraform JSON.

References between resources are Terraform expressions (`${aws_kms_key.platform.arn}`)
produced by `Resource.ref`, so the output reads like hand-written Terraform and the
provider-schema check can follow them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .declared import ExpectedFinding
from .environment import Environment, partition  # noqa: F401 (part of the module API)
from .errors import SpecError, SpecPath, format_path

# Terraform names: a letter or underscore first, then letters, digits, _ and -.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def tf_name(*parts: str) -> str:
    """A Terraform resource name from spec names: `("data", "raw-2")` -> `data_raw_2`.

    Spec names are the only source of addresses, so renaming one entry never renames
    another (docs/architecture.md, Contracts).
    """
    name = "_".join(re.sub(r"[^A-Za-z0-9_]", "_", p) for p in parts if p)
    return name if _NAME.match(name) else f"_{name}"


def literal(text: str) -> str:
    """Text that Terraform must keep as written: `${` and `%{` start Terraform templates
    inside any JSON string, so a shell script's `${VAR}` is escaped as `$${VAR}`."""
    return text.replace("${", "$${").replace("%{", "%%{")


@dataclass
class Resource:
    """A resource or data source a module emitted, with where it came from."""

    type: str
    name: str
    attrs: dict[str, Any]
    module: str
    spec_path: SpecPath
    data_source: bool = False
    prevent_destroy: bool = False
    depends_on: tuple[str, ...] = ()
    # Attributes something outside Terraform owns after creation (a build pipeline
    # publishing an image digest, say): Terraform creates them and then leaves them be.
    ignore_changes: tuple[str, ...] = ()
    # For resources that cannot be updated in place and are referenced by name.
    create_before_destroy: bool = False

    @property
    def address(self) -> str:
        prefix = "data." if self.data_source else ""
        return f"{prefix}{self.type}.{self.name}"

    def ref(self, attribute: str) -> str:
        """A Terraform expression for one of this resource's attributes."""
        return "${" + self.address + "." + attribute + "}"


@dataclass(frozen=True)
class Output:
    name: str
    value: Any
    description: str
    # The spec entry the output describes, if any (a renamed entry's outputs follow it).
    spec_path: SpecPath = ()


@dataclass(frozen=True)
class CheckException:
    """A checkov finding the platform accepts on purpose, with the reason people read."""

    check: str
    resource: str
    reason: str
    declared_by: str
    expires: str | None = None


@dataclass
class Stack:
    """Everything one environment compiles to, before the CDK layer sees it."""

    project: str
    env: Environment
    resources: list[Resource] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    exceptions: list[CheckException] = field(default_factory=list)
    # What each module published for the modules that build after it, by module name
    # (`BuildContext.export`), and what each said it will build, before any built (`Module.plan`).
    exports: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, Any] = field(default_factory=dict)
    # Key policy statements modules ask for (a service principal that must use a key),
    # by key name; the keys module writes them into the key policies when it finalizes.
    key_statements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Findings checkov will report because of a setting the spec chose, with where it
    # was set and why; the spec must declare each (`mlops.declared`).
    expected_findings: list[ExpectedFinding] = field(default_factory=list)
    # The spec's own exceptions, with the spec path of each entry.
    spec_exceptions: list[tuple[SpecPath, CheckException]] = field(default_factory=list)
    # Spec names that became one Terraform address (tf_name writes `-` and `.` as `_`):
    # the build pass returns them as errors, so `validate` reports them too.
    errors: list[SpecError] = field(default_factory=list)
    _by_address: dict[str, Resource] = field(default_factory=dict)

    def get(self, address: str) -> Resource:
        """A resource an earlier module emitted, by address (for `depends_on`)."""
        if address not in self._by_address:
            raise KeyError(f"{address} is not in the stack (yet): a module-order bug")
        return self._by_address[address]

    def has(self, address: str) -> bool:
        return address in self._by_address

    def add(self, resource: Resource) -> Resource:
        """Add a resource; a second one at the same address is a spec error when two
        spec values produced them, and a module bug when one value did."""
        other = self._by_address.get(resource.address)
        if other is not None:
            if other.spec_path == resource.spec_path:
                raise ValueError(f"{resource.module}: {resource.address} emitted twice")
            error = SpecError(resource.spec_path, f"becomes the Terraform address {resource.address}, as "
                              f"{format_path(other.spec_path)} does",
                              hint="names that differ only in '-', '_' or '.' (or not at all) make one Terraform "
                                   "name: keep one of the two, or rename it")
            if not any(e.path == error.path and e.message.endswith(f"as {format_path(other.spec_path)} does")
                       for e in self.errors):
                self.errors.append(error)
            return resource
        self._by_address[resource.address] = resource
        self.resources.append(resource)
        return resource


@dataclass
class BuildContext:
    """What a module's `build` gets: its own section, the whole spec, and the stack."""

    module: str
    spec: Mapping[str, Any]
    stack: Stack
    services: frozenset[str] = frozenset()
    emits: frozenset[str] | None = None
    # Attributes every IAM role gets, contributed by modules (a permissions boundary).
    role_settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> Mapping[str, Any]:
        return self.spec.get(self.module) or {}

    @property
    def env(self) -> Environment:
        return self.stack.env

    def _declared(self, kind: str) -> None:
        if self.emits is not None and kind not in self.emits:
            raise ValueError(f"module {self.module} emits {kind} but does not declare it in Module.emits")

    def resource(self, type_: str, name: str, attrs: dict[str, Any], *, path: SpecPath, prevent_destroy: bool = False,
                 depends_on: Iterable[Resource] = (), ignore_changes: Iterable[str] = (),
                 create_before_destroy: bool = False) -> Resource:
        self._declared(type_)
        return self.stack.add(Resource(
            type=type_, name=name, attrs=attrs, module=self.module, spec_path=path, prevent_destroy=prevent_destroy,
            depends_on=tuple(r.address for r in depends_on), ignore_changes=tuple(ignore_changes),
            create_before_destroy=create_before_destroy))

    def data(self, type_: str, name: str, attrs: dict[str, Any], *, path: SpecPath) -> Resource:
        self._declared(f"data.{type_}")
        return self.stack.add(
            Resource(type_, name, attrs, self.module, path, data_source=True)
        )

    def output(self, name: str, value: Any, description: str, *, path: SpecPath = ()) -> None:
        """A Terraform output; `path`: the spec entry it describes, when it describes one."""
        self.stack.outputs.append(Output(name, value, description, path))

    def exception(self, check: str, resource: Resource, reason: str) -> None:
        """Declare a checkov finding as accepted by design; it is written next to the stack."""
        self.stack.exceptions.append(
            CheckException(check, resource.address, reason, f"module {self.module}")
        )

    def checkov_finding(self, check: str, resource: Resource, path: SpecPath, why: str) -> None:
        """The setting at `path` makes checkov's `check` fail on `resource`: a choice the
        spec may make, but only by declaring the exception; compile fails otherwise."""
        self.stack.expected_findings.append(ExpectedFinding(check, resource.address, path, why))

    def export(self, value: Any) -> None:
        """Publish what modules that build later may use: one frozen dataclass (the module's
        `exports.py`), built from the resources the module emitted."""
        self.stack.exports[self.module] = value

    def allow_key_use(self, key: str, statement: dict[str, Any]) -> None:
        """Add `statement` (an AWS service using the key, say) to the policy of the KMS key
        named `key`. Roles need not ask: the keys module names every role whose policy
        uses a key in that key's policy."""
        self.stack.key_statements.setdefault(key, []).append(statement)

    def imported(self, name: str, default: Any = KeyError) -> Any:
        """What module `name` exported (`"data"`), or one field of it (`"data.buckets"`).
        Without a default, a module that has exported nothing raises: a module-order bug.
        With one, the exporting module may be absent from the spec."""
        module, _, attribute = name.partition(".")
        if module not in self.stack.exports:
            if default is KeyError:
                raise KeyError(f"{module} has exported nothing (yet): a module-order bug")
            return default
        value = self.stack.exports[module]
        return getattr(value, attribute) if attribute else value

    def planned(self, module: str) -> Any:
        """What `module` said it will build (its `Module.plan`), known before any module
        builds; None when the spec has no such section."""
        return self.stack.plans.get(module)


@dataclass(frozen=True)
class Module:
    """One module as the registry hands it to the compiler.

    - `schema`: the JSON Schema of the module's section (draft-07 keywords only);
      its own `definitions` are hoisted into the bundled schema as they are, so name
      them `<module>.<thing>`.
    - `build`: adds the module's resources for one environment.
    - `check`: semantic checks the schema cannot express (cross-references, CIDR
      arithmetic); gets the resolved spec of one environment and the environment.
    - `check_environments`: checks across environments (one resolved spec each).
    - `services`: the AWS services the module's resources call from inside the VPC,
      so the network module can derive its interface endpoints.
    - `after`: modules whose exports `build` reads.
    - `plan`: what the module will build, from its own section, published before any
      module builds (`BuildContext.planned`), for modules that build earlier and must
      prepare for it (the roles a later module's jobs run as).
    - `required`: the section must be present in every spec.
    - `role_settings`: attributes applied to every IAM role any module creates (the
      governance module's permissions boundary, say), from the resolved spec.
    - `finalize`: runs after every module's `build`, in module order, for what must see
      the whole stack (the key policies name every role that uses each key).
    - `emits`: every resource type the module can emit (data sources as
      `data.<type>`); emitting anything else is an error, and a test checks that each
      declared type is in the pinned provider schemas, so nothing escapes the check.
    """

    name: str
    schema: Mapping[str, Any]
    build: Callable[[BuildContext], None]
    check: Callable[[Mapping[str, Any], Environment], list[SpecError]] = lambda spec, env: []
    check_environments: Callable[[Mapping[str, Mapping[str, Any]]], list[tuple[str, SpecError]]] = (
        lambda specs: []
    )
    services: Callable[[Mapping[str, Any]], set[str]] = lambda spec: set()
    after: tuple[str, ...] = ()
    required: bool = False
    emits: frozenset[str] = frozenset()
    role_settings: Callable[[Mapping[str, Any], Environment], dict[str, Any]] = lambda spec, env: {}
    finalize: Callable[[BuildContext], None] = lambda ctx: None
    plan: Callable[[Mapping[str, Any], Environment], Any] = lambda section, env: None


def fragment(package: str) -> dict[str, Any]:
    """A module's schema fragment, `schema.json` next to its code: read by its path
    (importlib.resources costs a tenth of `mlops validate` to import), or through
    importlib.resources where the package is no folder (a module installed as a zip)."""
    try:
        return json.loads(Path(sys.modules[package].__file__).with_name("schema.json").read_text("utf-8"))
    except (KeyError, TypeError, OSError):
        from importlib import resources

        return json.loads(resources.files(package).joinpath("schema.json").read_text("utf-8"))


def module(package: str, **fields: Any) -> Module:
    """The module of package `package` (`__name__` of its `__init__.py`), named after it
    (`mlops_modules.data` -> `data`: one name for the YAML key, the folder, the schema
    fragment and the entry point), with the schema fragment next to its code."""
    return Module(name=package.rsplit(".", 1)[-1], schema=fragment(package), **fields)
