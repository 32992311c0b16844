"""The provider-schema check: deliberately broken resources, each with its message.

Runs against the pinned `hashicorp/aws` slice in compiler/schemas/providers/, the same
schema `mlops compile` uses, so a message here is what a module author would see."""

from __future__ import annotations

import copy
import json

import pytest

from golden import GENERATED_STACKS, load_stack
from mlops import registry
from mlops.conformance import Origin, check, pinned

GOOD = {
    "provider": {"aws": [{"region": "eu-west-1", "allowed_account_ids": ["111111111111"],
                          "default_tags": [{"tags": {"Project": "demo"}}]}]},
    "resource": {
        "aws_kms_key": {"platform": {"enable_key_rotation": True, "deletion_window_in_days": 30,
                                     "lifecycle": {"prevent_destroy": True}}},
        "aws_vpc": {"main": {"cidr_block": "10.20.0.0/16"}},
        "aws_subnet": {"private_a": {"vpc_id": "${aws_vpc.main.id}", "cidr_block": "10.20.0.0/20"}},
        "aws_s3_bucket": {"data_raw": {"bucket": "demo-raw"}},
        "aws_s3_bucket_versioning": {"data_raw": {"bucket": "${aws_s3_bucket.data_raw.id}",
                                                  "versioning_configuration": [{"status": "Enabled"}]}},
        "aws_s3_bucket_server_side_encryption_configuration": {"data_raw": {
            "bucket": "${aws_s3_bucket.data_raw.id}",
            "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms",
                                                                   "kms_master_key_id": "${aws_kms_key.platform.arn}"}]}]}},
    },
    "data": {"aws_iam_policy_document": {"key": {"statement": [{"actions": ["kms:Decrypt"], "resources": ["*"]}]}}},
    "output": {"vpc": {"value": "${aws_vpc.main.id}"}},
}
ORIGINS = {"aws_s3_bucket.data_raw": Origin("data", ("data", "buckets", "raw"))}


def _errors(mutate) -> list[str]:
    stack = copy.deepcopy(GOOD)
    mutate(stack)
    return [e.message for e in check(stack, ORIGINS, pinned())]


def test_a_conforming_stack_has_no_errors() -> None:
    assert _errors(lambda s: None) == []


def test_escaped_template_sequences_are_literal_text() -> None:
    assert _errors(_set("resource", "aws_s3_bucket", "data_raw", "bucket", "x-$${BUCKET_SUFFIX}")) == []


def _set(*path_and_value):
    *path, value = path_and_value

    def mutate(stack):
        node = stack
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _drop(*path):
    def mutate(stack):
        node = stack
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


