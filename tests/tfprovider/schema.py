"""Provider schemas: ``terraform providers schema -json`` in, tfplugin6 ``Schema`` messages out.

The JSON shape (Terraform's ``jsonprovider`` package)::

    {"format_version": "1.0",
     "provider_schemas": {"registry.terraform.io/hashicorp/aws": {
         "provider": {"version": 0, "block": BLOCK},
         "resource_schemas": {"aws_s3_bucket": {"version": 0, "block": BLOCK}, ...},
         "data_source_schemas": {...},
         "ephemeral_resource_schemas": {...},          (optional)
         "functions": {"arn_parse": FUNCTION, ...}}}}  (optional)

    BLOCK = {"attributes": {name: {"type" | "nested_type", "required", "optional",
                                   "computed", "sensitive", "deprecated", "write_only"}},
             "block_types": {name: {"nesting_mode": "single|group|list|set|map",
                                    "block": BLOCK, "min_items", "max_items"}}}

Descriptions are dropped: Terraform needs none of them to validate or plan, and the AWS
schema is mostly prose. :func:`build_cache` does the conversion once per test session
and stores the serialized ``GetProviderSchema.Response`` plus the stripped JSON, so each
provider process (Terraform starts several per command) only reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import cty

DEFAULT_ADDRESS = "registry.terraform.io/hashicorp/aws"
CACHE_PB = "schema.pb"
CACHE_JSON = "schema.min.json"

_KEEP_ATTR = ("type", "nested_type", "required", "optional", "computed", "sensitive", "deprecated", "write_only")


def _strip_block(block: dict) -> dict:
    out: dict[str, Any] = {}
    attrs = {n: _strip_attr(a) for n, a in block.get("attributes", {}).items()}
    if attrs:
        out["attributes"] = attrs
    blocks = {}
    for n, nb in block.get("block_types", {}).items():
        b = {"nesting_mode": nb["nesting_mode"], "block": _strip_block(nb.get("block", {}))}
        for k in ("min_items", "max_items"):
            if nb.get(k):
                b[k] = nb[k]
        blocks[n] = b
    if blocks:
        out["block_types"] = blocks
    if block.get("deprecated"):
        out["deprecated"] = True
    return out


def _strip_attr(attr: dict) -> dict:
    out = {k: attr[k] for k in _KEEP_ATTR if k in attr and attr[k] not in (False, None)}
    if "nested_type" in out:
        nt = attr["nested_type"]
        out["nested_type"] = {"nesting_mode": nt.get("nesting_mode", "single"),
                              "attributes": {n: _strip_attr(a) for n, a in nt.get("attributes", {}).items()}}
    return out


def _strip_schema(s: dict) -> dict:
    return {"version": s.get("version", 0), "block": _strip_block(s.get("block", {}))}


def load(path: str | Path, address: str | None = None) -> dict:
    """One provider's schemas from a ``providers schema -json`` file, descriptions dropped."""
    doc = json.loads(Path(path).read_text())
    schemas = doc["provider_schemas"]
    if address is None:
        address = DEFAULT_ADDRESS if DEFAULT_ADDRESS in schemas or len(schemas) != 1 else next(iter(schemas))
    if address not in schemas:
        raise KeyError(f"{path}: no schema for {address} (have: {sorted(schemas)})")
    ps = schemas[address]
    return {
        "address": address,
        "provider": _strip_schema(ps.get("provider", {})),
        "resource_schemas": {n: _strip_schema(s) for n, s in ps.get("resource_schemas", {}).items()},
        "data_source_schemas": {n: _strip_schema(s) for n, s in ps.get("data_source_schemas", {}).items()},
        "ephemeral_resource_schemas": {n: _strip_schema(s)
                                       for n, s in ps.get("ephemeral_resource_schemas", {}).items()},
        "functions": ps.get("functions", {}),
    }


# ---------------------------------------------------------------------------- to protobuf
def _pb():
    from .stubs import tfplugin6_pb2  # deferred: the harness imports this module without grpc

    return tfplugin6_pb2


_BLOCK_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}
_OBJECT_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4}


