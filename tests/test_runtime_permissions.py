"""What services do at run time is allowed by the policies we generate: a check of the
(action, resource) pairs each service needs against our policy documents, over every
golden stack and generated/. These are the failures no schema, checkov or plan catches."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest

from mlops.module_api import partition as partition_of
from mlops_modules.models.catalog import has_local_storage
from golden import STACK_IDS as IDS
from golden import STACKS, load_stack
from job_definitions import BASELINE_CONFIGS

REF = re.compile(r"^\$\{aws_iam_role\.([a-z0-9_]+)\.(arn|id)\}$")


def _stack(path: Path) -> dict:
    return load_stack(path)


def _role_statements(stack: dict, role_ref: str) -> list[dict]:
    """The inline policy statements of the role a `${aws_iam_role.X.arn}` reference names."""
    name = REF.match(role_ref).group(1)
    policy = stack["resource"]["aws_iam_role_policy"][name]["policy"]
    document = re.match(r"^\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}$", policy).group(1)
    return stack["data"]["aws_iam_policy_document"][document]["statement"]


def _allows(statements: list[dict], action: str, resource: str) -> bool:
    for st in statements:
        if st["effect"] != "Allow":
            continue
        if any(fnmatch.fnmatchcase(action, a) for a in st["actions"]) and any(
            fnmatch.fnmatchcase(resource, r) for r in st.get("resources", [])
        ):
            return True
    return False


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_codepipeline_can_write_its_artifact_folder(path: Path) -> None:
    stack = _stack(path)
    for name, pipeline in stack["resource"].get("aws_codepipeline", {}).items():
        bucket = pipeline["artifact_store"][0]["location"].replace(".bucket}", ".arn}")
        folder = f"{bucket}/{pipeline['name'][:20]}/source/abc123"  # where CodePipeline writes
        statements = _role_statements(stack, pipeline["role_arn"])
        assert _allows(statements, "s3:PutObject", folder), name
        build = stack["resource"]["aws_codebuild_project"][name]
        assert _allows(_role_statements(stack, build["service_role"]), "s3:GetObject", folder), name


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_encrypted_schedules_and_state_machines_can_be_used_by_their_callers(path: Path) -> None:
    stack = _stack(path)
    resources = stack["resource"]
    for name, schedule in resources.get("aws_scheduler_schedule", {}).items():
        target = schedule["target"][0]
        assert _allows(_role_statements(stack, target["role_arn"]), "kms:Decrypt", schedule["kms_key_arn"]), name
    machines = resources.get("aws_sfn_state_machine", {})
    callers = [t for t in resources.get("aws_cloudwatch_event_target", {}).values()]
    callers += [s["target"][0] for s in resources.get("aws_scheduler_schedule", {}).values()]
    for target in callers:
        machine = re.match(r"^\$\{aws_sfn_state_machine\.([a-z0-9_]+)\.arn\}$", target["arn"])
        if machine:
            key = machines[machine.group(1)]["encryption_configuration"][0]["kms_key_id"]
            statements = _role_statements(stack, target["role_arn"])
            assert _allows(statements, "states:StartExecution", target["arn"])
            assert _allows(statements, "kms:GenerateDataKey", key)


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_endpoints_can_write_captured_data(path: Path) -> None:
    stack = _stack(path)
    resources = stack["resource"]
    for name, config in resources.get("aws_sagemaker_endpoint_configuration", {}).items():
        for capture in config.get("data_capture_config", []):
            model = re.match(r"^\$\{aws_sagemaker_model\.([a-z0-9_]+)\.name\}$",
                             config["production_variants"][0]["model_name"]).group(1)
            role = resources["aws_sagemaker_model"][model]["execution_role_arn"]
            uri = capture["destination_s3_uri"]  # s3://${aws_s3_bucket.X.bucket}/capture/<model>
            bucket, key = re.match(r"^s3://\$\{(aws_s3_bucket\.[a-z0-9_]+)\.bucket\}/(.*)$", uri).groups()
            assert _allows(_role_statements(stack, role), "s3:PutObject", f"${{{bucket}.arn}}/{key}/2026/01/01/x.jsonl"), name


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_workspace_reaches_s3_through_the_gateway_endpoint(path: Path) -> None:
    resources = _stack(path)["resource"]
    if "aws_sagemaker_domain" not in resources:
        return
    egress = resources["aws_vpc_security_group_egress_rule"].values()
    assert any(r.get("prefix_list_id") == "${aws_vpc_endpoint.s3.prefix_list_id}" and r["from_port"] == 443 for r in egress)


KEY = re.compile(r"^\$\{aws_kms_key\.([a-z0-9_]+)\.arn\}$")


def _key_policy_allows(stack: dict, key: str, role_arn: str, action: str, via: str | None = None) -> bool:
    """Whether the key policy of aws_kms_key.<key> lets the role do `action`, directly or
    through the service `via` (s3, states, ...): KMS checks the key policy as well as the
    role's own policy."""
    policy = stack["resource"]["aws_kms_key"][key]["policy"]
    document = re.match(r"^\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}$", policy).group(1)
    for st in stack["data"]["aws_iam_policy_document"][document]["statement"]:
        principals = [i for p in st.get("principals", []) if p["type"] == "AWS" for i in p["identifiers"]]
        if st["effect"] != "Allow" or not any(fnmatch.fnmatchcase(action, a) for a in st["actions"]):
            continue
        services = [c["values"] for c in st.get("condition", []) if c["variable"] == "kms:ViaService"]
        if services and not (via and any(v.startswith(via + ".") for v in services[0])):
            continue
        named = [c["values"] for c in st.get("condition", []) if c["variable"] == "aws:PrincipalArn"]
        root = role_arn.split(":role/")[0] + ":root"
        if role_arn in principals or (root in principals and (not named or role_arn in named[0])):
            return True
    return False


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_key_policies_let_every_role_use_the_keys_it_is_granted(path: Path) -> None:
    stack = _stack(path)
    resources = stack["resource"]
    for name, role in resources.get("aws_iam_role", {}).items():
        provider = stack["provider"]["aws"][0]
        role_arn = f"arn:{partition_of(provider['region'])}:iam::{provider['allowed_account_ids'][0]}:role/{role['name']}"
        for st in _role_statements(stack, "${aws_iam_role." + name + ".arn}"):
            for resource in st.get("resources", []):
                key = KEY.match(resource)
                for action in (a for a in st["actions"] if key and a.startswith("kms:")):
                    assert _key_policy_allows(stack, key.group(1), role_arn, action), (name, action, resource)


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_no_key_lets_the_whole_account_use_it(path: Path) -> None:
    stack = _stack(path)
    provider = stack["provider"]["aws"][0]
    anyone = f"arn:{partition_of(provider['region'])}:iam::{provider['allowed_account_ids'][0]}:role/anyone"
    for key in stack["resource"].get("aws_kms_key", {}):
        assert not _key_policy_allows(stack, key, anyone, "kms:Decrypt"), key
        assert not _key_policy_allows(stack, key, anyone, "kms:Decrypt", via="s3"), key  # data stays named-only


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_terraform_can_encrypt_the_objects_it_writes(path: Path) -> None:
    stack = _stack(path)
    provider = stack["provider"]["aws"][0]
    for name, obj in stack["resource"].get("aws_s3_object", {}).items():
        assert obj["server_side_encryption"] == "aws:kms", name
        assert "assume_role" in provider, "Terraform writes objects only where it runs as a known role"
        deployer = provider["assume_role"][0]["role_arn"]
        assert _key_policy_allows(stack, KEY.match(obj["kms_key_id"]).group(1), deployer, "kms:GenerateDataKey", via="s3"), name


