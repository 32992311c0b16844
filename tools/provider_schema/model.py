"""What the extractor keeps of a provider package after parsing it.

A package has one lib/<dir> per resource, data source or provider; the JS and d.ts
files of a dir parse into a Module. Struct classes and their synthesizer functions are
named after the struct: `FooBarOutputReference` / `fooBarToHclTerraform`, so the
lowerFirst name ("fooBar") is the *struct key* that joins them.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Member:
    """One member of a generated class, as announced by its flag comment."""

    name: str
    computed: bool
    optional: bool
    required: bool
    storage: str | None = None  # initializer of a stored class: new XList(this, "n", true)
    getter: str | None = None  # return expression of a plain getter
    write_only: bool = False


@dataclasses.dataclass
class HclEntry:
    """One `name: {value, isBlock, type, storageClassType}` entry of an HCL synthesizer."""

    value: str
    type: str


@dataclasses.dataclass
class JsClass:
    name: str
    base: str
    doc: str = ""
    tf_type: str | None = None
    provider_source: str | None = None
    provider_version: str | None = None
    members: list[Member] = dataclasses.field(default_factory=list)
    hcl: dict[str, HclEntry] | None = None


@dataclasses.dataclass
class DocProp:
    """A property of a config/struct interface in the d.ts, keyed by its Terraform name."""

    optional: bool
    description: str | None
    is_block: bool


@dataclasses.dataclass
class Module:
    """Everything parsed from the JS and d.ts files of one package/lib/<dir>."""

    classes: dict[str, JsClass] = dataclasses.field(default_factory=dict)
    hcl_functions: dict[str, dict[str, HclEntry]] = dataclasses.field(default_factory=dict)  # key: lowerFirst(struct)
    write_only: set[tuple[str, str]] = dataclasses.field(default_factory=set)  # (struct key or class, tf name)
    interfaces: dict[str, dict[str, DocProp]] = dataclasses.field(default_factory=dict)  # name -> tf name -> prop


@dataclasses.dataclass
class TypeEntry:
    kind: str  # "resource" | "data" | "provider"
    tf_type: str
    module_dir: str
    class_name: str


@dataclasses.dataclass
class Package:
    name: str  # npm name, e.g. @cdktn/provider-aws
    version: str
    python_name: str  # PyPI distribution, e.g. cdktn-provider-aws
    modules: dict[str, Module]
    types: dict[tuple[str, str], TypeEntry]
    provider: TypeEntry | None


def lower_first(name: str) -> str:
    """The struct key of a class or interface name."""
    return name[:1].lower() + name[1:]


def upper_first(key: str) -> str:
    """The interface (and, before its suffix, the class) name of a struct key."""
    return key[:1].upper() + key[1:]
