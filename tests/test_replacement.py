"""The replacement tables (compiler/schemas/providers/*.replace.json), their reader
(compiler/replacement.py) and the tool that writes them (tools/extract_force_new.py).

Fast: the committed tables are held to what mlops emits and to the pinned schema
slices, spot-checked against what the provider's documentation says, and the tool's Go
reading is checked on small fragments shaped like the provider's source. Only the last
test reads a real provider source, when an environment variable points at one
(docs/replacement.md)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from mlops import replacement
from mlops.providers import PROVIDERS

TOOLS = ROOT / "tools"
PACKAGE = TOOLS / "force_new"
SPEC = importlib.util.spec_from_file_location("force_new", PACKAGE / "__init__.py",
                                              submodule_search_locations=[str(PACKAGE)])
sys.modules["force_new"] = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(sys.modules["force_new"])

from force_new import locate  # noqa: E402
from force_new.cli import dump_json  # noqa: E402
from force_new.gopkg import Resolver  # noqa: E402
from force_new.source import Source  # noqa: E402

SCHEMAS = ROOT / "compiler" / "schemas" / "providers"
ADDRESSES = {"aws": "registry.terraform.io/hashicorp/aws", "awscc": "registry.terraform.io/hashicorp/awscc"}


def _stack_types() -> set[str]:
    types = set()
    for pattern in ("generated/*/cdk.tf.json", "modules/*/cases/*/expected/*/cdk.tf.json"):
        for stack in ROOT.glob(pattern):
            types |= set(json.loads(stack.read_text("utf-8")).get("resource", {}))
    return types


def _emitted_by_modules() -> set[str]:
    from mlops.registry import modules

    return {t for module in modules() for t in module.emits if not t.startswith("data.")}


def _arguments(block: dict, prefix: str = "") -> set[str]:
    """Argument paths of a pinned schema block, written independently of the tool's."""
    out = set()
    for name, attr in block.get("attributes", {}).items():
        if attr.get("optional") or attr.get("required"):
            out |= {prefix + name} | _arguments(attr.get("nested_type", {}), f"{prefix}{name}.")
    for name, nested in block.get("block_types", {}).items():
        out |= {prefix + name} | _arguments(nested["block"], f"{prefix}{name}.")
    return out


def _stale(tables: dict[str, dict], slices: dict[str, dict]) -> list[str]:
    """Listed arguments the pinned schema does not have, as `type.path`."""
    bad = []
    for provider, doc in tables.items():
        schemas = slices[provider]["provider_schemas"][ADDRESSES[provider]]["resource_schemas"]
        for type_, entry in doc["resources"].items():
            known = _arguments(schemas[type_]["block"]) if type_ in schemas else set()
            bad += [f"{type_}.{p}" for p in entry["forces_new"] + entry.get("conditional", []) if p not in known]
    return bad


@pytest.fixture(scope="module")
def tables() -> dict[str, dict]:
    return {p: json.loads((SCHEMAS / f"{p}.replace.json").read_text("utf-8")) for p in ADDRESSES}


@pytest.fixture(scope="module")
def slices() -> dict[str, dict]:
    return {p: json.loads((SCHEMAS / f"{p}.json").read_text("utf-8")) for p in ADDRESSES}


# --- the committed tables ----------------------------------------------------------


def test_every_emitted_type_has_an_entry() -> None:
    emitted = _stack_types() | _emitted_by_modules()
    assert emitted, "no committed stacks found"
    assert replacement.types_without_entry(emitted) == []
    # a type nobody extracted is reported, not taken for "never replaced"
    assert replacement.types_without_entry(emitted | {"aws_new_thing", "awscc_x_y"}) == ["aws_new_thing", "awscc_x_y"]
    with pytest.raises(replacement.UnknownType):
        replacement.forces_new("aws_new_thing", "name")


def test_tables_list_exactly_the_emitted_types(tables) -> None:
    emitted = _stack_types()
    for provider, doc in tables.items():
        assert set(doc["resources"]) == {t for t in emitted if t.split("_", 1)[0] == provider}


def test_every_listed_argument_is_in_the_pinned_schema(tables, slices) -> None:
    assert _stale(tables, slices) == []
    broken = json.loads(json.dumps(tables))
    broken["aws"]["resources"]["aws_s3_bucket"]["forces_new"].append("bucket_nmae")
    broken["aws"]["resources"]["aws_sagemaker_model"]["forces_new"].append("primary_container.imag")
    assert _stale(broken, slices) == ["aws_s3_bucket.bucket_nmae", "aws_sagemaker_model.primary_container.imag"]