def _attr_pb(name: str, a: dict):
    pb = _pb()
    msg = pb.Schema.Attribute(
        name=name,
        required=bool(a.get("required")),
        optional=bool(a.get("optional")),
        computed=bool(a.get("computed")),
        sensitive=bool(a.get("sensitive")),
        deprecated=bool(a.get("deprecated")),
        write_only=bool(a.get("write_only")),
    )
    # A nested attribute (awscc) keeps its own optional fields; the slices also carry the
    # equivalent object `type`, which would make every field required, so prefer nesting.
    if "nested_type" not in a:
        msg.type = cty.type_json(a["type"])
    else:
        nt = a["nested_type"]
        msg.nested_type.CopyFrom(pb.Schema.Object(
            attributes=[_attr_pb(n, x) for n, x in sorted(nt.get("attributes", {}).items())],
            nesting=_OBJECT_NESTING[nt.get("nesting_mode", "single")],
        ))
    return msg


def block_pb(block: dict):
    pb = _pb()
    return pb.Schema.Block(
        attributes=[_attr_pb(n, a) for n, a in sorted(block.get("attributes", {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=n,
                block=block_pb(nb["block"]),
                nesting=_BLOCK_NESTING[nb["nesting_mode"]],
                min_items=nb.get("min_items", 0),
                max_items=nb.get("max_items", 0),
            )
            for n, nb in sorted(block.get("block_types", {}).items())
        ],
        deprecated=bool(block.get("deprecated")),
    )


def schema_pb(s: dict):
    return _pb().Schema(version=s.get("version", 0), block=block_pb(s["block"]))


def _function_pb(f: dict):
    pb = _pb()

    def param(p: dict):
        return pb.Function.Parameter(name=p.get("name", ""), type=cty.type_json(p["type"]),
                                     allow_null_value=bool(p.get("is_nullable")))

    msg = pb.Function(parameters=[param(p) for p in f.get("parameters", [])],
                      summary=f.get("summary", ""))
    setattr_return = getattr(msg, "return")
    setattr_return.type = cty.type_json(f["return_type"])
    if f.get("variadic_parameter"):
        msg.variadic_parameter.CopyFrom(param(f["variadic_parameter"]))
    return msg


def provider_schema_response(s: dict):
    """The complete ``GetProviderSchema.Response``."""
    pb = _pb()
    resp = pb.GetProviderSchema.Response(
        provider=schema_pb(s["provider"]),
        server_capabilities=pb.ServerCapabilities(plan_destroy=False, get_provider_schema_optional=True),
    )
    for name, rs in s["resource_schemas"].items():
        resp.resource_schemas[name].CopyFrom(schema_pb(rs))
    for name, ds in s["data_source_schemas"].items():
        resp.data_source_schemas[name].CopyFrom(schema_pb(ds))
    for name, es in s["ephemeral_resource_schemas"].items():
        resp.ephemeral_resource_schemas[name].CopyFrom(schema_pb(es))
    for name, fn in s["functions"].items():
        resp.functions[name].CopyFrom(_function_pb(fn))
    return resp


def build_cache(schema_json: str | Path, out_dir: str | Path, address: str | None = None) -> Path:
    """Convert once: ``out_dir/schema.pb`` (the response) and ``out_dir/schema.min.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    s = load(schema_json, address)
    (out / CACHE_JSON).write_text(json.dumps(s, separators=(",", ":")))
    (out / CACHE_PB).write_bytes(provider_schema_response(s).SerializeToString())
    return out


# ---------------------------------------------------------------------------- lookups
class Schemas:
    """The stripped schemas of one provider, with the implied cty type of each block."""

    def __init__(self, s: dict) -> None:
        self.raw = s
        self.provider = s["provider"]
        self.resources: dict[str, dict] = s["resource_schemas"]
        self.data_sources: dict[str, dict] = s["data_source_schemas"]
        self.ephemeral: dict[str, dict] = s["ephemeral_resource_schemas"]
        self.functions: dict[str, dict] = s["functions"]
        self._types: dict[tuple[str, str], Any] = {}

    @classmethod
    def from_cache(cls, cache_dir: str | Path) -> Schemas:
        return cls(json.loads((Path(cache_dir) / CACHE_JSON).read_text()))

    def _implied(self, kind: str, name: str, schemas: dict[str, dict]) -> Any:
        key = (kind, name)
        if key not in self._types:
            self._types[key] = cty.block_type(schemas[name]["block"])
        return self._types[key]

    def resource_type(self, name: str) -> Any:
        return self._implied("resource", name, self.resources)

    def data_source_type(self, name: str) -> Any:
        return self._implied("data", name, self.data_sources)

    def provider_type(self) -> Any:
        return self._implied("provider", "", {"": self.provider})
