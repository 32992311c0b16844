"""What IAM would decide about a cross-account request, from the policies of committed
stacks: the test helper of test_cross_account_grants.py.

Vocabulary:
- a *stack* is one environment's cdk.tf.json (`Stack`), whose references
  (`${aws_s3_bucket.x.arn}`) resolve to the ARNs and names the resources will have;
- a *request* is a principal (a role ARN) doing an action on a resource ARN, with the
  request context IAM would see (`aws:PrincipalArn`, `kms:ViaService`, `s3:prefix`, ...);
- a request across accounts is allowed when the principal's identity policies allow it
  and the resource's policy allows it, and no statement of either denies it (AWS's
  policy evaluation logic for cross-account access).

Only the conditions these stacks use are understood; any other operator raises, so a
statement is never taken to allow or deny because a condition was skipped. A key absent
from the context fails its condition, as in IAM.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from golden import load_stack

REF = re.compile(r"\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}")
OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike", "Bool", "NumericLessThan",
             "ForAnyValue:StringEquals"}


@dataclass(frozen=True)
class Stack:
    path: Path

    @cached_property
    def json(self) -> dict:
        return load_stack(self.path)

    @property
    def name(self) -> str:
        return self.path.parent.name

    @property
    def account(self) -> str:
        return self.json["provider"]["aws"][0]["allowed_account_ids"][0]

    @property
    def region(self) -> str:
        return self.json["provider"]["aws"][0]["region"]

    @property
    def deploy_role(self) -> str:
        return self.json["provider"]["aws"][0]["assume_role"][0]["role_arn"]

    def resources(self, kind: str) -> dict:
        return self.json["resource"].get(kind, {})

    def resolve(self, text: str) -> str:
        """`text` with every reference replaced by the value the resource will have."""
        return REF.sub(lambda m: self._value(m.group(2), m.group(3), m.group(4)), text)

    def _value(self, kind: str, name: str, attribute: str) -> str:
        """What the reference will hold; a resource these grants never name (a security
        group in a role's VPC statement, say) gets a value no request here names."""
        attrs = self.json["resource"].get(kind, {}).get(name)
        if attrs is None or (attribute == "arn" and kind not in ("aws_s3_bucket", "aws_iam_role", "aws_kms_key",
                                                                  "aws_ecr_repository")):
            return f"arn:aws:unresolved:::{kind}/{name}/{attribute}"
        arns = {"aws_s3_bucket": lambda: f"arn:aws:s3:::{attrs['bucket']}",
                "aws_iam_role": lambda: self.role(name),
                "aws_kms_key": lambda: f"arn:aws:kms:{self.region}:{self.account}:key/{name}-key-id",
                "aws_ecr_repository": lambda: f"arn:aws:ecr:{self.region}:{self.account}:repository/{attrs['name']}"}
        if attribute == "arn":
            return arns[kind]()
        if kind == "aws_s3_bucket" and attribute in ("id", "bucket"):
            return attrs["bucket"]
        if kind == "aws_kms_key" and attribute == "key_id":
            return f"{name}-key-id"
        value = attrs.get({"id": "name"}.get(attribute, attribute))
        return value if isinstance(value, str) else f"unresolved:{kind}/{name}/{attribute}"

    def role(self, name: str) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.resources('aws_iam_role')[name]['name']}"

    def document(self, reference: str) -> list[dict]:
        """The statements of the policy document `reference` names, references resolved."""
        name = REF.fullmatch(reference).group(3)
        return json.loads(self.resolve(json.dumps(self.json["data"]["aws_iam_policy_document"][name]["statement"])))

    def identity(self, role_arn: str) -> list[dict]:
        """Every statement of the inline policies of the role `role_arn`."""
        names = [n for n in self.resources("aws_iam_role") if self.role(n) == role_arn]
        return [st for attached in self.resources("aws_iam_role_policy").values()
                if REF.fullmatch(attached["role"]).group(3) in names for st in self.document(attached["policy"])]

    def policies(self) -> dict[str, list[dict]]:
        """Every resource policy of the stack, by what it is on: a group's name, a bucket's
        or repository's ARN, `key:<terraform name>`, `bus:default`."""
        found = {}
        for group in self.resources("aws_sagemaker_model_package_group_policy").values():
            found[self.resolve(group["model_package_group_name"])] = self.document(group["resource_policy"])
        for policy in self.resources("aws_s3_bucket_policy").values():
            found[f"arn:aws:s3:::{self.resolve(policy['bucket'])}"] = self.document(policy["policy"])
        for name, key in self.resources("aws_kms_key").items():
            found[f"key:{name}"] = self.document(key["policy"])
        for policy in self.resources("aws_ecr_repository_policy").values():
            repository = self.resolve(policy["repository"])
            found[f"arn:aws:ecr:{self.region}:{self.account}:repository/{repository}"] = self.document(policy["policy"])
        for bus in self.resources("aws_cloudwatch_event_bus_policy").values():
            found[f"bus:{bus['event_bus_name']}"] = self.document(bus["policy"])
        return found


def _condition(test: str, wanted: list, given) -> bool:
    if test not in OPERATORS:
        raise ValueError(f"the evaluator does not know the condition operator {test}")
    if given is None:
        return False
    if test == "ForAnyValue:StringEquals":
        return any(value in wanted for value in given)
    if test == "NumericLessThan":
        return any(float(given) < float(value) for value in wanted)
    if test in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(str(given), value) for value in wanted)
    return str(given) in [str(value) for value in wanted]


def applies(st: dict, principal: str | None, action: str, resource: str, context: dict) -> bool:
    """Whether the statement covers the request (its effect aside). `principal` None: an
    identity policy, whose principal is the role it is attached to."""
    if principal is not None:
        ids = [i for p in st.get("principals", []) if p["type"] == "AWS" or p["type"] == "*" for i in p["identifiers"]]
        account = principal.split(":")[4]
        if not any(i == "*" or i == principal or i == f"arn:aws:iam::{account}:root" for i in ids):
            return False
    if not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in st["actions"]):
        return False
    if "resources" in st and not any(fnmatch.fnmatchcase(resource, r) for r in st["resources"]):
        return False
    full = {"aws:PrincipalArn": principal, "aws:SecureTransport": "true", "s3:TlsVersion": "1.3", **context}
    return all(_condition(c["test"], c["values"], full.get(c["variable"])) for c in st.get("condition", []))


def decides(statements: list[dict], principal: str | None, action: str, resource: str, context: dict) -> bool:
    """Allowed by some statement and denied by none."""
    covering = [st for st in statements if applies(st, principal, action, resource, context)]
    return any(st["effect"] == "Allow" for st in covering) and not any(st["effect"] == "Deny" for st in covering)


def allowed(identity: list[dict], policy: list[dict], principal: str, action: str, resource: str,
            context: dict | None = None) -> bool:
    """A request of `principal` across accounts: its identity and the resource's policy both allow it."""
    context = {**(context or {}), "aws:PrincipalArn": principal}
    return (decides(identity, None, action, resource, context)
            and decides(policy, principal, action, resource, context))