@pytest.mark.parametrize("provider", sorted(ADDRESSES))
def test_tables_are_canonical_and_name_their_source(tables, provider) -> None:
    text = (SCHEMAS / f"{provider}.replace.json").read_text("utf-8")
    assert text == dump_json(json.loads(text))
    doc = tables[provider]
    assert doc["provider"] == ADDRESSES[provider]
    assert doc["pinned_version"] == PROVIDERS[provider]["version"]
    source = doc["source"]
    assert source["repository"] == f"hashicorp/terraform-provider-{provider}"
    assert len(source["commit"]) == 40
    assert doc["source_is_pinned_version"] == (source.get("describe") == f"v{doc['pinned_version']}")
    for entry in doc["resources"].values():
        assert entry["forces_new"] == sorted(set(entry["forces_new"]))
        assert not set(entry.get("conditional", [])) & set(entry["forces_new"])


# What the providers' documentation says, checked by a person (registry docs: "Forces new
# resource" / "Changing this forces a new resource"; CloudFormation: "Update requires:
# Replacement").
ALWAYS = [
    ("aws_s3_bucket", "bucket"),
    ("aws_s3_bucket", "region"),  # aws 6: changing `region` replaces (enhanced region support guide)
    ("aws_kms_key", "customer_master_key_spec"),
    ("aws_kms_key", "key_usage"),
    ("aws_kms_key", "multi_region"),
    ("aws_kms_alias", "name"),
    ("aws_sagemaker_endpoint", "name"),
    ("aws_iam_role", "name"),
    ("aws_iam_role", "path"),
    ("aws_sagemaker_model", "execution_role_arn"),
    ("aws_sagemaker_model", "primary_container.image"),
    ("aws_sagemaker_model", "primary_container.0.model_data_url"),
    ("aws_sagemaker_domain", "domain_name"),
    ("aws_sagemaker_domain", "vpc_id"),
    ("aws_sagemaker_domain", "auth_mode"),
    ("aws_sagemaker_model_package_group", "model_package_group_name"),
    ("aws_ecr_repository", "name"),
    ("aws_cloudwatch_log_group", "name"),
    ("aws_security_group", "description"),
    ("aws_subnet", "cidr_block"),
    ("aws_sns_topic", "name"),
    ("aws_cloudtrail", "name"),
    ("aws_sagemaker_model_card", "model_card_name"),
    ("awscc_sagemaker_model_quality_job_definition", "role_arn"),
    ("awscc_sagemaker_model_bias_job_definition", "job_definition_name"),
]
IN_PLACE = [
    ("aws_kms_key", "description"),
    ("aws_kms_key", "enable_key_rotation"),
    ("aws_kms_key", "policy"),
    ("aws_s3_bucket", "tags"),
    ("aws_s3_bucket", "force_destroy"),
    ("aws_iam_role", "assume_role_policy"),
    ("aws_iam_role", "permissions_boundary"),
    ("aws_sagemaker_endpoint", "endpoint_config_name"),
    ("aws_cloudwatch_log_group", "retention_in_days"),
    ("aws_ecr_repository", "image_tag_mutability"),
    ("aws_sns_topic", "kms_master_key_id"),
    ("aws_sagemaker_pipeline", "pipeline_definition"),
    ("aws_iam_role", "region"),  # IAM is global: no region argument at all
]


@pytest.mark.parametrize(("type_", "path"), ALWAYS)
def test_documented_replacements(type_, path) -> None:
    assert replacement.forces_new(type_, path)


@pytest.mark.parametrize(("type_", "path"), IN_PLACE)
def test_documented_in_place_updates(type_, path) -> None:
    assert not replacement.forces_new(type_, path)


def test_conditional_replacement() -> None:
    assert replacement.conditionally_forces_new("aws_vpc", "instance_tenancy")
    assert not replacement.forces_new("aws_vpc", "instance_tenancy")
    assert not replacement.conditionally_forces_new("aws_vpc", "cidr_block")


# --- the tool's reading of Go source --------------------------------------------


def _checkout(tmp_path: Path, files: dict[str, str]) -> Resolver:
    (tmp_path / "go.mod").write_text("module github.com/hashicorp/terraform-provider-aws\n")
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return Resolver(Source(tmp_path))