ENCRYPTED_BY_CALLER = {  # resource type -> (service, attribute naming its key)
    "aws_sfn_state_machine": ("states", lambda r: r["encryption_configuration"][0]["kms_key_id"]),
    "aws_scheduler_schedule": ("scheduler", lambda r: r["kms_key_arn"]),
    "aws_codecommit_repository": ("codecommit", lambda r: r["kms_key_id"]),
    "aws_sagemaker_model_card": ("sagemaker", lambda r: r["security_config"][0]["kms_key_id"]),
    "aws_sagemaker_domain": ("sagemaker", lambda r: r["kms_key_id"]),
}


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_terraform_can_create_and_read_what_its_services_encrypt(path: Path) -> None:
    """Creating a state machine, a schedule, a repository, a card or a domain with a
    customer key makes the service use the key as the caller, Terraform."""
    stack = _stack(path)
    provider = stack["provider"]["aws"][0]
    account = provider["allowed_account_ids"][0]
    deployer = (provider["assume_role"][0]["role_arn"] if "assume_role" in provider
                else f"arn:{partition_of(provider['region'])}:iam::{account}:role/whoever-runs-terraform")
    for kind, (service, key_of) in ENCRYPTED_BY_CALLER.items():
        for name, resource in stack["resource"].get(kind, {}).items():
            key = KEY.match(key_of(resource)).group(1)
            for action in ("kms:Decrypt", "kms:GenerateDataKey"):
                assert _key_policy_allows(stack, key, deployer, action, via=service), (kind, name, action)


