"""tools/extract_provider_schema.py and the provider-schema slices it commits.

Fast: the committed slices are checked against facts of the real providers, and the
extractor's parsing and decisions are checked on small hand-made fragments shaped like
the generator's output. Only the last test re-runs the real extraction (a few seconds),
and only when the provider wheels are already on this machine."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "tools" / "provider_schema"
SPEC = importlib.util.spec_from_file_location("provider_schema", PACKAGE / "__init__.py",
                                              submodule_search_locations=[str(PACKAGE)])
sys.modules["provider_schema"] = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(sys.modules["provider_schema"])

from provider_schema import pin  # noqa: E402
from provider_schema.cli import main  # noqa: E402
from provider_schema.dts import parse_dts  # noqa: E402
from provider_schema.extract import extract, read_types_file  # noqa: E402
from provider_schema.model import Module  # noqa: E402
from provider_schema.output import dump_json  # noqa: E402
from provider_schema.rules import RESOURCE_META_ARGUMENTS  # noqa: E402
from provider_schema.shapes import normalize_value, parse_mapper  # noqa: E402
from provider_schema.tarball import read_package  # noqa: E402
from provider_schema.wheels import find_local_wheel, wheel_search_dirs  # noqa: E402

SCHEMAS = ROOT / "compiler" / "schemas" / "providers"
AWS = "registry.terraform.io/hashicorp/aws"
AWSCC = "registry.terraform.io/hashicorp/awscc"


def _load(name: str) -> tuple[dict, dict]:
    doc = json.loads((SCHEMAS / f"{name}.json").read_text("utf-8"))
    resolutions = json.loads((SCHEMAS / f"{name}.resolutions.json").read_text("utf-8"))
    return doc, resolutions


@pytest.fixture(scope="module")
def aws() -> dict:
    return _load("aws")[0]["provider_schemas"][AWS]


@pytest.fixture(scope="module")
def aws_resolutions() -> dict:
    return _load("aws")[1]


def _bare(spec: dict) -> dict:
    """An attribute without its description."""
    return {k: v for k, v in spec.items() if k != "description"}


def _cases(resolutions: dict, kind: str) -> dict[str, dict]:
    return {c["path"]: c for c in resolutions["cases"] if c["kind"] == kind}


# --- the committed slices -------------------------------------------------------


@pytest.mark.parametrize("name", ["aws", "awscc"])
def test_slice_files_are_canonical_and_cover_the_types_file(name: str) -> None:
    for suffix in (".json", ".resolutions.json"):
        text = (SCHEMAS / f"{name}{suffix}").read_text("utf-8")
        assert text == dump_json(json.loads(text)), f"{name}{suffix} is not sorted/indent-1/newline-terminated"
    doc, resolutions = _load(name)
    assert doc["format_version"] == "1.0"
    [(address, provider)] = doc["provider_schemas"].items()
    assert address == resolutions["provider"]
    assert set(provider) == {"provider", "resource_schemas", "data_source_schemas"}
    wanted = read_types_file(SCHEMAS / f"{name}.types")
    got = {("resource", t) for t in provider["resource_schemas"]} | {("data", t) for t in provider["data_source_schemas"]}
    assert got == set(wanted)
    assert resolutions["missing_types"] == []
    assert set(resolutions["counts"]) <= set(resolutions["rules"])


def test_aws_slice_is_the_version_compiler_pins() -> None:
    from mlops.providers import PROVIDERS

    _, resolutions = _load("aws")
    assert resolutions["provider"].endswith(PROVIDERS["aws"]["source"])
    assert resolutions["provider_version"] == PROVIDERS["aws"]["version"]
    assert (resolutions["python_package"], resolutions["package_version"]) == ("cdktn-provider-aws", "25.8.1")


def test_no_meta_arguments_in_any_schema(aws) -> None:
    for kind in ("resource_schemas", "data_source_schemas"):
        for type_, schema in aws[kind].items():
            names = set(schema["block"].get("attributes", {})) | set(schema["block"].get("block_types", {}))
            assert not names & RESOURCE_META_ARGUMENTS, type_
    assert "alias" not in aws["provider"]["block"]["attributes"]


def test_s3_bucket(aws) -> None:
    block = aws["resource_schemas"]["aws_s3_bucket"]["block"]
    assert _bare(block["attributes"]["bucket"]) == {"type": "string", "optional": True, "computed": True}
    assert _bare(block["attributes"]["arn"]) == {"type": "string", "computed": True}
    assert _bare(block["attributes"]["id"]) == {"type": "string", "optional": True, "computed": True}
    assert _bare(block["attributes"]["tags"]) == {"type": ["map", "string"], "optional": True}
    lifecycle_rule = block["block_types"]["lifecycle_rule"]
    assert lifecycle_rule["nesting_mode"] == "list" and "max_items" not in lifecycle_rule
    assert _bare(lifecycle_rule["block"]["attributes"]["enabled"]) == {"type": "bool", "required": True}
    assert block["block_types"]["versioning"]["max_items"] == 1  # single-item OutputReference
    assert block["block_types"]["grant"]["nesting_mode"] == "set"
    assert block["block_types"]["timeouts"]["nesting_mode"] == "single"


def test_kms_key(aws) -> None:
    attributes = aws["resource_schemas"]["aws_kms_key"]["block"]["attributes"]
    assert _bare(attributes["enable_key_rotation"]) == {"type": "bool", "optional": True}
    assert _bare(attributes["deletion_window_in_days"]) == {"type": "number", "optional": True}
    assert _bare(attributes["key_id"]) == {"type": "string", "computed": True}


def test_iam_policy_document(aws) -> None:
    block = aws["data_source_schemas"]["aws_iam_policy_document"]["block"]
    assert _bare(block["attributes"]["json"]) == {"type": "string", "computed": True}
    statement = block["block_types"]["statement"]
    assert statement["nesting_mode"] == "list"
    inner = statement["block"]
    assert _bare(inner["attributes"]["actions"]) == {"type": ["set", "string"], "optional": True}
    assert inner["block_types"]["principals"]["nesting_mode"] == "set"
    assert inner["block_types"]["principals"]["block"]["attributes"]["identifiers"]["required"] is True
    condition = inner["block_types"]["condition"]
    assert condition["nesting_mode"] == "set"
    assert {k for k, v in condition["block"]["attributes"].items() if v.get("required")} == {"test", "values", "variable"}


def test_route_table_route_is_an_attribute_of_object_set(aws, aws_resolutions) -> None:
    route = aws["resource_schemas"]["aws_route_table"]["block"]["attributes"]["route"]
    assert route["optional"] and route["computed"]
    kind, (obj, fields) = route["type"]
    assert (kind, obj) == ("set", "object")
    assert fields["cidr_block"] == "string" and fields["gateway_id"] == "string"
    assert "route" not in aws["resource_schemas"]["aws_route_table"]["block"].get("block_types", {})
    case = _cases(aws_resolutions, "nested_type_or_object")["aws_route_table.route"]
    assert case["chosen"] == "object"
    assert aws_resolutions["nested_type_evidence"]["count"] == 0  # hashicorp/aws speaks protocol 5


def test_network_requirements(aws) -> None:
    resources = aws["resource_schemas"]
    assert _bare(resources["aws_subnet"]["block"]["attributes"]["vpc_id"]) == {"type": "string", "required": True}
    endpoint = resources["aws_vpc_endpoint"]["block"]["attributes"]
    assert endpoint["vpc_id"]["required"] is True
    # 6.x: exactly one of service_name / service_network_arn / resource_configuration_arn
    assert _bare(endpoint["service_name"]) == {"type": "string", "optional": True}
    assert resources["aws_security_group"]["block"]["attributes"]["ingress"]["type"][0] == "set"


def test_required_blocks_carry_min_items(aws, aws_resolutions) -> None:
    codebuild = aws["resource_schemas"]["aws_codebuild_project"]["block"]["block_types"]
    assert codebuild["artifacts"] == {**codebuild["artifacts"], "min_items": 1, "max_items": 1}
    lower_bounds = _cases(aws_resolutions, "block_min_items_lower_bound")
    unknown_max = _cases(aws_resolutions, "block_max_items_unknown")

    def walk(block: dict, path: str) -> None:
        for name, spec in block.get("block_types", {}).items():
            here = f"{path}.{name}"
            if spec.get("min_items"):
                assert here in lower_bounds, here
            if spec["nesting_mode"] in ("list", "set") and "max_items" not in spec and not path.startswith("provider"):
                assert here in unknown_max, here
            walk(spec["block"], here)

    for type_, schema in aws["resource_schemas"].items():
        walk(schema["block"], type_)


def test_provider_block(aws, aws_resolutions) -> None:
    block = aws["provider"]["block"]
    assert _bare(block["attributes"]["region"]) == {"type": "string", "optional": True}
    assert _bare(block["attributes"]["allowed_account_ids"]) == {"type": ["set", "string"], "optional": True}
    for name in ("assume_role", "default_tags"):
        assert block["block_types"][name]["nesting_mode"] == "list"
        assert "max_items" not in block["block_types"][name]
        assert f"provider.aws.{name}" in _cases(aws_resolutions, "provider_block_shape")
    assert block["block_types"]["default_tags"]["block"]["attributes"]["tags"]["type"] == ["map", "string"]


def test_awscc_nested_attributes() -> None:
    doc, resolutions = _load("awscc")
    provider = doc["provider_schemas"][AWSCC]
    assert resolutions["nested_type_evidence"]["count"] > 0
    attributes = provider["resource_schemas"]["awscc_sagemaker_model_quality_job_definition"]["block"]["attributes"]
    resources = attributes["job_resources"]
    assert resources["required"] is True and resources["nested_type"]["nesting_mode"] == "single"
    cluster = resources["nested_type"]["attributes"]["cluster_config"]
    assert _bare(cluster["nested_type"]["attributes"]["instance_count"]) == {"type": "number", "required": True}
    assert cluster["type"][0] == "object"  # every attribute also has a cty type
    assert _bare(attributes["id"]) == {"type": "string", "computed": True}


# --- the extractor on hand-made fragments ----------------------------------------

RESOURCE_JS = '''\
"use strict";
const cdktn = __importStar(require("cdktn"));
function toyThingRouteToTerraform(struct) {
    return {
        cidr_block: struct.cidrBlock === undefined ? null : cdktn.stringToTerraform(struct.cidrBlock),
        gateway_id: struct.gatewayId === undefined ? null : cdktn.stringToTerraform(struct.gatewayId),
    };
}
function toyThingRouteToHclTerraform(struct) {
    const attrs = {
        cidr_block: {
            value: struct.cidrBlock === undefined ? null : cdktn.stringToHclTerraform(struct.cidrBlock),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
        gateway_id: {
            value: cdktn.stringToHclTerraform(struct.gatewayId),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
}
class ToyThingRouteOutputReference extends cdktn.ComplexObject {
    // cidr_block - computed: true, optional: true, required: false
    _cidrBlock;
    get cidrBlock() {
        return this.getStringAttribute('cidr_block');
    }
    // gateway_id - computed: true, optional: true, required: false
    _gatewayId;
    get gatewayId() {
        return this.getStringAttribute('gateway_id');
    }
}
class ToyThingRouteList extends cdktn.ComplexList {
}
function toyThingRuleToHclTerraform(struct) {
    const attrs = {
        value: {
            value: cdktn.listMapperHcl(cdktn.listMapperHcl(cdktn.numberToHclTerraform, false), false)(struct.value),
            isBlock: false,
            type: "set",
            storageClassType: "numberListList",
        },
        logging: {
            value: toyThingRuleLoggingToHclTerraform(struct.logging),
            isBlock: true,
            type: "list",
            storageClassType: "ToyThingRuleLoggingList",
        },
    };
}
class ToyThingRuleOutputReference extends cdktn.ComplexObject {
    // value - computed: false, optional: false, required: true
    _value;
    // logging - computed: false, optional: true, required: false
    _logging = new ToyThingRuleLoggingOutputReference(this, "logging");
}
function toyThingRuleLoggingToHclTerraform(struct) {
    const attrs = {
        bucket: {
            value: cdktn.stringToHclTerraform(struct.bucket),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
}
class ToyThingRuleLoggingOutputReference extends cdktn.ComplexObject {
    // bucket - computed: false, optional: false, required: true
    _bucket;
}
function toyThingTimeoutsToHclTerraform(struct) {
    const attrs = {
        create: {
            value: cdktn.stringToHclTerraform(struct.create),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
}
class ToyThingTimeoutsOutputReference extends cdktn.ComplexObject {
    // create - computed: false, optional: true, required: false
    _create;
}
/**
* Represents a {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs/resources/thing toy_thing}
*/
class ToyThing extends cdktn.TerraformResource {
    // =================
    // STATIC PROPERTIES
    // =================
    static tfResourceType = "toy_thing";
    // ==========
    // ATTRIBUTES
    // ==========
    // arn - computed: true, optional: false, required: false
    get arn() {
        return this.getStringAttribute('arn');
    }
    // id - computed: true, optional: true, required: false
    _id;
    get id() {
        return this.getStringAttribute('id');
    }
    // name - computed: false, optional: false, required: true
    _name;
    get name() {
        return this.getStringAttribute('name');
    }
    // ports - computed: true, optional: false, required: false
    get ports() {
        return cdktn.Fn.tolist(this.getListAttribute('ports'));
    }
    // route - computed: true, optional: true, required: false
    _route = new ToyThingRouteList(this, "route", true);
    get route() {
        return this._route;
    }
    // secret_wo - computed: false, optional: true, required: false
    _secretWo;
    // tags - computed: false, optional: true, required: false
    _tags;
    // rule - computed: false, optional: false, required: true
    _rule = new ToyThingRuleList(this, "rule", false);
    // timeouts - computed: false, optional: true, required: false
    _timeouts = new ToyThingTimeoutsOutputReference(this, "timeouts");
    // =========
    // SYNTHESIS
    // =========
    synthesizeAttributes() {
        return {
            id: cdktn.stringToTerraform(this._id),
            name: cdktn.stringToTerraform(this._name),
            secret_wo: this.markWriteOnlyAttribute(cdktn.stringToTerraform(this._secretWo)),
        };
    }
    synthesizeHclAttributes() {
        const attrs = {
            id: {
                value: cdktn.stringToHclTerraform(this._id),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            name: {
                value: cdktn.stringToHclTerraform(this._name),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            route: {
                value: cdktn.listMapperHcl(toyThingRouteToHclTerraform, false)(this._route.internalValue),
                isBlock: true,
                type: "set",
                storageClassType: "ToyThingRouteList",
            },
            secret_wo: {
                value: this.markWriteOnlyAttribute(cdktn.stringToHclTerraform(this._secretWo)),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            tags: {
                value: cdktn.hashMapperHcl(cdktn.stringToHclTerraform)(this._tags),
                isBlock: false,
                type: "map",
                storageClassType: "stringMap",
            },
            rule: {
                value: cdktn.listMapperHcl(toyThingRuleToHclTerraform, true)(this._rule.internalValue),
                isBlock: true,
                type: "list",
                storageClassType: "ToyThingRuleList",
            },
            timeouts: {
                value: toyThingTimeoutsToHclTerraform(this._timeouts.internalValue),
                isBlock: true,
                type: "struct",
                storageClassType: "ToyThingTimeouts",
            },
        };
    }
}
exports.ToyThing = ToyThing;
'''

RESOURCE_DTS = '''\
export interface ToyThingConfig extends cdktn.TerraformMetaArguments {
    /**
    * The thing's name.
    * Must be unique.
    *
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs/resources/thing#name ToyThing#name}
    */
    readonly name: string;
    /**
    * rule block
    *
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs/resources/thing#rule ToyThing#rule}
    */
    readonly rule: ToyThingRule[] | cdktn.IResolvable;
}
'''

NESTED_JS = '''\
function toyJobSpecToHclTerraform(struct) {
    const attrs = {
        image: {
            value: cdktn.stringToHclTerraform(struct.image),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
        args: {
            value: cdktn.listMapperHcl(cdktn.stringToHclTerraform, false)(struct.args),
            isBlock: false,
            type: "list",
            storageClassType: "stringList",
        },
    };
}
class ToyJobSpecOutputReference extends cdktn.ComplexObject {
    // args - computed: true, optional: true, required: false
    _args;
    // image - computed: false, optional: false, required: true
    _image;
}
/**
* Represents a {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs/data-sources/job toy_job}
*/
class DataToyJob extends cdktn.TerraformDataSource {
    static tfResourceType = "toy_job";
    // id - computed: true, optional: false, required: false
    get id() {
        return this.getStringAttribute('id');
    }
    // spec - computed: false, optional: false, required: true
    _spec = new ToyJobSpecOutputReference(this, "spec");
    synthesizeHclAttributes() {
        const attrs = {
            spec: {
                value: toyJobSpecToHclTerraform(this._spec.internalValue),
                isBlock: true,
                type: "struct",
                storageClassType: "ToyJobSpec",
            },
        };
    }
}
'''

PROVIDER_JS = '''\
function toyProviderAssumeRoleToHclTerraform(struct) {
    const attrs = {
        role_arn: {
            value: cdktn.stringToHclTerraform(struct.roleArn),
            isBlock: false,
            type: "simple",
            storageClassType: "string",
        },
    };
}
/**
* Represents a {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs toy}
*/
class ToyProvider extends cdktn.TerraformProvider {
    static tfResourceType = "toy";
    constructor(scope, id, config = {}) {
        super(scope, id, {
            terraformResourceType: 'toy',
            terraformGeneratorMetadata: {
                providerName: 'toy',
                providerVersion: '1.2.3',
            },
            terraformProviderSource: 'example/toy'
        });
    }
    // region - computed: false, optional: true, required: false
    _region;
    get region() {
        return this._region;
    }
    // alias - computed: false, optional: true, required: false
    _alias;
    // assume_role - computed: false, optional: true, required: false
    _assumeRole;
    synthesizeHclAttributes() {
        const attrs = {
            region: {
                value: cdktn.stringToHclTerraform(this._region),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            alias: {
                value: cdktn.stringToHclTerraform(this._alias),
                isBlock: false,
                type: "simple",
                storageClassType: "string",
            },
            assume_role: {
                value: cdktn.listMapperHcl(toyProviderAssumeRoleToHclTerraform, true)(this._assumeRole),
                isBlock: true,
                type: "list",
                storageClassType: "ToyProviderAssumeRoleList",
            },
        };
    }
}
'''

PROVIDER_DTS = '''\
export interface ToyProviderAssumeRole {
    /**
    * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/example/toy/1.2.3/docs#role_arn ToyProvider#role_arn}
    */
    readonly roleArn: string;
}
'''

TYPES = {
    "thing": ("resource", "toy_thing", RESOURCE_JS, RESOURCE_DTS),
    "data-toy-job": ("data", "toy_job", NESTED_JS, ""),
    "provider": ("provider", "toy", PROVIDER_JS, PROVIDER_DTS),
    "unrelated": ("resource", "toy_other", RESOURCE_JS.replace('"toy_thing"', '"toy_other"'), ""),
}


def _tarball(path: Path) -> Path:
    """A jsii tarball with the toy provider, laid out like the real ones."""
    with tarfile.open(path, "w:gz") as tar:
        def add(name: str, text: str) -> None:
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        add(".jsii", "{}")
        add("package.json", json.dumps({"name": "@toy/provider-toy", "version": "9.9.9",
                                        "jsii": {"targets": {"python": {"distName": "toy-provider"}}}}))
        for lib_dir, (_, _, js, dts) in TYPES.items():
            add(f"lib/{lib_dir}/index-structs/index.js", "")  # arrives before index.js, as in the real tarball
            add(f"lib/{lib_dir}/index.js", js)
        for lib_dir, (_, _, _, dts) in TYPES.items():
            add(f"lib/{lib_dir}/index.d.ts", dts)
    return path


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> tuple[dict, dict]:
    tgz = _tarball(tmp_path_factory.mktemp("toy") / "provider-toy@9.9.9.jsii.tgz")
    package = read_package(tgz, {("resource", "toy_thing"), ("data", "toy_job")})
    assert set(package.modules) == {"thing", "data-toy-job", "provider"}  # toy_other is skipped unread
    doc, resolutions = extract(package, [("resource", "toy_thing"), ("data", "toy_job"), ("resource", "toy_gone")])
    return doc["provider_schemas"]["registry.terraform.io/example/toy"], resolutions


def test_parse_mapper() -> None:
    assert parse_mapper("cdktn.stringToHclTerraform(this._x)")[0] == ("prim", "string")
    assert parse_mapper("cdktn.listMapperHcl(fooBarToHclTerraform, true)(x)")[0] == ("list", ("struct", "fooBar"), True)
    assert parse_mapper("cdktn.hashMapper(cdktn.listMapper(cdktn.numberToTerraform, false))(x)")[0] == (
        "map", ("list", ("prim", "number"), False))
    assert parse_mapper("(0, structs400_1.fooToHclTerraform)(x)")[0] == ("struct", "foo")
    assert normalize_value("this.markWriteOnlyAttribute(cdktn.stringToHclTerraform(this._p))") == (
        "cdktn.stringToHclTerraform(this._p))", True)


def test_parse_dts_descriptions_and_block_markers() -> None:
    module = Module()
    parse_dts(RESOURCE_DTS, module)
    props = module.interfaces["ToyThingConfig"]
    assert props["name"].description == "The thing's name.\nMust be unique."
    assert not props["name"].optional
    assert props["rule"].is_block and props["rule"].description is None


def test_toy_resource_attributes(toy, tmp_path) -> None:
    provider, _ = toy
    block = provider["resource_schemas"]["toy_thing"]["block"]
    attributes = block["attributes"]
    assert attributes["arn"] == {"type": "string", "computed": True}
    assert attributes["id"] == {"type": "string", "optional": True, "computed": True}
    assert attributes["name"] == {"type": "string", "required": True, "description": "The thing's name.\nMust be unique."}
    assert attributes["ports"] == {"type": ["set", "string"], "computed": True}  # Fn.tolist getter: a set
    assert attributes["secret_wo"] == {"type": "string", "optional": True, "write_only": True}
    assert attributes["tags"] == {"type": ["map", "string"], "optional": True}
    # listMapperHcl(fn, false): an attribute, not a block. Its fields carry exactly the parent's
    # flags, so it is a cty object unless the provider has proven nested attributes -- which
    # toy_job's spec does when both are extracted.
    route = {"type": ["set", ["object", {"cidr_block": "string", "gateway_id": "string"}]],
             "optional": True, "computed": True}
    assert {k: v for k, v in attributes["route"].items() if k != "nested_type"} == route
    assert attributes["route"]["nested_type"]["nesting_mode"] == "set"
    package = read_package(_tarball(tmp_path / "toy.jsii.tgz"), {("resource", "toy_thing")})
    alone, resolutions = extract(package, [("resource", "toy_thing")])
    assert alone["provider_schemas"]["registry.terraform.io/example/toy"]["resource_schemas"]["toy_thing"][
        "block"]["attributes"]["route"] == route
    assert resolutions["nested_type_evidence"]["count"] == 0


def test_toy_resource_blocks(toy) -> None:
    provider, resolutions = toy
    blocks = provider["resource_schemas"]["toy_thing"]["block"]["block_types"]
    rule = blocks["rule"]
    assert (rule["nesting_mode"], rule["min_items"], "max_items" in rule) == ("list", 1, False)
    assert rule["block"]["attributes"]["value"] == {"type": ["set", ["list", "number"]], "required": True}
    logging = rule["block"]["block_types"]["logging"]
    assert (logging["nesting_mode"], logging["max_items"]) == ("list", 1)  # single-item block
    assert blocks["timeouts"]["nesting_mode"] == "single"
    kinds = {(c["kind"], c["path"]) for c in resolutions["cases"]}
    assert ("block_max_items_unknown", "toy_thing.rule") in kinds
    assert ("block_min_items_lower_bound", "toy_thing.rule") in kinds
    assert ("inner_collection_kind", "toy_thing.rule.value") in kinds
    assert ("nested_type_or_object", "toy_thing.route") in kinds
    # member order (attributes sorted, then blocks sorted: ...tags, rule, timeouts) settles timeouts
    assert ("struct_block_or_attribute", "toy_thing.timeouts") not in kinds


def test_toy_nested_attribute_and_missing_type(toy) -> None:
    provider, resolutions = toy
    spec = provider["data_source_schemas"]["toy_job"]["block"]["attributes"]["spec"]
    # fields with their own flags prove a plugin-framework nested attribute
    assert spec["required"] is True
    assert spec["nested_type"] == {"nesting_mode": "single", "attributes": {
        "args": {"type": ["list", "string"], "optional": True, "computed": True},
        "image": {"type": "string", "required": True}}}
    assert spec["type"] == ["object", {"args": ["list", "string"], "image": "string"}]
    assert resolutions["nested_type_evidence"]["count"] == 1
    # order cannot place 'spec' (last member, no block after it); a required single block would
    # need all-required fields, so it is an attribute -- and the choice is recorded
    [case] = [c for c in resolutions["cases"] if c["path"] == "data.toy_job.spec"]
    assert (case["kind"], case["chosen"]) == ("struct_block_or_attribute", "attribute")
    assert resolutions["missing_types"] == ["toy_gone"]


def test_toy_provider(toy) -> None:
    provider, resolutions = toy
    block = provider["provider"]["block"]
    assert block["attributes"] == {"region": {"type": "string", "optional": True}}  # alias dropped
    assume_role = block["block_types"]["assume_role"]
    assert assume_role["block"]["attributes"]["role_arn"] == {"type": "string", "required": True}
    kinds = {c["kind"] for c in resolutions["cases"]}
    assert {"provider_block_shape", "provider_nested_flags", "meta_argument_excluded"} <= kinds
    assert (resolutions["provider_version"], resolutions["python_package"]) == ("1.2.3", "toy-provider")


def test_cli_writes_then_checks(tmp_path) -> None:
    tgz = _tarball(tmp_path / "toy.jsii.tgz")
    types = tmp_path / "toy.types"
    types.write_text("# comment\ntoy_thing\ndata.toy_job   # trailing comment\n")
    out = tmp_path / "out" / "toy.json"
    args = ["--wheel", str(tgz), "--types", str(types), "--out", str(out)]
    assert main(args) == 0
    assert json.loads(out.read_text())["provider_schemas"]["registry.terraform.io/example/toy"]["resource_schemas"]
    assert (tmp_path / "out" / "toy.resolutions.json").exists()
    assert main(args + ["--check"]) == 0
    out.write_text(out.read_text().replace('"required"', '"optional"'))
    assert main(args + ["--check"]) == 1


def test_cli_refuses_a_version_other_than_the_pin(tmp_path, monkeypatch) -> None:
    pins = tmp_path / "providers.py"
    pins.write_text('PROVIDERS: dict = {"toy": {"source": "example/toy", "version": "1.0.0"}}\n')
    monkeypatch.setattr(pin, "PROVIDERS_PY", pins)
    assert pin.pinned_version("toy") == "1.0.0"
    types = tmp_path / "toy.types"
    types.write_text("toy_thing\n")
    args = ["--wheel", str(_tarball(tmp_path / "toy.jsii.tgz")), "--types", str(types), "--out", str(tmp_path / "toy.json")]
    assert main(args) == 2 and not (tmp_path / "toy.json").exists()
    assert main(args + ["--no-pin-check"]) == 0


def test_read_types_file(tmp_path) -> None:
    path = tmp_path / "x.types"
    path.write_text("aws_vpc\n\n# note\ndata.aws_region  # why\n")
    assert read_types_file(path) == [("resource", "aws_vpc"), ("data", "aws_region")]


# --- the real extraction, when the wheels are here -------------------------------


@pytest.mark.parametrize("name", ["aws", "awscc"])
def test_committed_slice_matches_a_fresh_extraction(name: str) -> None:
    _, resolutions = _load(name)
    wheel = find_local_wheel(resolutions["python_package"], resolutions["package_version"], wheel_search_dirs())
    if wheel is None:
        pytest.skip(f"{resolutions['python_package']} {resolutions['package_version']} wheel not found in "
                    f"{[str(d) for d in wheel_search_dirs()]} (set MLOPS_PROVIDER_WHEELS or run the tool with --package)")
    assert main(["--wheel", str(wheel), "--types", str(SCHEMAS / f"{name}.types"), "--check"]) == 0
