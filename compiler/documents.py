"""Large embedded documents as files beside `cdk.tf.json`, so a review reads them line by line.

A SageMaker pipeline definition, a Step Functions definition and a CloudWatch dashboard
body are JSON documents that AWS takes as one string argument. Inline, `cdk.tf.json`
holds each as one escaped line of thousands of characters, and changing one instance
type is a diff of that whole line. `split` moves each such string, byte for byte, to
`documents/<resource type>/<resource name>.json` in the stack's directory and puts a
*reference* in its place:

- `${file("${path.module}/documents/...")}` when the text holds no template sequence
  (`${` or `%{`): `file` returns the bytes, which are the string that was inline;
- `${templatefile("${path.module}/documents/...", {...})}` when it does. Inline, the
  string was a Terraform template (`"${aws_iam_role.training.arn}"`, escapes such as
  `$${`); `templatefile` evaluates the file as the same template, given, under the
  same names, exactly the references the text makes
  (`{aws_iam_role = {training = {arn = aws_iam_role.training.arn}}}`), so Terraform
  computes the same value and sees the same dependencies.

A document whose template makes anything but plain references (a function call, a
directive) stays inline: its value would depend on more than this file can pass.

`inline` is the inverse, for everything that reads written stacks (the gate, the
tests): it puts each referenced file's text back, giving the stack as synthesized.
The files hold no comment (the bytes are the value AWS gets); `documents/README.md`
says they are generated, from which spec, and what each one is.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

FOLDER = "documents"
README = f"{FOLDER}/README.md"
# The string arguments written as files: resource type -> argument.
ARGUMENTS = {
    "aws_cloudwatch_dashboard": "dashboard_body",
    "aws_sagemaker_pipeline": "pipeline_definition",
    "aws_sfn_state_machine": "definition",
}

_IDENT = r"[A-Za-z_][A-Za-z0-9_-]*"
# One template sequence: an escape (`$${`, `%%{`), an interpolation or a directive.
_SEQUENCE = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_TRAVERSAL = re.compile(rf"\$\{{({_IDENT}(?:\.{_IDENT})+)\}}")
_REFERENCE = re.compile(rf'^\$\{{(?:file|templatefile)\("\$\{{path\.module\}}/({FOLDER}/{_IDENT}/{_IDENT}\.json)"')
# Words HCL reads as something else where an object key is expected.
_KEYWORDS = {"null", "true", "false", "for"}


def split(stack: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The stack with each document replaced by its reference, and the files: path in
    the stack's directory -> the document's bytes. `stack` is left as it was (only
    the bodies that change are copied: a large stack is mostly other resources)."""
    resources = dict(stack.get("resource", {}))
    files: dict[str, bytes] = {}
    for rtype, argument in sorted(ARGUMENTS.items()):
        by_name = resources[rtype] = dict(resources.get(rtype, {}))
        for name, body in sorted(by_name.items()):
            text = body.get(argument)
            rel = f"{FOLDER}/{rtype}/{name}.json"
            expression = reference(rel, text) if isinstance(text, str) else None
            if expression is not None:
                by_name[name] = {**body, argument: expression}
                files[rel] = text.encode("utf-8")
        if not by_name:
            del resources[rtype]
    return ({**stack, "resource": resources} if "resource" in stack else dict(stack)), files


def reference(rel: str, text: str) -> str | None:
    """The Terraform expression that reads `text` back from `rel`; None when the text
    is a template this file cannot reproduce (it stays inline)."""
    path = '"${path.module}/' + rel + '"'
    refs = _references(text)
    if refs is None:
        return None
    if not _SEQUENCE.search(text):
        return "${file(" + path + ")}"
    return "${templatefile(" + path + ", " + _object(_tree(refs)) + ")}"


def _references(text: str) -> list[str] | None:
    """The references the template `text` interpolates, in order of first use; None when
    it interpolates anything else or holds a directive."""
    refs: list[str] = []
    for seq in _SEQUENCE.finditer(text):
        if seq[0] in ("$${", "%%{"):
            continue  # an escape: literal text, nothing evaluated
        if seq[0] == "%{":
            return None
        m = _TRAVERSAL.match(text, seq.start())
        if m is None:
            return None
        if m[1] not in refs:
            refs.append(m[1])
    return refs


def _tree(refs: list[str]) -> dict[str, Any]:
    """`["a.b.c", "a.d.e"]` -> `{"a": {"b": {"c": "a.b.c"}, "d": {"e": "a.d.e"}}}`; a
    reference that another extends passes the whole object (`a.b` covers `a.b.c`)."""
    tree: dict[str, Any] = {}
    for ref in sorted(refs, key=lambda r: (r.count("."), r)):
        node, parts = tree, ref.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if isinstance(node, str):
                break  # a shorter reference already passes this object whole
        else:
            node[parts[-1]] = ref
    return tree


def _object(tree: dict[str, Any]) -> str:
    """An HCL object constructor, keys sorted: `{a = {b = a.b}}`."""
    def key(k: str) -> str:
        return k if re.fullmatch(_IDENT, k) and k not in _KEYWORDS else json.dumps(k)

    items = (f"{key(k)} = {_object(v) if isinstance(v, dict) else v}" for k, v in sorted(tree.items()))
    return "{" + ", ".join(items) + "}"


def readme(env: str, source: str, documents: dict[str, str]) -> bytes:
    """documents/README.md: generated, from which spec, and each file's argument and
    spec path (`documents`: path in the stack's directory -> spec path)."""
    lines = [
        f"# Documents of the {env} stack",
        "",
        f"Generated by mlops from {source}; do not edit: `mlops compile` rewrites these files and",
        "`mlops compile --check` fails when one differs, is missing or is not generated any more.",
        "",
        "Each file is, byte for byte, the value Terraform passes to AWS for one argument of",
        "one resource in `../cdk.tf.json`, which reads it with `file()`, or with `templatefile()`",
        "when the document names other resources (`${aws_iam_role.training.arn}`): Terraform",
        "fills those in as it would inline. JSON has no comments, so the files carry none and",
        "end without a newline, exactly as the value does.",
        "",
        "| file | argument | from the spec |",
        "|---|---|---|",
    ]
    for rel, spec_path in sorted(documents.items()):
        rtype, name = rel.removeprefix(f"{FOLDER}/").removesuffix(".json").split("/")
        lines.append(f"| `{rel.removeprefix(FOLDER + '/')}` | `{rtype}.{name}.{ARGUMENTS[rtype]}` | `{spec_path}` |")
    return ("\n".join(lines) + "\n").encode("utf-8")


def inline(stack: dict[str, Any], directory: Path) -> dict[str, Any]:
    """The stack with every document reference replaced by the text of its file in
    `directory` (the stack's own); raises OSError when a referenced file is missing."""
    out = copy.deepcopy(stack)
    for rtype, argument in ARGUMENTS.items():
        for body in out.get("resource", {}).get(rtype, {}).values():
            value = body.get(argument) if isinstance(body, dict) else None
            m = _REFERENCE.match(value) if isinstance(value, str) else None
            if m is not None:
                body[argument] = (directory / m[1]).read_bytes().decode("utf-8")
    return out


def load(path: Path) -> dict[str, Any]:
    """A written stack (`cdk.tf.json`) with its documents inlined: the stack as synthesized."""
    return inline(json.loads(path.read_text("utf-8")), path.parent)