def _service_allowed(statements: list[dict], service: str, action: str, resource: str, source_arn: str) -> bool:
    """Whether `service`, calling for `source_arn`, may do `action` on `resource`."""
    for st in statements:
        services = [i for p in st.get("principals", []) if p["type"] == "Service" for i in p["identifiers"]]
        sources = [c["values"] for c in st.get("condition", []) if c["variable"] == "aws:SourceArn"]
        if (st["effect"] == "Allow" and service in services and action in st["actions"]
                and any(fnmatch.fnmatchcase(resource, r) for r in st["resources"])
                and all(source_arn in values for values in sources)):
            return True
    return False


def _document(stack: dict, reference: str) -> list[dict]:
    name = re.match(r"^\$\{data\.aws_iam_policy_document\.([a-z0-9_]+)\.json\}$", reference).group(1)
    return stack["data"]["aws_iam_policy_document"][name]["statement"]


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_the_audit_trail_can_deliver_encrypted_logs(path: Path) -> None:
    stack = _stack(path)
    resources = stack["resource"]
    account = stack["provider"]["aws"][0]["allowed_account_ids"][0]
    region = stack["provider"]["aws"][0]["region"]
    partition = partition_of(region)
    for name, trail in resources.get("aws_cloudtrail", {}).items():
        arn = f"arn:{partition}:cloudtrail:{region}:{account}:trail/{trail['name']}"
        bucket = re.match(r"^\$\{aws_s3_bucket\.([a-z0-9_]+)\.id\}$", trail["s3_bucket_name"]).group(1)
        bucket_arn = f"arn:{partition}:s3:::" + resources["aws_s3_bucket"][bucket]["bucket"]
        bucket_policy = _document(stack, resources["aws_s3_bucket_policy"][bucket]["policy"])
        delivered = f"{bucket_arn}/AWSLogs/{account}/CloudTrail/{region}/2026/11/24/x.json.gz"
        assert _service_allowed(bucket_policy, "cloudtrail.amazonaws.com", "s3:GetBucketAcl", bucket_arn, arn), name
        assert _service_allowed(bucket_policy, "cloudtrail.amazonaws.com", "s3:PutObject", delivered, arn), name
        key = KEY.match(trail["kms_key_id"]).group(1)
        key_policy = _document(stack, resources["aws_kms_key"][key]["policy"])
        assert _service_allowed(key_policy, "cloudtrail.amazonaws.com", "kms:GenerateDataKey*", "*", arn), name
        group = trail["cloud_watch_logs_group_arn"].replace(":*", "")
        assert _allows(_role_statements(stack, trail["cloud_watch_logs_role_arn"]), "logs:PutLogEvents",
                       group.replace(".arn}", ".arn}:log-stream:" + account + "_CloudTrail_" + region)), name


def _definitions(path: Path):
    for body in _stack(path)["resource"].get("aws_sagemaker_pipeline", {}).values():
        yield json.loads(body["pipeline_definition"])