NAMES = 'package names\n\nconst (\n\tAttrName = "name"\n\tAttrTags = "tags"\n)\n'
SDK = '''package toy
import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/hashicorp/terraform-provider-aws/names"
)

// @SDKResource("aws_toy", name="Toy")
func resourceToy() *schema.Resource {
	return &schema.Resource{
		CustomizeDiff: toyDiff,
		SchemaFunc: func() map[string]*schema.Schema {
			return map[string]*schema.Schema{
				names.AttrName: {Type: schema.TypeString, Required: true, ForceNew: true},
				"size": {Type: schema.TypeInt, Optional: true},
				"box": {
					Type: schema.TypeList, Optional: true, ForceNew: true,
					Elem: boxSchema(),
				},
				names.AttrTags: tagsSchema,
			}
		},
	}
}

var tagsSchema = &schema.Schema{Type: schema.TypeMap, Optional: true}

func boxSchema() *schema.Resource {
	return &schema.Resource{Schema: map[string]*schema.Schema{
		"colour": {Type: schema.TypeString, Required: true, ForceNew: true},
		"label": {Type: schema.TypeString, Optional: true},
	}}
}

func toyDiff(ctx context.Context, d *schema.ResourceDiff, meta any) error {
	if d.HasChange("size") {
		return d.ForceNew("size")
	}
	return nil
}
'''
FRAMEWORK = '''package toy
import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-provider-aws/names"
)

// @FrameworkResource("aws_fw_toy", name="Toy")
func newToyResource(context.Context) (resource.ResourceWithConfigure, error) {
	r := &toyResource{}
	return r, nil
}

type toyResource struct {
	baseResource
}

func (r *baseResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			names.AttrName: schema.StringAttribute{
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"mode": schema.StringAttribute{
				Optional:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(modeChanged, "", "")},
			},
			"arn": schema.StringAttribute{Computed: true},
		},
		Blocks: map[string]schema.Block{
			"config": schema.ListNestedBlock{
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"key": schema.StringAttribute{Required: true},
					},
				},
			},
			"note": schema.SingleNestedBlock{
				Attributes: map[string]schema.Attribute{"text": schema.StringAttribute{Optional: true}},
			},
		},
	}
}
'''


def test_sdkv2_force_new_through_helpers_constants_and_variables(tmp_path) -> None:
    res = _checkout(tmp_path, {"names/names.go": NAMES, "internal/service/toy/toy.go": SDK})
    where = locate.index(res, {"aws_toy"})
    assert where == {"aws_toy": ("sdk", "internal/service/toy", "resourceToy")}
    found = locate.read(res, where["aws_toy"])
    assert found.arguments == {"name", "size", "box", "box.colour", "box.label", "tags"}
    assert found.force_new == {"name", "box", "box.colour"}
    assert found.conditional == {"size"}
    assert found.unresolved == set()


def test_framework_requires_replace_covers_nested_content(tmp_path) -> None:
    res = _checkout(tmp_path, {"names/names.go": NAMES, "internal/service/toy/toy.go": FRAMEWORK})
    where = locate.index(res, {"aws_fw_toy"})
    found = locate.read(res, where["aws_fw_toy"])
    assert found.arguments == {"name", "mode", "config", "config.key", "note", "note.text"}
    assert found.force_new == {"name", "config", "config.key"}
    assert found.conditional == {"mode"}


def test_a_type_the_source_lacks_stops_the_tool(tmp_path) -> None:
    from force_new.source import SourceError
    from force_new.table import build

    _checkout(tmp_path, {"names/names.go": NAMES, "internal/service/toy/toy.go": SDK})
    with pytest.raises(SourceError, match="not defined in this source: aws_"):
        build(Source(tmp_path), "aws", PROVIDERS["aws"]["version"])


# --- the committed tables against their source -------------------------------------


@pytest.mark.parametrize("provider", sorted(ADDRESSES))
def test_committed_table_equals_a_fresh_extraction(provider) -> None:
    source = os.environ.get(f"MLOPS_{provider.upper()}_PROVIDER_SOURCE")
    if not source:
        pytest.skip(f"set MLOPS_{provider.upper()}_PROVIDER_SOURCE to a {provider} provider checkout or git "
                    "directory (docs/replacement.md) to compare the table with its source")
    command = [sys.executable, str(TOOLS / "extract_force_new.py"), "--source", source, "--check"]
    overlay = os.environ.get(f"MLOPS_{provider.upper()}_PROVIDER_OVERLAY")
    if overlay:
        command += ["--overlay", overlay]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