CASES = [
    ("misspelt attribute", _set("resource", "aws_s3_bucket", "data_raw", "bukcet", "x"),
     "module data: aws_s3_bucket.data_raw: unknown attribute or block 'bukcet'"),
    ("missing required argument", _drop("resource", "aws_subnet", "private_a", "vpc_id"),
     "module compiler: aws_subnet.private_a: missing required argument 'vpc_id'"),
    ("wrong type", _set("resource", "aws_kms_key", "platform", "enable_key_rotation", "yes"),
     "module compiler: aws_kms_key.platform: 'enable_key_rotation' must be a boolean, got a string"),
    ("block written as a scalar", _set("resource", "aws_s3_bucket_versioning", "data_raw", "versioning_configuration", "Enabled"),
     "module compiler: aws_s3_bucket_versioning.data_raw: 'versioning_configuration' is a list block: write a list of objects, got a string"),
    ("too many blocks", _set("resource", "aws_s3_bucket_versioning", "data_raw", "versioning_configuration",
                             [{"status": "Enabled"}, {"status": "Suspended"}]),
     "module compiler: aws_s3_bucket_versioning.data_raw: 'versioning_configuration' allows at most 1 block(s), got 2"),
    ("nested unknown attribute",
     _set("resource", "aws_s3_bucket_server_side_encryption_configuration", "data_raw", "rule", [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_key": "k"}]}]),
     "module compiler: aws_s3_bucket_server_side_encryption_configuration.data_raw: unknown attribute or block 'rule[0].apply_server_side_encryption_by_default[0].kms_key'"),
    ("computed attribute set", _set("resource", "aws_s3_bucket", "data_raw", "arn", "arn:aws:s3:::x"),
     "module data: aws_s3_bucket.data_raw: 'arn' is read-only (computed by the provider)"),
    ("reference to a resource never emitted", _set("resource", "aws_s3_bucket_versioning", "data_raw", "bucket", "${aws_s3_bucket.data_rwa.id}"),
     "module compiler: aws_s3_bucket_versioning.data_raw: refers to aws_s3_bucket.data_rwa, which this stack does not emit"),
    ("reference to an attribute that does not exist", _set("resource", "aws_subnet", "private_a", "vpc_id", "${aws_vpc.main.vpc_id}"),
     "module compiler: aws_subnet.private_a: refers to aws_vpc.main.vpc_id, but aws_vpc has no attribute 'vpc_id'"),
    ("unknown resource type", _set("resource", "aws_s3_buckit", {"x": {}}),
     "module compiler: aws_s3_buckit.x: resource type 'aws_s3_buckit' is not in the pinned provider schemas"),
    ("bad lifecycle", _set("resource", "aws_kms_key", "platform", "lifecycle", {"prevent_destroyy": True}),
     "module compiler: aws_kms_key.platform: lifecycle: unknown setting 'prevent_destroyy'"),
    ("unknown provider setting", _set("provider", "aws", [{"regoin": "eu-west-1"}]),
     "compiler: provider aws: unknown attribute or block 'regoin'"),
    ("shell variable read as a Terraform template", _set("resource", "aws_s3_bucket", "data_raw", "bucket", "x-${BUCKET_SUFFIX}"),
     "module data: aws_s3_bucket.data_raw: '${BUCKET_SUFFIX}' is not a reference Terraform can resolve"),
    ("output refers to nothing", _set("output", "vpc", {"value": "${aws_vpc.other.id}"}),
     "output vpc: refers to aws_vpc.other, which this stack does not emit"),
]


@pytest.mark.parametrize("mutate,message", [(m, msg) for _, m, msg in CASES], ids=[c[0] for c in CASES])
def test_broken_resource(mutate, message) -> None:
    assert message in _errors(mutate)


def test_errors_carry_the_spec_path_and_a_hint() -> None:
    stack = copy.deepcopy(GOOD)
    stack["resource"]["aws_s3_bucket"]["data_raw"]["bukcet"] = "x"
    [error] = check(stack, ORIGINS, pinned())
    assert error.path == ("data", "buckets", "raw")
    assert error.hint == "did you mean 'bucket'?"


def test_every_type_a_module_can_emit_is_pinned() -> None:
    schemas = pinned()
    for module in registry.modules():
        assert module.emits, f"module {module.name} declares no resource types"
        for kind in sorted(module.emits):
            if kind.startswith("data."):
                assert kind[5:] in schemas.data_sources, f"{module.name}: {kind}"
            else:
                assert kind in schemas.resources, f"{module.name}: {kind}"


def test_generated_stacks_conform() -> None:
    for path in GENERATED_STACKS:
        assert check(load_stack(path), {}, pinned()) == [], path


def test_awscc_nested_attributes_are_checked_field_by_field() -> None:
    definition = {
        "job_definition_name": "x", "role_arn": "arn:aws:iam::111111111111:role/r",
        "model_quality_app_specification": {"image_uri": "i"},  # problem_type is required
        "model_quality_job_input": {"ground_truth_s3_input": {"s3_uri": "s3://b/t/"}},
        "model_quality_job_output_config": {"monitoring_outputs": [{"s3_output": {"local_path": "/o", "s3_uri": "s3://b/o"}}]},
        "job_resources": {"cluster_config": {"instance_count": 1, "instance_type": "ml.m5.large", "volume_size_in_gb": 20,
                                             "volume_kms_key": "k"}},
    }
    stack = {"resource": {"awscc_sagemaker_model_quality_job_definition": {"m": definition}}}
    messages = [e.message for e in check(stack, {}, pinned())]
    assert "module compiler: awscc_sagemaker_model_quality_job_definition.m: missing required argument " \
           "'model_quality_app_specification.problem_type'" in messages
    assert any("unknown attribute or block 'job_resources.cluster_config.volume_kms_key'" in m for m in messages)


def test_the_taggable_index_is_what_the_pinned_schemas_say(update_golden):
    """compiler/schemas/providers/taggable.index.json (which resource types take tags, read
    by every build) is derived from the pinned slices; rewrite it with --update-golden."""
    from mlops import conformance, providers

    derived = json.dumps(conformance.derive_taggable(conformance.pinned()), indent=1, sort_keys=True) + "\n"
    if update_golden:
        providers.TAGGABLE.write_text(derived, "utf-8")
    assert providers.TAGGABLE.read_text("utf-8") == derived
    assert providers.taggable()["aws_s3_bucket"] == "map"