def _steps(steps: list):
    """Every step, those inside conditions too (monitoring pipelines run one per kind)."""
    for step in steps:
        yield step
        if step["Type"] == "Condition":
            yield from _steps(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", []))


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_volume_keys_only_where_sagemaker_accepts_them(path: Path) -> None:
    for definition in _definitions(path):
        parameters = {p["Name"]: p.get("DefaultValue") for p in definition["Parameters"]}
        for step in _steps(definition["Steps"]):
            args = step.get("Arguments", {})
            config = args.get("ResourceConfig") or args.get("ProcessingResources", {}).get("ClusterConfig")
            if not config:
                continue
            instance = config["InstanceType"]
            instance = parameters["TrainingInstanceType"] if isinstance(instance, dict) else instance
            assert ("VolumeKmsKeyId" in config) != has_local_storage(instance), (step["Name"], instance)


def _xgboost_definitions(path: Path):
    images = _stack(path).get("data", {}).get("aws_sagemaker_prebuilt_ecr_image", {})
    for definition in _definitions(path):
        train = next((s for s in definition["Steps"] if s["Name"] == "Train"), None)
        if train is None:  # a monitoring pipeline
            continue
        image = re.match(r"^\$\{data\.aws_sagemaker_prebuilt_ecr_image\.([a-z0-9_]+)\.registry_path\}$",
                         train["Arguments"]["AlgorithmSpecification"]["TrainingImage"])
        if image and images[image.group(1)]["repository_name"] == "sagemaker-xgboost":
            yield definition, train


def test_the_checks_have_something_to_check() -> None:
    """Each check above must meet its case somewhere, or it proves nothing."""
    text = "".join(p.read_text("utf-8") for p in STACKS)
    for needle in ("aws_codepipeline", "aws_scheduler_schedule", "data_capture_config", "aws_sfn_state_machine",
                   "aws_sagemaker_domain", "aws_cloudtrail", "aws_s3_object", "aws_sagemaker_model_card",
                   "aws_codecommit_repository"):
        assert needle in text, needle
    assert any(True for p in STACKS for _ in _xgboost_definitions(p))
    trainings = [json.dumps(d) for p in STACKS for d in _definitions(p)]
    assert any("ml.g5" in t for t in trainings) and any("VolumeKmsKeyId" in t for t in trainings)


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_xgboost_reports_the_metric_its_gate_reads(path: Path) -> None:
    for definition, train in _xgboost_definitions(path):
        gate = next(s for s in definition["Steps"] if s["Name"] == "CheckMetric")
        metric = re.search(r"\['(.+?)'\]", gate["Arguments"]["Conditions"][0]["LeftValue"]["Get"]).group(1)
        assert metric.split(":", 1)[1] in train["Arguments"]["HyperParameters"]["eval_metric"].split(",")


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_monitors_can_read_their_baselines(path: Path) -> None:
    """A monitoring job downloads its baseline as the job definition's role."""
    stack = _stack(path)
    for kind, resources in stack["resource"].items():
        for name, body in resources.items():
            for attribute in BASELINE_CONFIGS:
                if attribute not in body:
                    continue
                config = body[attribute][0] if isinstance(body[attribute], list) else body[attribute]
                files = [v[0] if isinstance(v, list) else v for k, v in config.items() if k.endswith("_resource")]
                assert files, f"{kind}.{name}: {attribute} names no file"
                statements = _role_statements(stack, body["role_arn"])
                for file in files:
                    arn = re.sub(r"^s3://\$\{(aws_s3_bucket\.[a-z0-9_]+)\.bucket\}", r"${\1.arn}", file["s3_uri"])
                    assert _allows(statements, "s3:GetObject", arn), f"{kind}.{name} cannot read {file['s3_uri']}"


def _report_steps(stack: dict):
    """The Evaluate steps (pipelines and state machines) that run mlops's evaluation
    report script, with the arguments they send."""
    documents = [json.loads(p["pipeline_definition"]) for p in stack["resource"].get("aws_sagemaker_pipeline", {}).values()]
    for definition in documents:
        for step in definition["Steps"]:
            if step["Name"] == "Evaluate" and "evaluation_report.py" in " ".join(step["Arguments"]["AppSpecification"]["ContainerEntrypoint"]):
                yield step["Arguments"]
    for machine in stack["resource"].get("aws_sfn_state_machine", {}).values():
        state = json.loads(machine["definition"])["States"].get("Evaluate")
        if state and "evaluation_report.py" in " ".join(state["Parameters"]["AppSpecification"]["ContainerEntrypoint"]):
            yield state["Parameters"]


def test_some_stacks_run_the_report_script() -> None:
    assert any(list(_report_steps(_stack(path))) for path in STACKS)


@pytest.mark.parametrize("path", STACKS, ids=IDS)
def test_the_report_step_can_read_its_script_and_the_training_metrics(path: Path) -> None:
    """What scripts/evaluation_report.py needs on AWS: the script object Terraform
    uploaded, a network path to the SageMaker API (no isolation, the VPC endpoint), and
    DescribeTrainingJob for the role it runs as."""
    stack = _stack(path)
    uploaded = {f"s3://{o['bucket'].replace('.id}', '.bucket}')}/{o['key']}"
                for o in stack["resource"].get("aws_s3_object", {}).values()}
    endpoints = {e["service_name"].rsplit(".", 2)[-2:][0] + "." + e["service_name"].rsplit(".", 1)[-1]
                 for e in stack["resource"].get("aws_vpc_endpoint", {}).values()}
    for arguments in _report_steps(stack):
        script = next(i["S3Input"]["S3Uri"] for i in arguments["ProcessingInputs"] if i["InputName"] == "code")
        assert script in uploaded, f"{script} is not an object Terraform uploads"
        assert arguments["NetworkConfig"]["EnableNetworkIsolation"] is False
        assert "sagemaker.api" in endpoints, "no VPC endpoint for the SageMaker API"
        assert {"TRAINING_JOB", "TRAINING_JOB.$"} & set(arguments["Environment"]) and "METRIC_NAME" in arguments["Environment"]
        statements = _role_statements(stack, arguments["RoleArn"])
        assert _allows(statements, "sagemaker:DescribeTrainingJob",
                       "arn:aws:sagemaker:eu-west-1:111111111111:training-job/pipelines-abc-train-x1".replace(
                           "eu-west-1:111111111111", _region_account(stack)))
        bucket = re.match(r"^s3://\$\{aws_s3_bucket\.([a-z0-9_]+)\.bucket\}/(.+)$", script)
        assert _allows(statements, "s3:GetObject", "${aws_s3_bucket." + bucket.group(1) + ".arn}/" + bucket.group(2))


def _region_account(stack: dict) -> str:
    provider = stack["provider"]["aws"][0]
    return f"{provider['region']}:{provider['allowed_account_ids'][0]}"
