"""What must exist before Terraform can run in an account, created with boto3.

The state bucket (versioned, encrypted as the spec says, public access blocked,
TLS-only, old versions expiring) and the role Terraform deploys with, trusted by the
CI identity the spec names (`ci.github` or `ci.gitlab`, whose OIDC provider is created
when missing) and by itself (the provider assumes the environment's role), carrying
the spec's permissions boundary.

It only creates. What exists is checked, never changed: a weaker existing bucket or
role is reported and left alone, so running it twice changes nothing, and running it
against an account someone else set up can loosen nothing. `plan` makes only read
calls; `apply` makes the calls `plan` listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

NONCURRENT_DAYS = 90
ADMIN = "arn:{partition}:iam::aws:policy/AdministratorAccess"
PROVIDERS = {"github": ("token.actions.githubusercontent.com", "https://token.actions.githubusercontent.com"),
             "gitlab": ("gitlab.com", "https://gitlab.com")}


@dataclass(frozen=True)
class Call:
    """One write call: the client, the operation and its parameters."""

    service: str
    operation: str
    params: dict

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}({json.dumps(self.params, sort_keys=True)})"


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what exists and is weaker; never changed
    present: list[str] = field(default_factory=list)  # what exists as it should

    def judge(self, what: str, lacks: list[str], remedy: str) -> None:
        """An existing resource: present as it should be, or a problem left for people."""
        if lacks:
            self.problems.append(f"{what} exists without {', '.join(lacks)}: mlops changes nothing that exists; {remedy}")
        else:
            self.present.append(what)


@dataclass(frozen=True)
class Target:
    account: str
    region: str
    partition: str
    role_name: str | None
    boundary_arn: str | None
    ci: dict | None  # {"github": {...}} or {"gitlab": {...}}
    env: str


def state_bucket(s3, state: dict, region: str, partition: str, plan: Plan) -> None:
    bucket = state["bucket"]
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in ("403", "AccessDenied", "Forbidden"):
            plan.problems.append(f"state bucket {bucket} exists in another account (or these credentials may not "
                                 "read it): if the state lives in a shared account, set state.role and bootstrap "
                                 "the bucket there")
            return
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
        plan.calls += _new_bucket(bucket, state, region, partition)
        return
    _check_bucket(s3, bucket, state, plan)


def _new_bucket(bucket: str, state: dict, region: str, partition: str) -> list[Call]:
    create = {"Bucket": bucket}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    rule = ({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": state["kms_key_id"]},
             "BucketKeyEnabled": True} if state.get("kms_key_id")
            else {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})
    return [
        Call("s3", "create_bucket", create),
        Call("s3", "put_public_access_block", {"Bucket": bucket, "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}),
        Call("s3", "put_bucket_versioning", {"Bucket": bucket, "VersioningConfiguration": {"Status": "Enabled"}}),
        Call("s3", "put_bucket_encryption", {"Bucket": bucket, "ServerSideEncryptionConfiguration": {"Rules": [rule]}}),
        Call("s3", "put_bucket_policy", {"Bucket": bucket, "Policy": json.dumps(_tls_only(bucket, partition))}),
        Call("s3", "put_bucket_lifecycle_configuration", {"Bucket": bucket, "LifecycleConfiguration": {"Rules": [{
            "ID": "expire-old-state-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_DAYS},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}}),
    ]


def _tls_only(bucket: str, partition: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:{partition}:s3:::{bucket}", f"arn:{partition}:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def _check_bucket(s3, bucket: str, state: dict, plan: Plan) -> None:
    """Report what the existing bucket lacks; change nothing."""
    from botocore.exceptions import ClientError

    def read(operation: str, *keys: str):
        try:
            found = getattr(s3, operation)(Bucket=bucket)
        except ClientError:
            return None
        for key in keys:
            found = (found or {}).get(key)
        return found

    lacks = []
    if read("get_bucket_versioning", "Status") != "Enabled":
        lacks.append("versioning")
    block = read("get_public_access_block", "PublicAccessBlockConfiguration") or {}
    if not all(block.get(k) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")):
        lacks.append("a full public access block")
    policy = json.loads(read("get_bucket_policy", "Policy") or "{}")
    if not any(s.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition", {}))
               for s in policy.get("Statement", [])):
        lacks.append("a policy denying requests without TLS")
    rules = read("get_bucket_encryption", "ServerSideEncryptionConfiguration", "Rules") or []
    if state.get("kms_key_id") and not any(
            r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms" for r in rules):
        lacks.append("default encryption with the KMS key state.kms_key_id names")
    plan.judge(f"state bucket {bucket}", lacks, "add it yourself, or name another bucket in state.bucket")


def deploy_role(iam, t: Target, plan: Plan) -> None:
    """The OIDC provider of the CI system, and the role CI and Terraform deploy with."""
    from botocore.exceptions import ClientError

    system, settings = next(iter(t.ci.items()))
    host, url = PROVIDERS[system]
    provider = f"arn:{t.partition}:iam::{t.account}:oidc-provider/{host}"
    existing = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    if provider in existing:
        plan.present.append(f"OIDC provider {host}")
    else:
        plan.calls.append(Call("iam", "create_open_id_connect_provider", {"Url": url, "ClientIDList": ["sts.amazonaws.com"]}))
    if t.boundary_arn:
        try:
            iam.get_policy(PolicyArn=t.boundary_arn)
        except ClientError:
            plan.problems.append(f"the permissions boundary {t.boundary_arn} does not exist: create it first "
                                 "(it is your organization's policy; mlops only attaches it)")
            return
    trust = trust_policy(t, system, settings, provider, host)
    try:
        role = iam.get_role(RoleName=t.role_name)["Role"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchEntity":
            raise
        create = {"RoleName": t.role_name, "AssumeRolePolicyDocument": json.dumps(trust),
                  "Description": f"Terraform deploys the mlops environment {t.env} with this role (mlops bootstrap)",
                  "MaxSessionDuration": 3600}
        if t.boundary_arn:
            create["PermissionsBoundary"] = t.boundary_arn
        plan.calls += [Call("iam", "create_role", create),
                       Call("iam", "attach_role_policy", {"RoleName": t.role_name,
                                                          "PolicyArn": ADMIN.format(partition=t.partition)})]
        return
    _check_role(iam, role, trust, t, plan)


def trust_policy(t: Target, system: str, settings: dict, provider: str, host: str) -> dict:
    """CI's OIDC identity, only where it runs under the repository's protection, and the
    role itself (the AWS provider assumes the environment's role). The role can change
    anything in the account, so no pull request and no unprotected branch may assume
    it: on GitHub only jobs of the environment's GitHub environment (whose deployment
    branches and reviewers the repository controls); on GitLab only pipelines of the
    deploy branch (which must be protected)."""
    branch = settings.get("branch", "main")
    if system == "github":
        subjects = [f"repo:{settings['repository']}:environment:{t.env}"]
    else:
        subjects = [f"project_path:{settings['project']}:ref_type:branch:ref:{branch}"]
    own = f"arn:{t.partition}:iam::{t.account}:role/{t.role_name}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "CiDeploys", "Effect": "Allow", "Principal": {"Federated": provider},
         "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com"}, "StringLike": {f"{host}:sub": subjects}}},
        {"Sid": "TerraformAssumesTheRole", "Effect": "Allow", "Principal": {"AWS": f"arn:{t.partition}:iam::{t.account}:root"},
         "Action": "sts:AssumeRole", "Condition": {"ArnEquals": {"aws:PrincipalArn": own}}},
    ]}


def _check_role(iam, role: dict, trust: dict, t: Target, plan: Plan) -> None:
    from urllib.parse import unquote

    document = role["AssumeRolePolicyDocument"]
    found = json.loads(unquote(document)) if isinstance(document, str) else document
    lacks = []
    if t.boundary_arn and (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != t.boundary_arn:
        lacks.append(f"the permissions boundary {t.boundary_arn}")
    def key(statement: dict) -> str:
        return json.dumps({k: v for k, v in statement.items() if k != "Sid"}, sort_keys=True)

    if {key(s) for s in found.get("Statement", [])} != {key(s) for s in trust["Statement"]}:
        lacks.append("exactly the trust mlops gives it (its CI identity under protection, and itself)")
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=t.role_name)["AttachedPolicies"]}
    if ADMIN.format(partition=t.partition) not in attached:
        lacks.append("its permissions policy (AdministratorAccess, inside the boundary)")
    plan.judge(f"role {t.role_name}", lacks, "update it yourself")
